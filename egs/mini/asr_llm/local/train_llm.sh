#!/usr/bin/env bash
# Train the mini recipe's text LLM: its own byte-level BPE tokenizer and a small Qwen3-architecture
# causal LM, on text only (README.md, "Text LM"). Training text: <datadir>/local/lm_text/train.txt
# (written by local/data.sh); every sentence of the dev and test data dirs is removed from it, and
# the dev sentences give the held-out perplexity (<llm_dir>/metrics.json). The result is a Hugging
# Face folder that the recipe uses like Qwen3-1.7B (--llm <llm_dir>). Skipped when <llm_dir> was
# built from the same config, prompt and texts. At demo size the recipe ships that folder trained
# (pretrained/text_lm, README.md there): it is copied instead of trained when it was built from the
# same inputs, and trained anew (with a warning) when the corpus or the config has changed.
set -euo pipefail

log() {
  local fname=${BASH_SOURCE[1]##*/}
  echo -e "$(date '+%Y-%m-%dT%H:%M:%S') (${fname}:${BASH_LINENO[0]}:${FUNCNAME[1]}) $*" >&2
}

smoke=false                   # toy LLM (conf/text_lm_smoke.yaml)
datadir=data                  # data dirs written by local/data.sh
llm_dir=                      # output folder (empty: <datadir>/text_lm)
text_lm_config=               # text LM config (empty: conf/text_lm.yaml; smoke conf/text_lm_smoke.yaml)
prompt_config=conf/prompt.yaml  # the ASR prompt the sentences are trained in (if the file exists)
lang_config=conf/lang.yaml    # phone options of the speech-slot reading task (text LM config reading:)
text=                         # training sentences (empty: <datadir>/local/lm_text/train.txt)
dev_set=dev                   # data dir whose sentences give the held-out perplexity
eval_sets="dev test_en test_zh test_en_unseen test_zh_unseen"  # data dirs excluded from training
pretrained=auto               # folder to copy when built from the same inputs (auto: pretrained/text_lm
                              # at demo size, none in a smoke run; none: always train)
require_pretrained=false      # true: fail instead of training when <pretrained> is stale

. utils/parse_options.sh
[ $# -eq 0 ] || { echo "$0: unexpected arguments: $* (see $0 --help)" >&2; exit 1; }
. ./path.sh

[ -n "$llm_dir" ] || llm_dir=${datadir}/text_lm
[ -n "$text" ] || text=${datadir}/local/lm_text/train.txt
if [ -z "$text_lm_config" ]; then
  if [ "$smoke" = true ]; then text_lm_config=conf/text_lm_smoke.yaml; else text_lm_config=conf/text_lm.yaml; fi
fi
[ -f "$text" ] || { log "ERROR: no training text $text (run local/data.sh first)"; exit 1; }

# Plain sentences of the evaluation data dirs (Kaldi text minus the utterance id).
work=${datadir}/local/lm_text
mkdir -p "$work"
for d in $eval_sets; do
  [ -f "${datadir}/$d/text" ] || { log "ERROR: ${datadir}/$d/text is missing"; exit 1; }
  cut -d' ' -f2- "${datadir}/$d/text"
done > "${work}/exclude.txt.tmp"
mv "${work}/exclude.txt.tmp" "${work}/exclude.txt"
cut -d' ' -f2- "${datadir}/${dev_set}/text" > "${work}/dev.txt.tmp" && mv "${work}/dev.txt.tmp" "${work}/dev.txt"

if [ "$pretrained" = auto ]; then
  if [ "$smoke" = true ]; then pretrained=none; else pretrained=pretrained/text_lm; fi
fi
pretrained_opts=()
[ "$pretrained" = none ] || pretrained_opts=(--pretrained "$pretrained")
[ "$require_pretrained" = false ] || pretrained_opts+=(--require-pretrained)

prompt_opts=()
if [ -f "$prompt_config" ]; then
  prompt_opts=(--prompt-config "$prompt_config")
else
  log "no ${prompt_config}: training in the method's default prompt"
fi

log "text LLM ${llm_dir} (config ${text_lm_config}, pre-trained folder: ${pretrained})"
python -m asrllm.bin.train_text_lm --text "$text" --dev-text "${work}/dev.txt" --lang-config "$lang_config" \
  --exclude "${work}/exclude.txt" --config "$text_lm_config" --out-dir "$llm_dir" "${prompt_opts[@]}" \
  "${pretrained_opts[@]}"
