#!/usr/bin/env bash
# Set up everything asrllm needs on this machine:
#   1. Debian packages from tools/apt-packages.txt (apt-get when root, else stop and name them);
#   2. the Python environment tools/venv with every dependency pinned.
# Re-running is cheap: the venv is rebuilt only when a requirement file changed
# (the stamp tools/venv/.install-stamp holds a hash of them).
#
# Options (environment): PYTHON (interpreter that creates the venv, default python3),
#                        ASRLLM_SKIP_APT=1 (do not touch system packages).
set -euo pipefail

tools=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$tools")
venv=$tools/venv
python=${PYTHON:-python3}
log() { echo "$(date '+%Y-%m-%dT%H:%M:%S') (install.sh:${BASH_LINENO[0]}) $*" >&2; }

# ---- 1. system packages -------------------------------------------------------------
if [ "${ASRLLM_SKIP_APT:-0}" != 1 ]; then
  mapfile -t wanted < <(grep -v '^\s*#' "$tools/apt-packages.txt" | grep -v '^\s*$')
  missing=()
  for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      log "installing Debian packages: ${missing[*]}"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
      log "ERROR: missing system packages: ${missing[*]}"
      log "install them (e.g. sudo apt-get install ${missing[*]}) and re-run, or set ASRLLM_SKIP_APT=1"
      exit 1
    fi
  fi
fi

# ---- 2. python environment -----------------------------------------------------------
stamp_of() {
  cat "$tools/constraints.txt" "$tools/requirements.txt" "$tools/requirements-nodeps.txt" \
      "$root/pyproject.toml" "$tools/install.sh" | sha256sum | cut -d' ' -f1
}
want=$(stamp_of)
if [ -x "$venv/bin/python" ] && [ "$(cat "$venv/.install-stamp" 2>/dev/null)" = "$want" ]; then
  log "tools/venv is up to date"
  exit 0
fi

"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { log "ERROR: $python is older than Python 3.11"; exit 1; }
rm -f "$venv/.install-stamp"
[ -x "$venv/bin/python" ] || { log "creating $venv"; "$python" -m venv "$venv"; }
pip=("$venv/bin/python" -m pip --disable-pip-version-check -q)
export PIP_CONSTRAINT=$tools/constraints.txt   # applies to every pip call below
log "installing pinned requirements (torch from $tools/constraints.txt)"
"${pip[@]}" install --upgrade "pip>=24"
"${pip[@]}" install -c "$tools/constraints.txt" torch==2.13.0
"${pip[@]}" install -c "$tools/constraints.txt" -r "$tools/requirements.txt"
# espnet pins setuptools<74 while torch 2.13 needs >=77: install it without its deps
# (we import only its encoder/CTC/SpecAugment modules, whose needs are listed above).
"${pip[@]}" install -c "$tools/constraints.txt" --no-deps -r "$tools/requirements-nodeps.txt" 2>&1 \
  | grep -v "dependency conflicts\|setuptools\|^ *$" || true
"${pip[@]}" install -c "$tools/constraints.txt" --no-deps -e "$root"
"$venv/bin/python" -c "import torch, transformers, espnet2, asrllm" \
  || { log "ERROR: the environment does not import; see the messages above"; exit 1; }
echo "$want" > "$venv/.install-stamp"
log "tools/venv ready: $("$venv/bin/python" -c 'import torch; print("torch", torch.__version__)')"
