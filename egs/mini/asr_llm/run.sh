#!/usr/bin/env bash
# CPU mini recipe: synthetic bilingual (English + Mandarin) speech through every stage, on a laptop.
#   ./run.sh                 demo size (what `make demo` runs)
#   ./run.sh --smoke true    a handful of utterances and toy models in data_smoke/, dump_smoke/,
#                            exp_smoke/ (part of `make test`)
# Every other option goes to the shared driver: ./asr_llm.sh --help lists them.
set -euo pipefail

smoke=false                # the toy size instead of the demo size
declare -a driver_args=()  # every other option: the shared driver's (./asr_llm.sh --help)
. utils/parse_options.sh

train_set=train
valid_set=dev
test_sets="test_en test_zh test_en_unseen test_zh_unseen"

if [ "$smoke" = true ]; then
  size=(--datadir data_smoke --dumpdir dump_smoke --expdir exp_smoke
        --local_data_opts "--smoke true --datadir data_smoke" --nj 2
        --data_config conf/data_smoke.yaml --llm data_smoke/text_lm
        --model_config conf/model_smoke.yaml --train_config_dir conf/train_smoke
        --analysis_config conf/analysis_smoke.yaml --inference_nj 2
        --nonspeech_opts "--num-per-kind 2 --max-duration 4")
else
  # demo size: 1,500 training sentences per language (x3 with speed perturbation), 200 per test
  # set; 2 threads per training process (an idle 2-core machine); README.md, "Demo"
  size=(--local_data_opts "--datadir data" --nj 2 --inference_nj 2
        --llm data/text_lm --model_config conf/model_demo.yaml --train_config_dir conf/train_demo
        --train_threads 2 --nonspeech_opts "--num-per-kind 10")
fi

./asr_llm.sh \
  --scale toy \
  --train_set "${train_set}" \
  --valid_set "${valid_set}" \
  --test_sets "${test_sets}" \
  --token_types "phone char" \
  --analysis_sets "dev test_en test_zh" \
  --noisy_test_sets "test_en test_zh" \
  --score_corpus mini_en --scoring "test_zh=mini_zh test_zh_unseen=mini_zh test_zh_noisy=mini_zh" \
  "${size[@]}" \
  "${driver_args[@]}" "$@"
