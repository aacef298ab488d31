#!/usr/bin/env bash
# subset_data_dir.sh [--first N | --last N | --random N [--seed S] | --utt-list F | --spk-list F] <src> <dest>
# Copy some utterances of a data dir (also Kaldi's order: [--first|--last] <src> <N> <dest>), all tables consistent.
# Same interface as Kaldi's utils/subset_data_dir.sh; see utils/README.md (code: asrllm/kaldi/subset.py).
root=$(dirname "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")")
PYTHONPATH=$root${PYTHONPATH:+:$PYTHONPATH} exec "${PYTHON:-python3}" -m asrllm.kaldi.subset "$@"
