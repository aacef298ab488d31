#!/usr/bin/env bash
# Stage 1 of the WenetSpeech recipe: ${WENETSPEECH}/WenetSpeech.json (db.sh), streamed, -> Kaldi
# data dirs train_<subset>, dev, test_net, test_meeting with segments into the long opus
# recordings (python -m asrllm.bin.prepare_corpus wenetspeech). Text as given; utt2spk maps each
# segment to itself (no speaker labels). Drops are listed in <datadir>/local/wenetspeech/.
set -euo pipefail

log() {
  local fname=${BASH_SOURCE[1]##*/}
  echo -e "$(date '+%Y-%m-%dT%H:%M:%S') (${fname}:${BASH_LINENO[0]}:${FUNCNAME[1]}) $*" >&2
}

datadir=data                              # where the data dirs go
train_subset=L                            # training subset label(s), commas between several: L M S W
eval_subsets=DEV,TEST_NET,TEST_MEETING    # evaluation subset labels (commas)
sort_buffer=256M                          # memory for `sort -S` (tables are sorted on disk)
validate=false        # also run validate_data_dir's checks here (the driver runs them after stage 1)

. ./db.sh
. utils/parse_options.sh
[ $# -eq 0 ] || { echo "$0: unexpected arguments: $* (see $0 --help)" >&2; exit 1; }
. ./path.sh
extra=(); [ "${validate}" = true ] || extra+=(--no-validate)

[ -n "${WENETSPEECH}" ] || { log "ERROR: WENETSPEECH is not set: point it (db.sh or the environment) at the folder with WenetSpeech.json"; exit 1; }
log "preparing WenetSpeech from ${WENETSPEECH} into ${datadir}: ${train_subset} ${eval_subsets}"
# shellcheck disable=SC2086
python -m asrllm.bin.prepare_corpus wenetspeech --root "${WENETSPEECH}" --datadir "${datadir}" \
  --train-subset ${train_subset//,/ } --eval-subsets ${eval_subsets//,/ } --sort-buffer "${sort_buffer}" "${extra[@]}"
log "done"
