#!/usr/bin/env bash
# perturb_data_dir_speed.sh <factor> <src> <dest>
# Speed-perturbed copy through sox pipes in wav.scp; ids get the prefix sp<factor>-; the result is validated.
# Same interface as Kaldi's utils/perturb_data_dir_speed.sh; see utils/README.md (code: asrllm/kaldi/speed_perturb.py).
root=$(dirname "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")")
PYTHONPATH=$root${PYTHONPATH:+:$PYTHONPATH} exec "${PYTHON:-python3}" -m asrllm.kaldi.speed_perturb "$@"
