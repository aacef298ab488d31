#!/usr/bin/env bash
# WenetSpeech (10,000 h of Mandarin from the web) with the entropy-allocation recipe.
#   ./run.sh                        every stage at paper scale on train_l (Qwen3-1.7B, ~0.6B Conformer; --ngpu 8)
#   ./run.sh --train_subset M       another training subset: L (10k h), M (1k h), S (100 h), W (weak labels)
#   ./run.sh --scale single_gpu     one GPU: ~120M Conformer, Qwen3-1.7B with LoRA
# The corpus needs a licence and its own download tool: set WENETSPEECH (db.sh) to its folder.
# Every other option goes to the shared driver (./asr_llm.sh --help). See README.md.
set -euo pipefail

train_subset=L   # WenetSpeech subset label of the training set: L | M | S | W
scale=paper      # paper | single_gpu: conf/model/<scale>.yaml and the shared conf/scale/<scale>.yaml
declare -a driver_args=()  # every other option: the shared driver's (./asr_llm.sh --help)
. utils/parse_options.sh
case "$train_subset" in L|M|S|W) ;; *) echo "$0: --train_subset takes L, M, S or W, got '$train_subset'" >&2; exit 1 ;; esac

train_set=train_$(echo "${train_subset}" | tr '[:upper:]' '[:lower:]')
valid_set=dev
test_sets="dev test_net test_meeting"
llm=downloads/Qwen3-1.7B     # local Hugging Face folder of Qwen/Qwen3-1.7B (README.md, "LLM")
token_types="phone char"     # phone CTC (entropy) and characters (conventional: AED + CTC; conventional_ctc: CTC)
score_corpus=wenetspeech         # stage 12: mixed error rate (CJK characters + other words), WenetSpeech normaliser (asrllm.bin.score --corpus wenetspeech)

./asr_llm.sh \
  --train_set "${train_set}" \
  --valid_set "${valid_set}" \
  --test_sets "${test_sets}" \
  --local_data_opts "--train_subset ${train_subset}" \
  --token_types "${token_types}" \
  --llm "${llm}" \
  --score_corpus "${score_corpus}" \
  --model_config "conf/model/${scale}.yaml" \
  --scale "${scale}" \
  "${driver_args[@]}" "$@"
