#!/usr/bin/env bash
# The end of `make demo`: where the results are, and one test utterance through the packed model's
# command-line recogniser (python -m asrllm.bin.transcribe), next to its reference transcript.
set -euo pipefail

exp=exp/asr_llm_entropy      # experiment folder of the run
test_set=test_en             # data dir the example utterance comes from
datadir=data                 # where its wav.scp and text are

. utils/parse_options.sh
[ $# -eq 0 ] || { echo "$0: unexpected arguments: $* (see $0 --help)" >&2; exit 1; }
. ./path.sh

for f in "${exp}/RESULTS.md" "${exp}/packed/config.yaml" "${datadir}/${test_set}/wav.scp"; do
  [ -e "$f" ] || { echo "$0: $f is missing: has ./run.sh finished every stage?" >&2; exit 1; }
done
echo "Results:        ${exp}/RESULTS.md"
echo "Plots:          $( [ -d "${exp}/analysis" ] && find "${exp}/analysis" -name "*.png" | sort | tr "\n" " ")"
echo "Packed model:   ${exp}/packed  (README.md inside; python -m asrllm.bin.transcribe --model-dir ${exp}/packed AUDIO...)"
echo "Stage times:    ${exp}/stage_times.tsv"
read -r utt wav < <(head -n 1 "${datadir}/${test_set}/wav.scp")
echo "Example (${test_set}, ${utt}):"
echo "  reference:  $(grep -m 1 "^${utt} " "${datadir}/${test_set}/text" | cut -d' ' -f2-)"
hyp=$(python3 -m asrllm.bin.transcribe --model-dir "${exp}/packed" --log-level WARNING "$wav")
echo "  recognised: ${hyp#* }"
