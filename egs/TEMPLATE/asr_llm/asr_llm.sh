#!/usr/bin/env bash
# The shared stage driver of every asrllm recipe (recipes symlink it; run.sh sets the corpus
# variables and calls it once). Numbered, resumable stages:
#    1 data preparation (local/data.sh)      9 iterative asynchronous SFT (IA-SFT)
#    2 speed perturbation                   10 joint SFT
#    3 audio formatting (pipes, segments)   11 decoding
#    4 filtering + noisy/non-speech copies  12 scoring
#    5 features + global CMVN statistics    13 entropy-allocation analysis
#    6 labels (phones, char/BPE) + LLM check 14 hallucination evaluation
#    7 encoder pre-training                 15 model packing/export
#    8 alignment (adapter only)
# Each stage writes a .done marker (data stages 1-6: <dumpdir>/.stages/, experiment stages
# 7-15: <exp>/.stages/) only after its outputs are complete; a marker records the stage's
# options, resolved configs and input-file hashes. Re-running skips finished stages; a stage
# whose options, configs or inputs changed since it ran stops and names the change (re-run
# it with --force true). --skip_train skips stages 2 and 7-10; --skip_eval skips 11-14.
#
# Usage: ./asr_llm.sh --train_set train --valid_set dev --test_sets "test" [options]
set -euo pipefail

log() {
  local fname=${BASH_SOURCE[1]##*/}
  echo -e "$(date '+%Y-%m-%dT%H:%M:%S') (${fname}:${BASH_LINENO[0]}:${FUNCNAME[1]}) $*" >&2
}
die() { log "ERROR: $*"; exit 1; }

# General
stage=1              # first stage to run
stop_stage=15        # last stage to run
skip_train=false     # skip stages 2 and 7-10
skip_eval=false      # skip stages 11-14
force=false          # re-run stages in range even when their .done marker is current
expdir=exp           # where experiment folders go
exp=                 # experiment folder (default: <expdir>/asr_llm_<paradigm>)
paradigm=entropy     # entropy | conventional (AED) | conventional_ctc | projector_only | single_stage
nj=4                 # parallel jobs for data stages
inference_nj=4       # parallel jobs for decoding
ngpu=0               # GPUs per node for training
num_nodes=1          # nodes for training
python=python3       # interpreter (path.sh puts tools/venv first on PATH)

# Data
local_data_opts=     # options passed to local/data.sh
datadir=data         # where local/data.sh writes the data dirs
dumpdir=dump         # formatted audio, filtered dirs, features
train_set=           # training data dir name
valid_set=           # validation data dir name
test_sets=           # evaluation data dir names (space separated)
noisy_test_sets=     # test sets that also get a noisy copy <set>_noisy in stage 4 (every utterance
                     # padded and noised like the training copies), decoded and scored as test sets
data_config=conf/data.yaml   # audio, filtering, features, augmentation, batching, speed perturbation

# Labels and LLM
lang_config=conf/lang.yaml      # phone lexicon / G2P options
prompt_config=conf/prompt.yaml  # LLM prompt template
token_types=phone               # label sets stage 6 prepares: phone char bpe
bpe_size=500                    # vocabulary of the BPE label set
llm=                            # LLM: local Hugging Face folder (or hub id with --allow_download)
allow_download=false            # allow fetching the LLM from the hub

# Training (stages 7-10)
model_config=                   # model size config, e.g. ../../../conf/model/single_gpu.yaml
scale=                          # training settings of a scale: the top-level conf/scale/<scale>.yaml (paper, single_gpu, toy)
scale_config=                   # or any such file (overrides --scale)
train_config_dir=conf/train     # stage configs: pretrain_phone|pretrain_aed|pretrain_char|align|align_long|iasft|joint|joint_single.yaml
init_encoder=                   # start from this encoder (snapshot .pt or model folder): stage 7 is skipped
train_seed=                     # every training stage's seed (train.seed; empty: the stage configs'), e.g.
                                # one experiment folder per seed: --train_seed 2 --expdir exp/seed2
torchrun_opts=--standalone      # torchrun rendezvous options when ngpu > 1 or num_nodes > 1
train_threads=                  # CPU threads per training process (--num-threads of run.pl/slurm.pl; empty: OMP_NUM_THREADS)

# Evaluation (stages 11-15)
decode_config=conf/decode.yaml  # decoding settings (search, length limit, repetition guard)
decode_model=                   # model folder to decode and pack (default: the last trained stage's final/)
streaming=false                 # stages 11-12 (and 14) chunk by chunk (decode.yaml `streaming:`), into
                                # decode_<stage>_streaming/ with markers of their own: offline results stay
score_corpus=                   # scoring defaults for every test set: aishell wenetspeech librispeech gigaspeech mini_en mini_zh
scoring=                        # per-set exceptions, "set=corpus ..."
analysis_config=conf/analysis.yaml  # stage 13 probes and evaluation subset
analysis_sets=                  # data dirs the analysis probes (default: the validation set)
nonspeech_set=nonspeech         # non-speech test set made in stage 11 for stage 14 ("" = none)
nonspeech_opts="--num-per-kind 20"  # options of asrllm.bin.make_nonspeech_sets
pack_opts=                      # options of asrllm.bin.pack_model, e.g. --merge-lora

_driver_args=("$@")
. utils/parse_options.sh

[ $# -eq 0 ] || die "unexpected arguments: $* (see $0 --help)"
[ -n "$train_set" ] || die "--train_set is required"
[ -n "$valid_set" ] || die "--valid_set is required"
for opt in stage stop_stage; do
  [[ "${!opt}" =~ ^[0-9]+$ ]] && [ "${!opt}" -ge 1 ] && [ "${!opt}" -le 15 ] \
    || die "--${opt} must be a stage number from 1 to 15 (got '${!opt}')"
done
[ "$stop_stage" -ge "$stage" ] || die "--stop_stage ${stop_stage} is before --stage ${stage}: no stage to run"
for t in $noisy_test_sets; do
  case " $test_sets " in *" $t "*) ;; *) die "--noisy_test_sets: '$t' is not one of --test_sets ($test_sets)" ;; esac
