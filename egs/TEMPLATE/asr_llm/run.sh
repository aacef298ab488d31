#!/usr/bin/env bash
# A new recipe: set the corpus variables and call the shared driver (./asr_llm.sh --help).
set -euo pipefail

train_set=train
valid_set=dev
test_sets="test"
token_types="phone char"  # phone CTC (entropy) and characters (the conventional paradigms' pre-training)

./asr_llm.sh \
  --train_set "${train_set}" \
  --valid_set "${valid_set}" \
  --test_sets "${test_sets}" \
  --token_types "${token_types}" \
  "$@"
