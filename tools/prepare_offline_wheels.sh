#!/usr/bin/env bash
# Prepare asrllm for a GPU machine that has its own Python, torch and transformers but no
# package registry (a common cluster situation). Run here, where pip reaches PyPI:
#
#   tools/prepare_offline_wheels.sh [--python-version 3.12] [--exclude "torch transformers ..."] [--out tools/wheels]
#
# It downloads, for that Python and manylinux x86_64, the wheels of every package of the tested
# environment (tools/venv, see `pip freeze`) except the excluded ones (the machine's own torch,
# transformers and CUDA packages), builds pure-Python wheels for packages published only as
# source, and builds the asrllm wheel itself. On the GPU machine:
#
#   python3 -m pip install --no-index --no-deps --upgrade --target <dir> tools/wheels/*.whl   (or into a venv)
set -euo pipefail

py_version=3.12
exclude="torch transformers triton tokenizers huggingface-hub safetensors"
out=tools/wheels
while [ $# -gt 0 ]; do
  case "$1" in
    --python-version) py_version=$2; shift 2 ;;
    --exclude) exclude=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "$0: unknown option $1" >&2; exit 1 ;;
  esac
done
root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
venv_py=$root/tools/venv/bin/python
[ -x "$venv_py" ] || { echo "$0: run 'make install' first (the tested environment defines the versions)" >&2; exit 1; }
mkdir -p "$out"
pyv=${py_version/./}
platforms=()
for n in 17 27 28 31 34 35; do platforms+=(--platform "manylinux_2_${n}_x86_64"); done
platforms+=(--platform manylinux2014_x86_64 --platform manylinux1_x86_64 --platform any)

skip_re="^($(echo "$exclude" | tr ' ' '|' | tr 'A-Z_' 'a-z-'))==|^nvidia-|^asrllm|^-e "
mapfile -t pins < <("$venv_py" -m pip freeze --exclude-editable 2>/dev/null \
  | sed 's/+cpu//' | awk '{print tolower($0)}' | tr '_' '-' | grep -Ev "$skip_re" | grep '==')
echo "downloading ${#pins[@]} packages for CPython ${py_version} into $out" >&2
failed=()
for pin in "${pins[@]}"; do
  if ! "$venv_py" -m pip download -q --no-deps --only-binary=:all: --python-version "$py_version" \
        --implementation cp --abi "cp${pyv}" --abi abi3 --abi none "${platforms[@]}" -d "$out" "$pin" 2>/dev/null; then
    # published as source only: build a wheel here (fine for pure-Python packages)
    "$venv_py" -m pip wheel -q --no-deps -w "$out" "$pin" 2>/dev/null || failed+=("$pin")
  fi
done
"$venv_py" -m pip wheel -q --no-deps -w "$out" "$root"
if [ ${#failed[@]} -gt 0 ]; then
  echo "$0: could not get wheels for: ${failed[*]}" >&2
  exit 1
fi
echo "wheels in $out ($(ls "$out" | wc -l) files); install there with --no-index --no-deps" >&2
