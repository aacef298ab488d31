#!/usr/bin/env bash
# AISHELL-1 (OpenSLR 33, 178 h of Mandarin read speech) with the entropy-allocation recipe.
#   ./run.sh                       every stage at paper scale (Qwen3-1.7B, ~0.6B Conformer; --ngpu 8)
#   ./run.sh --download true       first fetch and unpack the corpus into ${AISHELL} (db.sh)
#   ./run.sh --scale single_gpu    one GPU: ~120M Conformer, Qwen3-1.7B with LoRA
# Every other option goes to the shared driver (./asr_llm.sh --help), e.g. --stage 3 --stop_stage 6,
# --llm /path/to/Qwen3-1.7B, --paradigm conventional. See README.md.
set -euo pipefail

download=false   # run local/download.sh before the driver
scale=paper      # paper | single_gpu: conf/model/<scale>.yaml and the shared conf/scale/<scale>.yaml
declare -a driver_args=()  # every other option: the shared driver's (./asr_llm.sh --help)
. utils/parse_options.sh

train_set=train
valid_set=dev
test_sets="dev test"
llm=downloads/Qwen3-1.7B     # local Hugging Face folder of Qwen/Qwen3-1.7B (README.md, "LLM")
token_types="phone char"     # phone CTC (entropy) and characters (conventional: AED + CTC; conventional_ctc: CTC)
score_corpus=aishell         # stage 12: CER over characters, AISHELL normaliser (asrllm.bin.score --corpus aishell)

if [ "$download" = true ]; then
  local/download.sh
fi

./asr_llm.sh \
  --train_set "${train_set}" \
  --valid_set "${valid_set}" \
  --test_sets "${test_sets}" \
  --token_types "${token_types}" \
  --llm "${llm}" \
  --score_corpus "${score_corpus}" \
  --model_config "conf/model/${scale}.yaml" \
  --scale "${scale}" \
  "${driver_args[@]}" "$@"
