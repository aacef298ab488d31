#!/usr/bin/env bash
# Fetch and unpack LibriSpeech (OpenSLR 12) into ${LIBRISPEECH} (db.sh): one <part>.tar.gz per
# part, unpacked to LibriSpeech/<part>/. Resumable (HTTP Range), sha256-verified against
# local/checksums.txt, and skipped for a part that is already unpacked. All seven parts are about
# 60 GB; --sets fetches only the parts those data dirs need.
set -euo pipefail

dest=                                           # target folder (empty: ${LIBRISPEECH} from db.sh)
base_url=https://www.openslr.org/resources/12   # or a mirror: https://openslr.elda.org/resources/12 ...
sets="train_960 dev_clean dev_other test_clean test_other"  # data dirs whose parts to fetch
checksums=local/checksums.txt                   # <sha256>  <archive> lines
retries=3                                       # automatic resumes after an interrupted transfer

. ./db.sh
. utils/parse_options.sh
[ $# -eq 0 ] || { echo "$0: unexpected arguments: $* (see $0 --help)" >&2; exit 1; }
. ./path.sh

dest=${dest:-${LIBRISPEECH}}
[ -n "${dest}" ] || { echo "$0: no destination: set LIBRISPEECH (db.sh) or --dest" >&2; exit 1; }
archives=()
for s in ${sets}; do
  case "$s" in
    train_960) parts="train-clean-100 train-clean-360 train-other-500" ;;
    train_clean_460) parts="train-clean-100 train-clean-360" ;;
    dev) parts="dev-clean dev-other" ;;
    *) parts=${s//_/-} ;;
  esac
  for p in $parts; do
    [[ " ${archives[*]} " == *" ${p}.tar.gz "* ]] || archives+=("${p}.tar.gz")
  done
done
python -m asrllm.bin.download_corpus --corpus librispeech --dest "${dest}" --base-url "${base_url}" \
  --archives "${archives[@]}" --checksums "${checksums}" --retries "${retries}"
