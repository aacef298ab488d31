#!/usr/bin/env bash
# The paper's claims in miniature: train the conventional (AED pre-training), projector_only and
# single_stage paradigms on the entropy run's data and budget, then compare all four (accuracy,
# encoder CTC, NSE/PAI/CSAI, CKA to the pre-trained encoder, hallucination, updates and wall time) in
# <expdir>/paradigm_comparison.md. Decisions (README.md, "Paradigm comparison"):
#  - same data dirs, features, LLM, model and data configs; stage configs from --train_config_dir;
#  - the same number of LLM-side updates for every paradigm, from conf/train_demo/budget/
#    (conventional's joint SFT gets IA-SFT's updates too; projector_only's long alignment
#    the updates of alignment + IA-SFT + joint; single_stage everything in one stage);
#  - conventional pre-trains as long as entropy, at its learning rate; the character-CTC ablation
#    conventional_ctc is not in the default list (--paradigms "conventional conventional_ctc ...");
#  - projector_only starts from the entropy run's pre-trained phone encoder (--init_encoder): its
#    stage 7 is the same config, data and seed, so re-training it would only repeat those steps
#    (an experiment that already pre-trained its own encoder keeps it);
#  - stage 13 is re-run in the entropy experiment, so that one analysis covers every paradigm.
#   local/compare_paradigms.sh                  demo size (after ./run.sh)
#   local/compare_paradigms.sh --smoke true     toy size (exp_smoke/, part of make test)
set -euo pipefail

log() {
  local fname=${BASH_SOURCE[1]##*/}
  echo -e "$(date '+%Y-%m-%dT%H:%M:%S') (${fname}:${BASH_LINENO[0]}:${FUNCNAME[1]}) $*" >&2
}

smoke=false                                            # compare the smoke-size experiments
paradigms="conventional projector_only single_stage"   # trained here; entropy comes from ./run.sh
budget_config_dir=          # their stage configs (empty: conf/train_demo/budget; smoke conf/train_smoke)

. utils/parse_options.sh
[ $# -eq 0 ] || { echo "$0: unexpected arguments: $* (see $0 --help)" >&2; exit 1; }
. ./path.sh

if [ "$smoke" = true ]; then expdir=exp_smoke; budget=conf/train_smoke; else expdir=exp; budget=conf/train_demo/budget; fi
[ -z "$budget_config_dir" ] || budget=$budget_config_dir
entropy_exp=${expdir}/asr_llm_entropy

log "entropy paradigm: ./run.sh (finished stages are skipped)"
# up to stage 12: its stage 13 covers every paradigm under the expdir, so once another paradigm has
# trained it is stale until the forced re-run below (a resumed comparison would stop on it)
./run.sh --smoke "$smoke" --stop_stage 12

for p in $paradigms; do
  # stage 13 is left to the shared analysis below (it covers every paradigm, see above)
  opts=(--smoke "$smoke" --paradigm "$p" --stage 7 --stop_stage 12 --train_config_dir "$budget")
  case "$p" in
    projector_only)  # unless it pre-trained its own encoder before
      [ -d "${expdir}/asr_llm_projector_only/pretrain" ] || opts+=(--init_encoder "${entropy_exp}/pretrain/final") ;;
    conventional|conventional_ctc|single_stage) ;;
    *) echo "$0: --paradigms: unknown paradigm '$p' (conventional conventional_ctc projector_only single_stage)" >&2
       exit 1 ;;
  esac
  log "paradigm ${p}: ./run.sh ${opts[*]}"
  ./run.sh "${opts[@]}"
done

log "stage 13 again in ${entropy_exp}, now over every paradigm"
./run.sh --smoke "$smoke" --stage 13 --stop_stage 13 --force true
./run.sh --smoke "$smoke" --stage 14 --stop_stage 14
for p in $paradigms; do ./run.sh --smoke "$smoke" --paradigm "$p" --stage 14 --stop_stage 14 --train_config_dir "$budget"; done

exps=(entropy="$entropy_exp"); for p in $paradigms; do exps+=("${p}=${expdir}/asr_llm_${p}"); done
python3 -m asrllm.bin.compare_paradigms --exps "${exps[@]}" --out "${expdir}/paradigm_comparison.md" \
  --json "${expdir}/paradigm_comparison.json"
log "done: ${expdir}/paradigm_comparison.md"
