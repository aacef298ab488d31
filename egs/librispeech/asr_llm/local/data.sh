#!/usr/bin/env bash
# Stage 1 of the LibriSpeech recipe: the release under ${LIBRISPEECH} (db.sh) -> Kaldi data dirs
# (python -m asrllm.bin.prepare_corpus librispeech). A set is a part with underscores (dev_clean,
# train_clean_100, ...) or a combination: train_960 (the three training parts), train_clean_460,
# dev (dev_clean + dev_other). Speaker = <reader>-<chapter>; text as given (upper case);
# spk2gender from SPEAKERS.TXT. Drops are listed in <datadir>/local/librispeech/.
set -euo pipefail

log() {
  local fname=${BASH_SOURCE[1]##*/}
  echo -e "$(date '+%Y-%m-%dT%H:%M:%S') (${fname}:${BASH_LINENO[0]}:${FUNCNAME[1]}) $*" >&2
}

datadir=data          # where the data dirs go
sets="train_960 dev dev_clean dev_other test_clean test_other"  # data dirs to write (spaces or commas)
sort_buffer=256M      # memory for `sort -S` (tables are sorted on disk)
validate=false        # also run validate_data_dir's checks here (the driver runs them after stage 1)

. ./db.sh
. utils/parse_options.sh
[ $# -eq 0 ] || { echo "$0: unexpected arguments: $* (see $0 --help)" >&2; exit 1; }
. ./path.sh
extra=(); [ "${validate}" = true ] || extra+=(--no-validate)

[ -n "${LIBRISPEECH}" ] || { log "ERROR: LIBRISPEECH is not set (db.sh or the environment)"; exit 1; }
# commas allowed (local_data_opts cannot carry spaces); a set named twice is written once
sets=$(echo "${sets}" | tr ', ' '\n\n' | awk 'NF && !seen[$0]++' | tr '\n' ' ')
log "preparing LibriSpeech from ${LIBRISPEECH} into ${datadir}: ${sets}"
# shellcheck disable=SC2086
python -m asrllm.bin.prepare_corpus librispeech --root "${LIBRISPEECH}" --datadir "${datadir}" \
  --sets ${sets} --sort-buffer "${sort_buffer}" "${extra[@]}"
log "done"
