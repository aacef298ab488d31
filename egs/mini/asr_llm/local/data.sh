#!/usr/bin/env bash
# Stage 1 of the mini recipe: synthesise the bilingual corpus (English + Mandarin, espeak-ng and
# flite voices; see README.md, "Corpus") into Kaldi data dirs
#   <datadir>/{train,dev,test_en,test_zh,test_en_unseen,test_zh_unseen}
# and the noise corpus <datadir>/noise (conf/data.yaml noise.noise_dir), then train the tiny text LLM
# on the training sentences (local/train_llm.sh; README "Text LM").
# Deterministic from --seed; audio is cached under --cache_dir, so a re-run only redoes what changed.
#   local/data.sh                      demo size (3000 training utterances, about a minute)
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
num_train=                         # training utterances per language (empty: 1500; smoke 30)
num_dev=                           # dev utterances per language (empty: 100; smoke 5)
num_test=                          # utterances per test set (empty: 200; smoke 8)
nj=2                               # parallel synthesis jobs
num_noise=                         # noise recordings per kind in <datadir>/noise (empty: 20; smoke 2)
noise_seed=101                     # the noise corpus' draws (the hallucination test set uses seed 0)
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

# The noise corpus of the noisy training copies, MUSAN-like: babble (4-8 overlapped training
# utterances: training voices, training sentences, which no dev or test set speaks) and as many
# recordings of each synthesized kind (white/pink/brown noise, tones, chords). Decision: babble is
# recordings in a noise_dir, as Kaldi and ESPnet users get it (MUSAN speech, noise_scp), not a new
# synthetic kind; the mix of kinds is the share of recordings of each, and the loader and stage 4
# read the dir the same way. Its own seed keeps its audio apart from stage 11's non-speech test set.
[ -n "$num_noise" ] || { [ "$smoke" = true ] && num_noise=2 || num_noise=20; }
log "making the noise corpus ${datadir}/noise (${num_noise} recordings per kind)"
python -m asrllm.bin.make_nonspeech_sets --train-dir "${datadir}/train" --out-dir "${datadir}/noise" \
  --kinds white pink brown tone chord babble --num-per-kind "$num_noise" --min-duration 2 --max-duration 8 \
  --seed "$noise_seed"

if [ "$train_llm" = true ]; then
  llm_opts=(--smoke "$smoke" --datadir "$datadir")
  [ -z "$llm_dir" ] || llm_opts+=(--llm_dir "$llm_dir")
  [ -z "$text_lm_config" ] || llm_opts+=(--text_lm_config "$text_lm_config")
  local/train_llm.sh "${llm_opts[@]}"
fi
log "done: ${datadir}/{train,dev,test_en,test_zh,test_en_unseen,test_zh_unseen,noise}"
