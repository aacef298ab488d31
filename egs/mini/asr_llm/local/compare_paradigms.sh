#!/usr/bin/env bash
# The paper's claims in miniature: for each seed, train the conventional (AED pre-training) and
# projector_only paradigms (--paradigms: also single_stage, conventional_ctc) on the entropy run's
# data and budget, then compare them with entropy over the seeds (accuracy, encoder CTC,
# NSE/PAI/CSAI, CKA to the pre-trained encoder and at a matched encoder budget, hallucination on
# clean and noisy test sets, updates and wall time) in <expdir>/paradigm_comparison.md, each number
# as mean +- sd. Decisions (README.md, "Paradigm comparison"):
#  - same data dirs, features, LLM, model and data configs; stage configs from --budget_config_dir;
#  - the same number of LLM-side updates for every paradigm, from conf/train_demo/budget/
#    (conventional's joint SFT gets IA-SFT's updates too; projector_only's long alignment
#    the updates of alignment + IA-SFT + joint; single_stage everything in one stage);
#  - conventional pre-trains as long as entropy, at its learning rate; the character-CTC ablation
#    conventional_ctc is not in the default list (--paradigms "conventional conventional_ctc ...");
#  - projector_only starts from the same seed's pre-trained phone encoder (--init_encoder): its
#    stage 7 would be the entropy run's config and data again;
#  - seeds: seed 0 is ./run.sh's own experiment folder (<expdir>/asr_llm_*, the stage configs'
#    train.seed); seed S > 0 trains everything again in <expdir>/seed<S>/ with --train_seed S
#    (initialisation, dropout, data order); the data stages are shared;
#  - stage 13 is re-run in each seed's entropy experiment, so that one analysis covers every paradigm.
#   local/compare_paradigms.sh --jobs 3         demo size (3 seeds at once: about 1 h 30 min on 2 cores)
#   local/compare_paradigms.sh --smoke true     toy size (exp_smoke/, 2 seeds, part of make test)
set -euo pipefail

log() {
  local fname=${BASH_SOURCE[1]##*/}
  echo -e "$(date '+%Y-%m-%dT%H:%M:%S') (${fname}:${BASH_LINENO[0]}:${FUNCNAME[1]}) $*" >&2
}

smoke=false                                            # compare the smoke-size experiments
paradigms="conventional projector_only"   # trained here next to entropy; add single_stage (about
                                           # 25 min a seed on 2 idle cores) where time allows
seeds=                      # seeds to train and average (empty: "0 1 2"; smoke "0 1")
budget_config_dir=          # their stage configs (empty: conf/train_demo/budget; smoke conf/train_smoke)
jobs=1                      # seeds trained at once; with N > 1 each gets 1 thread and 1 decoding job
                            # (on 2 cores two 1-thread jobs keep both busy where one 2-thread job
                            # leaves them partly idle), its log in <expdir>/compare_seed<S>.log

. utils/parse_options.sh
[ $# -eq 0 ] || { echo "$0: unexpected arguments: $* (see $0 --help)" >&2; exit 1; }
. ./path.sh

if [ "$smoke" = true ]; then expdir=exp_smoke; budget=conf/train_smoke; else expdir=exp; budget=conf/train_demo/budget; fi
[ -z "$budget_config_dir" ] || budget=$budget_config_dir
if [ -z "$seeds" ]; then if [ "$smoke" = true ]; then seeds="0 1"; else seeds="0 1 2"; fi; fi
known=$(python3 -m asrllm.bin.paradigm_plan --list)
for p in $paradigms; do
  case " $known " in *" $p "*) [ "$p" != entropy ] || { echo "$0: --paradigms: entropy always runs" >&2; exit 1; } ;;
    *) echo "$0: --paradigms: unknown paradigm '$p' (${known})" >&2; exit 1 ;;
  esac
done

[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || { echo "$0: --jobs must be a positive number, got '$jobs'" >&2; exit 1; }
par=(); [ "$jobs" -eq 1 ] || par=(--train_threads 1 --inference_nj 1 --nj 1)

# run_seed S: every paradigm of seed S, stages 7-14
run_seed() {
  local seed=$1 sdir so entropy_exp p opts
  if [ "$seed" -eq 0 ]; then sdir=$expdir; so=(--smoke "$smoke" "${par[@]}"); else
    sdir=${expdir}/seed${seed}; so=(--smoke "$smoke" --expdir "$sdir" --train_seed "$seed" "${par[@]}"); fi
  entropy_exp=${sdir}/asr_llm_entropy
  log "seed ${seed}, entropy paradigm: ./run.sh ${so[*]} (finished stages are skipped)"
  # up to stage 12: its stage 13 covers every paradigm under the expdir, so once another paradigm has
  # trained it is stale until the forced re-run below (a resumed comparison would stop on it)
  ./run.sh "${so[@]}" --stop_stage 12
  for p in $paradigms; do
    # stage 13 is left to the shared analysis below (it covers every paradigm, see above)
    opts=("${so[@]}" --paradigm "$p" --stage 7 --stop_stage 12 --train_config_dir "$budget")
    if [ "$p" = projector_only ] && [ ! -d "${sdir}/asr_llm_projector_only/pretrain" ]; then
      opts+=(--init_encoder "${entropy_exp}/pretrain/final")  # unless it pre-trained its own encoder before
    fi
    log "seed ${seed}, paradigm ${p}: ./run.sh ${opts[*]}"
    ./run.sh "${opts[@]}"
  done
  log "seed ${seed}: stage 13 again in ${entropy_exp}, now over every paradigm"
  ./run.sh "${so[@]}" --stage 13 --stop_stage 13 --force true
  ./run.sh "${so[@]}" --stage 14 --stop_stage 14
  for p in $paradigms; do ./run.sh "${so[@]}" --paradigm "$p" --stage 14 --stop_stage 14 --train_config_dir "$budget"; done
}

runs=()
for seed in $seeds; do
  [[ "$seed" =~ ^[0-9]+$ ]] || { echo "$0: --seeds: '$seed' is not a number" >&2; exit 1; }
  if [ "$seed" -eq 0 ]; then runs+=("0=${expdir}"); else runs+=("${seed}=${expdir}/seed${seed}"); fi
done
if [ "$jobs" -eq 1 ]; then
  for seed in $seeds; do run_seed "$seed"; done
else
  # the data stages once, before the seeds share them
  ./run.sh --smoke "$smoke" --stop_stage 6
  mkdir -p "$expdir"
  for seed in $seeds; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do sleep 5; done
    log "seed ${seed}: started, log ${expdir}/compare_seed${seed}.log"
    rm -f "${expdir}/.compare_seed${seed}.rc"
    # the seed's exit status goes to a file: a failing seed stops only itself
    ( set +e; ( set -e; run_seed "$seed" ) > "${expdir}/compare_seed${seed}.log" 2>&1
      echo $? > "${expdir}/.compare_seed${seed}.rc" ) &
  done
  wait
  failed=()
  for seed in $seeds; do [ "$(cat "${expdir}/.compare_seed${seed}.rc" 2>/dev/null)" = 0 ] || failed+=("$seed"); done
  [ -z "${failed[*]}" ] || { log "ERROR: seed(s) ${failed[*]} failed: see ${expdir}/compare_seed<S>.log"; exit 1; }
fi

# shellcheck disable=SC2086
python3 -m asrllm.bin.compare_paradigms --runs "${runs[@]}" --paradigms entropy $paradigms \
  --out "${expdir}/paradigm_comparison.md" --json "${expdir}/paradigm_comparison.json"
log "done: ${expdir}/paradigm_comparison.md"
