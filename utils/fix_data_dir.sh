#!/usr/bin/env bash
# fix_data_dir.sh [--utt-extra-files "<names>"] <data-dir>
# Sort tables, drop duplicates and utterances some table lacks; originals and dropped ids go to <data-dir>/.backup/.
# Same interface as Kaldi's utils/fix_data_dir.sh; see utils/README.md (code: asrllm/kaldi/fix.py).
root=$(dirname "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")")
PYTHONPATH=$root${PYTHONPATH:+:$PYTHONPATH} exec "${PYTHON:-python3}" -m asrllm.kaldi.fix "$@"
