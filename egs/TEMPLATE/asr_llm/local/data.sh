#!/usr/bin/env bash
# Stage 1 of a new recipe: write Kaldi data dirs data/<set>/{wav.scp,text,utt2spk,spk2utt[,segments]}
# for the train, valid and test sets named in run.sh. See egs/TEMPLATE/asr_llm/README.md.
set -euo pipefail
echo "$0: write the data preparation of this corpus here (see egs/TEMPLATE/asr_llm/README.md)" >&2
exit 1
