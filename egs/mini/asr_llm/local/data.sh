#!/usr/bin/env bash
# Stage 1 of the mini recipe: synthesise the bilingual corpus (English + Mandarin, espeak-ng and
# flite voices; see README.md, "Corpus") into Kaldi data dirs
#   <datadir>/{train,dev,test_en,test_zh,test_en_unseen,test_zh_unseen}
# then train the tiny text LLM on the training sentences (local/train_llm.sh; README "Text LM").
# Deterministic from --seed; audio is cached under --cache_dir, so a re-run only redoes what changed.
#   local/data.sh                      demo size (about 10k training utterances, a few minutes)
#   local/data.sh --smoke true --datadir data_smoke   a handful of utterances and a toy LLM
set -euo pipefail

log() {
  local fname=${BASH_SOURCE[1]##*/}
  echo -e "$(date '+%Y-%m-%dT%H:%M:%S') (${fname}:${BASH_LINENO[0]}:${FUNCNAME[1]}) $*" >&2
}

smoke=false                        # toy sizes (and the toy LLM config)
datadir=data                       # where the data dirs go
cache_dir=downloads/mini_corpus/wav  # synthesised audio, shared by every size and seed
seed=1                             # sentence draw, voice assignment, rate/pitch/level draws
num_sentences=                     # distinct sentences per language (empty: 15000; smoke 400)
num_train=                         # training utterances per language (empty: 5000; smoke 30)
num_dev=                           # dev utterances per language (empty: 100; smoke 5)
num_test=                          # utterances per test set (empty: 200; smoke 8)
nj=2                               # parallel synthesis jobs
train_llm=true                     # also train the text LLM (local/train_llm.sh)
llm_dir=                           # where the text LLM goes (empty: <datadir>/text_lm)
text_lm_config=                    # (empty: conf/text_lm.yaml; smoke conf/text_lm_smoke.yaml)

. utils/parse_options.sh
[ $# -eq 0 ] || { echo "$0: unexpected arguments: $* (see $0 --help)" >&2; exit 1; }
. ./path.sh

opts=(--data-dir "$datadir" --cache-dir "$cache_dir" --seed "$seed" --smoke "$smoke" --nj "$nj")
[ -z "$num_sentences" ] || opts+=(--num-sentences "$num_sentences")
[ -z "$num_train" ] || opts+=(--num-train "$num_train")
[ -z "$num_dev" ] || opts+=(--num-dev "$num_dev")
[ -z "$num_test" ] || opts+=(--num-test "$num_test")

log "synthesising the corpus into ${datadir} (audio cache: ${cache_dir})"
python -m asrllm.bin.synth_corpus "${opts[@]}"

for d in train dev test_en test_zh test_en_unseen test_zh_unseen; do
  utils/validate_data_dir.sh --no-feats "${datadir}/$d"
done

if [ "$train_llm" = true ]; then
  llm_opts=(--smoke "$smoke" --datadir "$datadir")
  [ -z "$llm_dir" ] || llm_opts+=(--llm_dir "$llm_dir")
  [ -z "$text_lm_config" ] || llm_opts+=(--text_lm_config "$text_lm_config")
  local/train_llm.sh "${llm_opts[@]}"
fi
log "done: ${datadir}/{train,dev,test_en,test_zh,test_en_unseen,test_zh_unseen}"