done
[ -n "$exp" ] || exp=${expdir}/asr_llm_${paradigm}
. ./path.sh
if [ -z "$scale_config" ] && [ -n "$scale" ]; then
  scale_config=${MAIN_ROOT}/conf/scale/${scale}.yaml
  [ -f "$scale_config" ] || die "--scale ${scale}: no ${scale_config} (one of: $(cd "${MAIN_ROOT}/conf/scale" && ls | sed 's/\.yaml$//' | tr '\n' ' '))"
fi
# the paradigm's stage configs for stages 7-10 (asrllm/recipe/paradigms.py; "-": skipped)
paradigms=$(${python} -m asrllm.bin.paradigm_plan --list) || die "cannot list the paradigms (see above)"
case " $paradigms " in *" $paradigm "*) ;;
  *) die "--paradigm must be one of: ${paradigms// /, } (got '$paradigm')" ;;
esac
read -r -a plan <<< "$(${python} -m asrllm.bin.paradigm_plan "$paradigm")"
for i in 0 1 2 3; do [ "${plan[$i]}" != - ] || plan[$i]=""; done
. ./cmd.sh

data_marks=${dumpdir}/.stages
exp_marks=${exp}/.stages

# ------------------------------------------------------------------------------------------
# Locks (flock on <dir>/.lock; the descriptors are inherited, so a trainer orphaned by a killed
# driver keeps holding them and a new run cannot write beside it):
#   <exp>      exclusive for the whole run: one driver per experiment folder;
#   <dumpdir>  shared while the run reads data and features, exclusive while one of stages 1-6
#              writes there (it also covers <datadir>, which those stages write): a data stage
#              cannot rewrite what another experiment is training on.
# A lock that is taken fails at once and names its holder.
# ------------------------------------------------------------------------------------------
# take_lock DIR FD_VAR MODE(-s|-x): take DIR's lock in MODE on the descriptor named by FD_VAR
take_lock() {
  local dir=$1 var=$2 mode=$3 fd
  if [ -z "${!var:-}" ]; then
    mkdir -p "$dir"
    exec {fd}>>"${dir}/.lock"
    printf -v "$var" '%s' "$fd"
  fi
  flock -n "$mode" "${!var}" \
    || die "${dir} is in use: its lock ${dir}/.lock is held by $(${python} -m asrllm.bin.lock_holders "${dir}/.lock")"
}
exp_lock_fd= dump_lock_fd= dump_lock_mode=-s

# A driver stopped by TERM, INT or HUP stops the training launcher it waits on (run.pl then stops
# its jobs): `kill <driver pid>` leaves no trainer behind. Background subshells set it again.
launchers=()
on_stop() {
  local p
  for p in "${launchers[@]}" ${pretrain_pid:-}; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  die "stopped by a signal"
}
trap on_stop TERM INT HUP
take_lock "$exp" exp_lock_fd -x
take_lock "$dumpdir" dump_lock_fd -s
# The driver's own arguments, saved for the record and as a replay script.
{
  echo "#!/usr/bin/env bash"
  echo "# $(date '+%Y-%m-%dT%H:%M:%S'): the driver call that last used this experiment folder"
  echo "cd $(printf '%q' "$PWD")"
  printf '%q ' "$0" "${_driver_args[@]}"; echo
} > "${exp}/driver_run.sh.tmp" && mv "${exp}/driver_run.sh.tmp" "${exp}/driver_run.sh"

# ------------------------------------------------------------------------------------------
# Stage bookkeeping
# ------------------------------------------------------------------------------------------
stage_names=(_ data_prep speed_perturb format_audio filter features labels
             pretrain align iasft joint_sft decode score analysis hallucination pack)

# in_range N: is stage N selected by --stage/--stop_stage and the skip options?
in_range() {
  local n=$1
  [ "$n" -ge "$stage" ] && [ "$n" -le "$stop_stage" ] || return 1
  if [ "$skip_train" = true ] && { [ "$n" -eq 2 ] || { [ "$n" -ge 7 ] && [ "$n" -le 10 ]; }; }; then
    return 1
  fi
  if [ "$skip_eval" = true ] && [ "$n" -ge 11 ] && [ "$n" -le 14 ]; then return 1; fi
  return 0
}

