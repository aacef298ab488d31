#!/usr/bin/env bash
# LibriSpeech (OpenSLR 12, 960 h of English read speech) with the entropy-allocation recipe.
#   ./run.sh                              every stage at paper scale (Qwen3-1.7B, ~0.6B Conformer; --ngpu 8)
#   ./run.sh --download true              first fetch and unpack the corpus into ${LIBRISPEECH} (db.sh)
#   ./run.sh --train_set train_clean_100  a smaller training set (also train_clean_460, train_clean_360, ...)
#   ./run.sh --scale single_gpu           one GPU: ~120M Conformer, Qwen3-1.7B with LoRA
# Every other option goes to the shared driver (./asr_llm.sh --help), e.g. --stage 3 --stop_stage 6,
# --llm /path/to/Qwen3-1.7B, --paradigm conventional. See README.md.
set -euo pipefail

download=false   # run local/download.sh (the parts the chosen sets need) before the driver
scale=paper      # paper | single_gpu: conf/model/<scale>.yaml and the shared conf/scale/<scale>.yaml
train_set=train_960
declare -a driver_args=()  # every other option: the shared driver's (./asr_llm.sh --help)
. utils/parse_options.sh

valid_set=dev                # dev_clean + dev_other
test_sets="dev_clean dev_other test_clean test_other"
llm=downloads/Qwen3-1.7B     # local Hugging Face folder of Qwen/Qwen3-1.7B (README.md, "LLM")
token_types="phone char"     # phone CTC (entropy) and characters (conventional: AED + CTC; conventional_ctc: CTC)
score_corpus=librispeech         # stage 12: WER over words, English normaliser (asrllm.bin.score --corpus librispeech)

sets="${train_set} ${valid_set} ${test_sets}"
if [ "$download" = true ]; then
  local/download.sh --sets "${sets}"
fi

./asr_llm.sh \
  --train_set "${train_set}" \
  --valid_set "${valid_set}" \
  --test_sets "${test_sets}" \
  --local_data_opts "--sets ${sets// /,}" \
  --token_types "${token_types}" \
  --llm "${llm}" \
  --score_corpus "${score_corpus}" \
  --model_config "conf/model/${scale}.yaml" \
  --scale "${scale}" \
  "${driver_args[@]}" "$@"
