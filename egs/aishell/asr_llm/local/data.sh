#!/usr/bin/env bash
# Stage 1 of the AISHELL-1 recipe: the release under ${AISHELL} (db.sh) -> Kaldi data dirs
# <datadir>/{train,dev,test} (python -m asrllm.bin.prepare_corpus aishell). Rules (README.md):
# split from the path, speaker = the wav's folder, only utterances with both audio and a
# transcript line, spaces removed from the text. Drops are listed in <datadir>/local/aishell/.
set -euo pipefail

log() {
  local fname=${BASH_SOURCE[1]##*/}
  echo -e "$(date '+%Y-%m-%dT%H:%M:%S') (${fname}:${BASH_LINENO[0]}:${FUNCNAME[1]}) $*" >&2
}

datadir=data          # where the data dirs go
sets="train dev test" # data dirs to write (spaces or commas)
sort_buffer=256M      # memory for `sort -S` (tables are sorted on disk)
validate=false        # also run validate_data_dir's checks here (the driver runs them after stage 1)

. ./db.sh
. utils/parse_options.sh
[ $# -eq 0 ] || { echo "$0: unexpected arguments: $* (see $0 --help)" >&2; exit 1; }
. ./path.sh
extra=(); [ "${validate}" = true ] || extra+=(--no-validate)

[ -n "${AISHELL}" ] || { log "ERROR: AISHELL is not set (db.sh or the environment)"; exit 1; }
log "preparing AISHELL-1 from ${AISHELL} into ${datadir}"
# shellcheck disable=SC2086
python -m asrllm.bin.prepare_corpus aishell --root "${AISHELL}" --datadir "${datadir}" --sets ${sets//,/ } \
  --sort-buffer "${sort_buffer}" "${extra[@]}"
log "done: ${datadir}/{${sets// /,}}"