marker_of() { local n=$1; [ "$n" -le 6 ] && echo "${data_marks}/stage${n}.${stage_names[$n]}.done" \
                                         || echo "${exp_marks}/stage${n}.${stage_names[$n]}.done"; }

# begin_stage N ARGS...: decide whether stage N runs. ARGS are marker arguments
# (--setting k=v, --config F, --input F). Returns 0 to run, 1 to skip; stops on a stale marker.
begin_stage() {
  local n=$1; shift
  in_range "$n" || return 1
  stage_args=(--marker "$(marker_of "$n")" --stage "$n ${stage_names[$n]}" "$@")
  stage_t0=$(date +%s)
  local verdict rc=0
  # checked before --force removes anything: a stage whose configs cannot be read keeps its marker
  verdict=$(${python} -m asrllm.bin.stage_marker check "${stage_args[@]}") || rc=$?
  if [ $rc -ne 0 ] && [ $rc -ne 3 ]; then
    die "stage $n (${stage_names[$n]}): cannot check its marker (see the error above)"
  fi
  if [ "$n" -le 6 ] && [ "$dump_lock_mode" = -s ] && { [ "$force" = true ] || [ "$verdict" = run ]; }; then
    take_lock "$dumpdir" dump_lock_fd -x  # this run now writes the data dirs
    dump_lock_mode=-x
  fi
  if [ "$force" = true ]; then
    log "stage $n (${stage_names[$n]}): forced re-run"
    rm -f "$(marker_of "$n")"
    return 0
  fi
  if [ $rc -eq 3 ]; then
    log "stage $n (${stage_names[$n]}) ran before with other inputs or settings:"
    while IFS= read -r line; do log "    $line"; done <<< "$verdict"
    die "stage $n (${stage_names[$n]}): refusing to reuse stale outputs; re-run with --force true --stage $n"
  fi
  if [ "$verdict" = skip ]; then
    log "stage $n (${stage_names[$n]}): already done, skipping ($(marker_of "$n"))"
    return 1
  fi
  log "stage $n (${stage_names[$n]}): start"
  return 0
}

# end_stage N: outputs are complete, write the marker with the arguments begin_stage saw.
end_stage() {
  local n=$1
  ${python} -m asrllm.bin.stage_marker done "${stage_args[@]}"
  # wall time of the run that completed the stage (RESULTS.md, "Stage wall times")
  local secs=$(( $(date +%s) - stage_t0 )) times=${exp}/stage_times.tsv
  [ -f "$times" ] || printf 'date\tstage\tname\tseconds\n' > "$times"
  printf '%s\t%s\t%s\t%s\n' "$(date '+%Y-%m-%dT%H:%M:%S')" "$n" "${stage_names[$n]}" "$secs" >> "$times"
  log "stage $n (${stage_names[$n]}): done in ${secs} s"
}

# write_replay DIR CMD...: the exact command of a training/decoding stage, as DIR/run.sh.
write_replay() {
  local dir=$1; shift
  mkdir -p "$dir"
  { echo "#!/usr/bin/env bash"; echo "# replays this stage; written $(date '+%Y-%m-%dT%H:%M:%S')"
    echo "cd $(printf '%q' "$PWD") && . ./path.sh"; printf '%q ' "$@"; echo; } > "$dir/run.sh.tmp"
  chmod +x "$dir/run.sh.tmp" && mv "$dir/run.sh.tmp" "$dir/run.sh"
}

# data_files DIR: the index files of a data dir that exist (marker inputs).
data_files() {
  local f
  for f in wav.scp segments text utt2spk utt2dur reco2dur; do
    [ -f "$1/$f" ] && printf -- '--input\n%s\n' "$1/$f"
  done
  return 0
}

# The label sets of --token_types: lang dir and label table per unit (asrllm/lang/naming.py's rule)
# (phone is always named: stage 13 aligns with it)
label_sets=$(${python} -m asrllm.bin.label_sets --units "phone ${token_types}" --bpe-size "$bpe_size") \
  || die "--token_types '${token_types}': see the error above (label sets: phone, char, bpe)"
declare -A lang_dir_of label_table_of
while read -r unit lang table; do
  lang_dir_of[$unit]=${datadir}/${lang}; label_table_of[$unit]=$table
done <<< "$label_sets"
# label_table_names: the label files stage 6 writes into each data dir (text.phone text.char text.bpe_N)
label_table_names() {
  local t
  for t in $token_types; do echo "${label_table_of[$t]}"; done
}

# consumed_files DIR...: what a training or evaluation stage reads of data dirs made by stages
# 4-6 (index files, features, label tables), as marker inputs
consumed_files() {
  local d f
  for d in "$@"; do
    data_files "$d"
    for f in feats.scp utt2num_frames $(label_table_names); do
      [ -f "$d/$f" ] && printf -- '--input\n%s\n' "$d/$f"
    done
  done
  return 0
}

