#!/usr/bin/env bash
# Fetch and unpack AISHELL-1 (OpenSLR 33) into ${AISHELL} (db.sh): data_aishell.tgz and
# resource_aishell.tgz, then the per-speaker tarballs in data_aishell/wav/ (each removed once
# unpacked). Resumable (HTTP Range), md5-verified against local/checksums.txt, and skipped for an
# archive that is already unpacked, so re-running is cheap. About 15 GB to download.
set -euo pipefail

dest=                                           # target folder (empty: ${AISHELL} from db.sh)
base_url=https://www.openslr.org/resources/33   # or a mirror: https://openslr.elda.org/resources/33 ...
archives="data_aishell.tgz resource_aishell.tgz"  # archives to fetch
checksums=local/checksums.txt                   # <md5>  <archive> lines
retries=3                                       # automatic resumes after an interrupted transfer

. ./db.sh
. utils/parse_options.sh
[ $# -eq 0 ] || { echo "$0: unexpected arguments: $* (see $0 --help)" >&2; exit 1; }
. ./path.sh

dest=${dest:-${AISHELL}}
[ -n "${dest}" ] || { echo "$0: no destination: set AISHELL (db.sh) or --dest" >&2; exit 1; }
# shellcheck disable=SC2086
python -m asrllm.bin.download_corpus --corpus aishell --dest "${dest}" --base-url "${base_url}" \
  --archives ${archives} --checksums "${checksums}" --retries "${retries}"
