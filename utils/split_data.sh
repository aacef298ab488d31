#!/usr/bin/env bash
# split_data.sh [--per-utt] <data-dir> <N>
# Split into <data-dir>/split<N>/{1..N} by speaker (split<N>utt with --per-utt); a no-op when the split is newer than the source.
# Same interface as Kaldi's utils/split_data.sh; see utils/README.md (code: asrllm/kaldi/split.py).
root=$(dirname "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")")
PYTHONPATH=$root${PYTHONPATH:+:$PYTHONPATH} exec "${PYTHON:-python3}" -m asrllm.kaldi.split "$@"