# ------------------------------------------------------------------------------------------
# Data sets
# ------------------------------------------------------------------------------------------
# what the data config asks of the data stages (asrllm.bin.data_plan): stage 2's speed factors (none when
# speed_perturb.online), stage 4's training-set parts and the files they read besides the training set,
# whether stage 5 dumps features
data_plan=$(${python} -m asrllm.bin.data_plan --config "$data_config") \
  || die "cannot read ${data_config} (see the error above)"
sp_factors= aug_parts= aug_inputs= dump_fbank=
while read -r key values; do
  case $key in
    speed_factors) sp_factors=$values ;;
    augment_parts) aug_parts=$values ;;
    augment_inputs) aug_inputs=$values ;;
    dump_fbank) dump_fbank=$values ;;
  esac
done <<< "$data_plan"
if [ -n "$(echo "$sp_factors" | tr ' ' '\n' | grep -vx '1\(\.0*\)\?')" ]; then
  train_sp=${train_set}_sp
else
  train_sp=$train_set
fi
eval_sets=$(printf '%s\n' $valid_set $test_sets | awk '!seen[$0]++' | xargs)  # dev may be a test set too
# Parts of the training set stage 4 writes as audio (asrllm/augment/offline.py): "noisy" copies when
# features are dumped and noise is on, "nonspeech" clips with empty transcripts (nonspeech_train).
# With any, the filtered clean set is <dumpdir>/augment/<train>/clean and <dumpdir>/filtered/<train>
# is clean + parts (utils/combine_data.sh); every later stage reads that combined set.
aug_dir=${dumpdir}/augment/${train_sp}
if [ -n "$aug_parts" ]; then clean_train=${aug_dir}/clean; else clean_train=${dumpdir}/filtered/${train_sp}; fi

# ------------------------------------------------------------------------------------------
# Stages
# ------------------------------------------------------------------------------------------
if begin_stage 1 --setting "local_data_opts=${local_data_opts}" --input local/data.sh \
     --setting "datadir=${datadir}" --setting "sets=${train_set} ${eval_sets}"; then
  # shellcheck disable=SC2086
  local/data.sh ${local_data_opts}
  for d in $train_set $eval_sets; do
    utils/validate_data_dir.sh --no-feats "${datadir}/$d" || die "local/data.sh left an invalid ${datadir}/$d"
  done
  end_stage 1
fi

mapfile -t _in < <(data_files "${datadir}/${train_set}")
if [ "$train_sp" = "$train_set" ]; then
  if in_range 2; then log "stage 2 (speed_perturb): no factors other than 1.0, nothing to do"; fi
elif begin_stage 2 --setting "speed_perturb_factors=${sp_factors}" "${_in[@]}"; then
  parts=()
  for f in $sp_factors; do
    if [ "$f" = 1.0 ] || [ "$f" = 1 ]; then
      parts+=("${datadir}/${train_set}")
    else
      utils/perturb_data_dir_speed.sh "$f" "${datadir}/${train_set}" "${datadir}/${train_set}_sp${f}"
      parts+=("${datadir}/${train_set}_sp${f}")
    fi
  done
  utils/combine_data.sh "${datadir}/${train_sp}" "${parts[@]}"
  utils/validate_data_dir.sh --no-feats "${datadir}/${train_sp}"
  end_stage 2
fi

_in=(); for d in $train_sp $eval_sets; do mapfile -t -O "${#_in[@]}" _in < <(data_files "${datadir}/$d"); done
if begin_stage 3 --config "$data_config" "${_in[@]}"; then
  for d in $train_sp $eval_sets; do
    ${python} -m asrllm.bin.format_audio --in-dir "${datadir}/$d" --out-dir "${dumpdir}/raw/$d" \
      --config "$data_config" --nj "$nj" --cmd "$train_cmd"
  done
  end_stage 3
fi

_in=(); for d in $train_sp $eval_sets; do mapfile -t -O "${#_in[@]}" _in < <(data_files "${dumpdir}/raw/$d"); done
for f in $aug_inputs; do _in+=(--input "$f"); done
noisy_setting=(); [ -z "$noisy_test_sets" ] || noisy_setting=(--setting "noisy_test_sets=${noisy_test_sets}")
if begin_stage 4 --config "$data_config" --setting "train_set=${train_sp}" "${noisy_setting[@]}" "${_in[@]}"; then
  ${python} -m asrllm.bin.filter_data --in-dir "${dumpdir}/raw/${train_sp}" --out-dir "$clean_train" \
    --config "$data_config"
  if [ -n "$aug_parts" ]; then
    ${python} -m asrllm.bin.augment_train --in-dir "$clean_train" --out-dir "$aug_dir" --config "$data_config" \
      --nj "$nj" --cmd "$train_cmd"
    parts=("$clean_train")
    for p in $aug_parts; do [ -f "${aug_dir}/$p/wav.scp" ] && parts+=("${aug_dir}/$p"); done
    rm -rf "${dumpdir}/filtered/${train_sp}"  # an earlier run's tables (features, labels) must not survive
    utils/combine_data.sh "${dumpdir}/filtered/${train_sp}" "${parts[@]}"
  else
    rm -rf "$aug_dir"
  fi
  for d in $eval_sets; do
    ${python} -m asrllm.bin.filter_data --in-dir "${dumpdir}/raw/$d" --out-dir "${dumpdir}/filtered/$d" \
      --config "$data_config" --no-filter
  done
  for t in $noisy_test_sets; do
    ${python} -m asrllm.bin.make_noisy_test_set --in-dir "${dumpdir}/raw/$t" --out-dir "${dumpdir}/filtered/${t}_noisy" \
      --config "$data_config" --nj "$nj" --cmd "$train_cmd"
  done
  end_stage 4
