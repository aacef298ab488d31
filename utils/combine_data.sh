#!/usr/bin/env bash
# combine_data.sh [--extra-files "<names>"] <dest> <src1> <src2> ...
# Merge data dirs; fails on an utterance id in two sources; a file only some sources have is left out with a warning.
# Same interface as Kaldi's utils/combine_data.sh; see utils/README.md (code: asrllm/kaldi/combine.py).
root=$(dirname "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")")
PYTHONPATH=$root${PYTHONPATH:+:$PYTHONPATH} exec "${PYTHON:-python3}" -m asrllm.kaldi.combine "$@"
