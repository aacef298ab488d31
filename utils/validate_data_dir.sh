#!/usr/bin/env bash
# validate_data_dir.sh [--no-feats] [--no-text] [--no-wav] [--allow-empty-text] <data-dir>
# Check a data dir; print each problem as <file>:<line>: <message> and exit 1, or a summary and exit 0.
# Same interface as Kaldi's utils/validate_data_dir.sh; see utils/README.md (code: asrllm/kaldi/validate.py).
root=$(dirname "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")")
PYTHONPATH=$root${PYTHONPATH:+:$PYTHONPATH} exec "${PYTHON:-python3}" -m asrllm.kaldi.validate "$@"