fi
# from here on the noisy copies are evaluation and test sets like the others
for t in $noisy_test_sets; do eval_sets+=" ${t}_noisy"; test_sets+=" ${t}_noisy"; done

_in=(); for d in $train_sp $eval_sets; do mapfile -t -O "${#_in[@]}" _in < <(data_files "${dumpdir}/filtered/$d"); done
if begin_stage 5 --config "$data_config" "${_in[@]}"; then
  if [ "$dump_fbank" = true ]; then
    for d in $train_sp $eval_sets; do
      ${python} -m asrllm.bin.compute_fbank --data-dir "${dumpdir}/filtered/$d" \
        --out-dir "${dumpdir}/fbank/$d" --config "$data_config" --nj "$nj" --cmd "$train_cmd"
    done
  else
    log "feats_type raw: features are computed on the fly; only CMVN statistics here"
  fi
  ${python} -m asrllm.bin.compute_cmvn --data-dir "${dumpdir}/filtered/${train_sp}" \
    --config "$data_config" --out "${dumpdir}/global_cmvn.json"
  end_stage 5
fi

if begin_stage 6 --config "$lang_config" --config "$prompt_config" --setting "token_types=${token_types}" \
     --setting "bpe_size=${bpe_size}" --setting "llm=${llm}" --input "${dumpdir}/filtered/${train_sp}/text"; then
  dirs=(); for d in $train_sp $eval_sets; do dirs+=("${dumpdir}/filtered/$d"); done
  for t in $token_types; do
    extra=(); [ "$t" = bpe ] && extra=(--bpe-size "$bpe_size")
    ${python} -m asrllm.bin.prepare_lang --unit "$t" "${extra[@]}" --config "$lang_config" --nj "$nj" \
      --train-dir "${dumpdir}/filtered/${train_sp}" --lang-dir "${lang_dir_of[$t]}" "${dirs[@]}"
  done
  [ -n "$llm" ] || die "stage 6: no LLM configured: set --llm to a local Hugging Face folder (or a hub id with --allow_download true)"
  dl=(); [ "$allow_download" = true ] && dl=(--allow-download)
  ${python} -m asrllm.bin.check_llm --llm "$llm" "${dl[@]}" --text "${dumpdir}/filtered/${train_sp}/text" \
    --prompt-config "$prompt_config" --out "${datadir}/llm_check.json"
  end_stage 6
fi
if [ "$dump_lock_mode" = -x ]; then  # the data stages are written: other runs may read them again
  flock -s "$dump_lock_fd"
  dump_lock_mode=-s
fi

# ------------------------------------------------------------------------------------------
# Training: which stage config each paradigm runs in stages 7-10 (empty: skipped)
# ------------------------------------------------------------------------------------------
[ -z "$init_encoder" ] || plan[0]=""
stage_dirs=(pretrain align iasft joint)
lang_args=()
for t in $token_types; do lang_args+=(--lang "$t=${lang_dir_of[$t]}"); done
# What every training stage consumes from stages 5-6: their markers (by recorded state), the
# unit lists, the CMVN statistics and the train/valid dirs' index files, features and labels.
# A re-run of stage 6 with other units therefore makes stages 7-10 stale instead of "done".
train_in=(--input "$(marker_of 5)" --input "$(marker_of 6)" --input "${dumpdir}/global_cmvn.json")
for a in "${lang_args[@]}"; do [ "$a" = --lang ] || train_in+=(--input "${a#*=}/units.txt"); done
mapfile -t -O "${#train_in[@]}" train_in < <(consumed_files "${dumpdir}/filtered/${train_sp}" "${dumpdir}/filtered/${valid_set}")

# previous_final I: the final model of the last stage before index I that this paradigm ran
previous_final() {
  local i
  for ((i = $1 - 1; i >= 0; i--)); do
    [ -n "${plan[$i]}" ] && { echo "${exp}/${stage_dirs[$i]}/final"; return; }
  done
  return 0
}

