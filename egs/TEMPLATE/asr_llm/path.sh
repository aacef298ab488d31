# Sourced by every recipe script: the project's interpreter and tools on PATH.
MAIN_ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../../.." && pwd)
if [ ! -x "${MAIN_ROOT}/tools/venv/bin/python" ]; then
  echo "path.sh: ${MAIN_ROOT}/tools/venv is missing: run 'make install' in ${MAIN_ROOT}" >&2
  return 1 2>/dev/null || exit 1
fi
export PATH=${MAIN_ROOT}/tools/venv/bin:${MAIN_ROOT}/utils:${PATH}
export PYTHONPATH=${MAIN_ROOT}${PYTHONPATH:+:${PYTHONPATH}}
export LC_ALL=C.UTF-8
export PYTHONIOENCODING=UTF-8
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
export HF_HUB_OFFLINE=${HF_HUB_OFFLINE:-1}
export TRANSFORMERS_OFFLINE=${TRANSFORMERS_OFFLINE:-${HF_HUB_OFFLINE}}