run_train() {  # run_train N: train stage N with its planned config
  local n=$1 i=$(( $1 - 7 )) out cfg prev cmd
  cfg=${train_config_dir}/${plan[$i]}.yaml
  out=${exp}/${stage_dirs[$i]}
  [ -f "$cfg" ] || die "stage $n: stage config $cfg not found"
  cmd=(${python} -m asrllm.bin.train)
  if [ "$ngpu" -gt 1 ] || [ "$num_nodes" -gt 1 ]; then
    # shellcheck disable=SC2206
    cmd=(torchrun --nnodes "$num_nodes" --nproc_per_node "$ngpu" ${torchrun_opts} -m asrllm.bin.train)
  fi
  cmd+=(--config "$cfg" --model-config "$model_config" --data-config "$data_config"
        --train-dir "${dumpdir}/filtered/${train_sp}" --valid-dir "${dumpdir}/filtered/${valid_set}"
        --cmvn "${dumpdir}/global_cmvn.json" "${lang_args[@]}" --out-dir "$out")
  [ -z "$llm" ] || cmd+=(--llm "$llm")
  [ -z "$scale_config" ] || cmd+=(--scale-config "$scale_config")
  [ -z "$train_seed" ] || cmd+=(--seed "$train_seed")
  [ "$allow_download" = true ] && cmd+=(--allow-download)
  prev=$(previous_final "$i")
  if [ -n "$prev" ]; then cmd+=(--init-model "$prev")
  elif [ -n "$init_encoder" ]; then cmd+=(--init-encoder "$init_encoder"); fi
  # entropy: alignment starts from the first CKA trigger, IA-SFT hot-swaps the later ones
  if [ "$paradigm" = entropy ] && [ -f "${exp}/pretrain/swaps.json" ] && [ "$i" -ge 1 ] && [ "$i" -le 2 ]; then
    cmd+=(--swaps "${exp}/pretrain/swaps.json")
  fi
  # a forced re-run starts from scratch; otherwise an interrupted run resumes from its checkpoints
  if [ "$force" = true ]; then rm -rf "$out"; fi
  mkdir -p "$out"
  write_replay "$out" "${cmd[@]}"
  log "stage $n (${stage_names[$n]}): ${plan[$i]} -> $out (log: $out/train.log)"
  local threads=(); [ -z "$train_threads" ] || threads=(--num-threads "$train_threads")
  # one pre-quoted command string: the launcher runs it as written, so a path with shell
  # metacharacters stays a path (utils/README.md, "run.pl, slurm.pl")
  # in the background and waited on, so that a signal to the driver reaches on_stop at once
  ${cuda_cmd} --gpu "$ngpu" "${threads[@]}" "$out/train.log" "$(printf '%q ' "${cmd[@]}")" &
  launchers+=($!)
  wait "$!" || die "stage $n (${stage_names[$n]}): training failed; see $out/train.log"
}

# stage_info CONFIG KEY: one value of a stage config as training reads it (asrllm.bin.stage_info:
# labels = the CTC head its loss reads, swap_mode)
stage_info() {
  local out
  out=$(${python} -m asrllm.bin.stage_info "$1") \
    || die "cannot read the stage config $1 (see the error above)"
  awk -v k="$2" '$1 == k { $1 = ""; sub(/^ /, ""); print }' <<< "$out"
}

# IA-SFT swap.mode concurrent (entropy paradigm): pre-training runs in the background, alignment
# starts at its first CKA trigger and IA-SFT picks up later snapshots as they appear.
concurrent=false
if [ "$paradigm" = entropy ] && [ -n "${plan[0]}" ] && in_range 7 && in_range 9 \
   && [ "$(stage_info "${train_config_dir}/iasft.yaml" swap_mode)" = concurrent ]; then
  concurrent=true
fi
pretrain_pid=

# wait_for_trigger: block until pre-training's swaps.json lists a snapshot (or pre-training ended)
wait_for_trigger() {
  local swaps=${exp}/pretrain/swaps.json
  log "concurrent IA-SFT: waiting for the first CKA-triggered snapshot in $swaps"
  local rc
  while :; do
    rc=0; ${python} -m asrllm.bin.swaps ready "$swaps" || rc=$?
    [ "$rc" -eq 0 ] && return 0
    [ "$rc" -eq 2 ] || die "concurrent IA-SFT: cannot read $swaps (see above)"
    if ! kill -0 "$pretrain_pid" 2>/dev/null; then
      wait "$pretrain_pid" || die "stage 7 (pretrain) failed; see ${exp}/pretrain/train.log"
      return 0
    fi
    sleep 5
  done
}

# a run without --train_seed keeps the markers it had before the option existed
seed_setting=(); [ -z "$train_seed" ] || seed_setting=(--setting "train_seed=${train_seed}")
for n in 7 8 9 10; do
  i=$(( n - 7 ))
  if [ -z "${plan[$i]}" ]; then
    if in_range "$n" && [ "$n" -eq 7 ] && [ -n "$init_encoder" ]; then
      log "stage 7 (pretrain): skipped, the encoder comes from --init_encoder ${init_encoder}"
    elif in_range "$n"; then
      log "stage $n (${stage_names[$n]}): not part of the ${paradigm} paradigm, skipped"
    fi
    continue
  fi
  if in_range "$n" && [ ! -f "${train_config_dir}/${plan[$i]}.yaml" ]; then
    die "stage $n (${stage_names[$n]}): stage config ${train_config_dir}/${plan[$i]}.yaml not found (--train_config_dir)"
  fi
  # the label set a stage's loss reads (its ctc_head: phone, char or bpe; conventional's AED decoder
  # shares its CTC head's) must be one stage 6 prepared, or training would fail at its start
  if in_range "$n"; then
    head=$(stage_info "${train_config_dir}/${plan[$i]}.yaml" labels)
    if [ -n "$head" ] && [[ " ${lang_args[*]} " != *" ${head}="* ]]; then
      die "stage $n (${stage_names[$n]}): ${plan[$i]}.yaml trains on the '${head}' label set, which --token_types '${token_types}' does not prepare (add ${head})"
    fi
  fi
  if in_range "$n" && [ -z "$model_config" ]; then
    die "stage $n (${stage_names[$n]}): --model_config is not set (e.g. ../../../conf/model/single_gpu.yaml)"
  fi
  for f in "$model_config" "$scale_config"; do
    if in_range "$n" && [ -n "$f" ] && [ ! -f "$f" ]; then
      die "stage $n (${stage_names[$n]}): $f not found (--model_config / --scale_config)"
    fi
  done
  prev_marker=()
  for ((j = i - 1; j >= 0; j--)); do
    if [ -n "${plan[$j]}" ]; then prev_marker=(--input "$(marker_of $(( j + 7 )))"); break; fi
  done
  # concurrent: stages 8-9 start before stage 7 has finished, so its marker is not their input
  if [ "$concurrent" = true ] && [ "$n" -le 9 ]; then prev_marker=(); fi
  scale_in=()
  [ -z "$scale_config" ] || scale_in=(--config "$scale_config")
  if begin_stage "$n" --config "${train_config_dir}/${plan[$i]}.yaml" --config "$model_config" "${scale_in[@]}" \
       --config "$data_config" --setting "paradigm=${paradigm}" --setting "llm=${llm}" \
       --setting "init_encoder=${init_encoder}" "${seed_setting[@]}" "${train_in[@]}" "${prev_marker[@]}"; then
    if [ "$concurrent" = true ] && [ "$n" -eq 7 ]; then
      ( trap on_stop TERM INT HUP; run_train 7 && end_stage 7 ) &
      pretrain_pid=$!
      wait_for_trigger
      continue
    fi
    run_train "$n"
    end_stage "$n"
  fi
  if [ "$n" -eq 9 ] && [ -n "$pretrain_pid" ]; then
    wait "$pretrain_pid" || die "stage 7 (pretrain) failed; see ${exp}/pretrain/train.log"
    pretrain_pid=
  fi
done

# ------------------------------------------------------------------------------------------
# Stages 11-12: decoding and scoring of the test sets (+ the non-speech set for stage 14)
# ------------------------------------------------------------------------------------------
decode_model_dir=$decode_model
if [ -z "$decode_model_dir" ]; then
  for ((i = 3; i >= 0; i--)); do [ -n "${plan[$i]}" ] && { decode_model_dir=${exp}/${stage_dirs[$i]}/final; break; }; done
fi
decode_dir=${exp}/decode_$(basename "$(dirname "$decode_model_dir")")
stream_args=()
if [ "$streaming" = true ]; then
  decode_dir=${decode_dir}_streaming stream_args=(--streaming)
  stage_names[11]=decode_streaming stage_names[12]=score_streaming stage_names[14]=hallucination_streaming
fi
# the marker of the training stage that made the decoded model (none for a given --decode_model)
model_marker=()
if [ -z "$decode_model" ]; then
  for ((i = 3; i >= 0; i--)); do [ -n "${plan[$i]}" ] && { model_marker=(--input "$(marker_of $(( i + 7 )))"); break; }; done
fi
test_dirs=(); for t in $test_sets; do test_dirs+=("${dumpdir}/filtered/$t"); done
mapfile -t test_in < <(consumed_files "${test_dirs[@]}")
# The non-speech set is made per experiment (under its lock), not in <datadir>: experiments that
# share a data dir may decode at the same time. Its seed makes it the same set for each of them.
nonspeech_dir=${exp}/data/${nonspeech_set}
score_corpus_of() { local p; for p in $scoring; do [ "${p%%=*}" = "$1" ] && { echo "${p#*=}"; return; }; done; echo "$score_corpus"; }

if begin_stage 11 --config "$decode_config" --config "$data_config" --input "${decode_model_dir}/speech.pt" \
     --setting "decode_model=${decode_model_dir}" --setting "test_sets=${test_sets}" \
     --setting "nonspeech=${nonspeech_set} ${nonspeech_opts}" "${model_marker[@]}" --input "$(marker_of 6)" \
     --input "${dumpdir}/global_cmvn.json" "${test_in[@]}"; then
  [ -f "${decode_model_dir}/speech.pt" ] || die "stage 11 (decode): no model to decode at ${decode_model_dir}"
  pairs=(); for t in $test_sets; do pairs+=(--data-dir "${dumpdir}/filtered/$t" --out-dir "${decode_dir}/$t"); done
  if [ -n "$nonspeech_set" ]; then
    # shellcheck disable=SC2086
    ${python} -m asrllm.bin.make_nonspeech_sets --train-dir "$clean_train" \
      --out-dir "$nonspeech_dir" --data-config "$data_config" ${nonspeech_opts}
    pairs+=(--data-dir "$nonspeech_dir" --out-dir "${decode_dir}/${nonspeech_set}")
  fi
  cmd=(${python} -m asrllm.bin.decode --model-dir "$decode_model_dir" --data-config "$data_config"
       --cmvn "${dumpdir}/global_cmvn.json" --decode-config "$decode_config" --nj "$inference_nj"
       --cmd "$decode_cmd" "${stream_args[@]}" "${pairs[@]}")
  write_replay "$decode_dir" "${cmd[@]}"
  "${cmd[@]}" || die "stage 11 (decode): decoding failed; see ${decode_dir}/log"
  end_stage 11
fi

if begin_stage 12 --input "$(marker_of 11)" --setting "scoring=${scoring}" --setting "score_corpus=${score_corpus}" \
     "${test_in[@]}"; then
  for t in $test_sets; do
    corpus=$(score_corpus_of "$t")
    [ -n "$corpus" ] || die "stage 12 (score): no scoring rule for $t: set --score_corpus (or --scoring \"$t=...\")"
    ${python} -m asrllm.bin.score --ref "${dumpdir}/filtered/$t/text" --hyp "${decode_dir}/$t/text" \
      --corpus "$corpus" --out "${decode_dir}/$t/score"
    for hyp in "${decode_dir}/$t"/text.ctc_*; do
      [ -e "$hyp" ] || continue
      head=${hyp##*/text.ctc_}
      ref=${dumpdir}/filtered/$t/${label_table_of[$head]:-text.$head}
      [ -f "$ref" ] || { log "stage 12: no ${ref}; CTC ${head} diagnostic not scored"; continue; }
      ${python} -m asrllm.bin.score --ref "$ref" --hyp "$hyp" --unit word --normalizer none \
        --out "${decode_dir}/$t/score_ctc_${head}"
    done
  done
  ${python} -m asrllm.bin.make_results "$exp"
  end_stage 12
fi

# ------------------------------------------------------------------------------------------
# Stage 13: entropy-allocation analysis of every paradigm's stage models found under <expdir>
# ------------------------------------------------------------------------------------------
a_sets=${analysis_sets:-$valid_set}
a_out=${exp}/analysis/$(echo "$a_sets" | tr ' ' '+')
exps=(); a_in=()
for p in $paradigms; do
  e=${expdir}/asr_llm_${p}
  [ "$p" = "$paradigm" ] && e=$exp
  [ -d "$e" ] || continue
  exps+=("${p}=${e}")
  for m in "$e"/.stages/stage{7,8,9,10}.*.done; do [ -f "$m" ] && a_in+=(--input "$m"); done
done
a_dirs=(); for d in $a_sets; do a_dirs+=("${dumpdir}/filtered/$d"); done
mapfile -t -O "${#a_in[@]}" a_in < <(consumed_files "${a_dirs[@]}")
if begin_stage 13 --config "$analysis_config" --setting "analysis_sets=${a_sets}" "${a_in[@]}" \
     --input "$(marker_of 6)" --input "${dumpdir}/global_cmvn.json" --input "${lang_dir_of[phone]}/units.txt"; then
  [ -n "${exps[*]}" ] || die "stage 13 (analysis): no trained experiment under ${expdir}"
  ${python} -m asrllm.bin.analyze --exps "${exps[@]}" --data-dir "${a_dirs[@]}" --data-config "$data_config" \
    --cmvn "${dumpdir}/global_cmvn.json" --lang-dir "${lang_dir_of[phone]}" --config "$analysis_config" \
    --out-dir "$a_out"
  ${python} -m asrllm.bin.make_results "$exp"
  end_stage 13
fi

# ------------------------------------------------------------------------------------------
# Stages 14-15: hallucination measures, packing
# ------------------------------------------------------------------------------------------
if begin_stage 14 --input "$(marker_of 12)" --setting "nonspeech=${nonspeech_set}"; then
  ${python} -m asrllm.bin.hallucination --decode-dir "$decode_dir" --test-sets "$test_sets" \
    --nonspeech-sets "$nonspeech_set" --out "${decode_dir}/hallucination.json"
  ${python} -m asrllm.bin.make_results "$exp"
  end_stage 14
fi

if begin_stage 15 --input "${decode_model_dir}/speech.pt" --config "$data_config" --config "$decode_config" \
     --setting "pack_opts=${pack_opts}" "${model_marker[@]}" --input "${dumpdir}/global_cmvn.json"; then
  results=(); [ -f "${exp}/RESULTS.md" ] && results=(--results "${exp}/RESULTS.md")
  # shellcheck disable=SC2086
  ${python} -m asrllm.bin.pack_model --model-dir "$decode_model_dir" --data-config "$data_config" \
    --cmvn "${dumpdir}/global_cmvn.json" --decode-config "$decode_config" "${results[@]}" \
    --out-dir "${exp}/packed" ${pack_opts}
  log "packed model: ${exp}/packed (python -m asrllm.bin.transcribe --model-dir ${exp}/packed audio.wav)"
  end_stage 15
fi
log "finished stages ${stage}-${stop_stage} (experiment folder: ${exp})"
