#!/usr/bin/env bash
# One self-contained GPU check of asrllm, for a machine with one NVIDIA GPU, its own python3 with torch
# and transformers, and no network. Run from anywhere; it works in the repository it lives in:
#
#   bash tools/gpu_check.sh [OUT_DIR] [--cpu]          (OUT_DIR default: ./gpu_check_out)
#
# Steps (each timed and logged to OUT_DIR/logs/<step>.log; a failed step does not stop the next ones;
# the exit status is non-zero when any step failed):
#   env             install the wheels of .whl/ that the machine lacks into a private folder (pip
#                   --no-index --no-deps --target; unzip when there is no pip), put it and the repo on
#                   PYTHONPATH; print the GPU, python, torch, transformers and every module the
#                   training path imports
#   bench_joint     asrllm.bin.bench_train_step, paper.yaml + Qwen3-1.7B shapes, stage joint
#                   (everything trains), 8 x 10 s, 2 warmup + 6 timed steps       -> OUT_DIR/joint.json
#   bench_iasft     the same, stage iasft (adapter + LLM; encoder frozen)       -> OUT_DIR/iasft.json
#   bench_pretrain  stage pretrain (encoder + phone CR-CTC head), 16 x 10 s      -> OUT_DIR/pretrain.json
#   train_data      asrllm.testing.train_fixture (synthetic WAVs, tiny Qwen3 + tokenizer, configs), then
#                   the recipe's stage 5: asrllm.bin.compute_fbank and compute_cmvn
#   train_pretrain  torchrun --nproc_per_node 1 -m asrllm.bin.train: toy encoder, CR-CTC + CKA, 6 steps
#   train_joint     the same for joint SFT from the pre-trained encoder, tiny LLM, aux CTC, 6 steps
#   bench_joint_bf16  (only if time is left) stage joint with the LLM's weights in bfloat16 -> joint_bf16.json
# The work folder (data, checkpoints) is /tmp/asrllm_gpu_check (GPU_CHECK_WORK). OUT_DIR ends with at
# most 8 files (what a device run brings back): summary.txt (also printed at the end), steps.tsv, the
# JSON results, and details.tgz with logs/ (the training logs too), pip_list.txt and train_<stage>/ (the
# training runs' small files); `tar xzf details.tgz` there unpacks them (GPU_CHECK_PACK=0: left unpacked).
#
# Wheels: .whl/ (git-ignored: carry it to the machine) holds what the bench and training paths import
# beyond torch, transformers, peft, numpy, scipy, PyYAML, tqdm, tensorboard, matplotlib, sentencepiece,
# tokenizers and safetensors (found by tracing sys.modules of bench_train_step, train_fixture,
# compute_fbank/compute_cmvn and torchrun -m asrllm.bin.train): espnet typeguard kaldiio
# kaldi-native-fbank soundfile soxr (+ humanfriendly torch-complex, cheap insurance for espnet; cffi and
# typing_extensions only where missing or too old), pinned as in tools/requirements*.txt. Made with
#   python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
#     --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 \
#     --platform manylinux2014_x86_64 --platform manylinux1_x86_64 --platform any -d .whl \
#     espnet==202511 typeguard==4.6.1 kaldiio==2.18.1 kaldi-native-fbank==1.23.0 soundfile==0.14.0 \
#     soxr==1.1.0 humanfriendly==10.0 torch-complex==0.4.4 cffi==2.1.1 typing_extensions==4.16.0
#
# --cpu (or GPU_CHECK_CPU=1): the same steps at toy sizes on the CPU (conf/model/toy.yaml, a tiny LLM
# config), to try the script itself. Other knobs: PYTHON (default python3), GPU_CHECK_WHEELS (default
# .whl), GPU_CHECK_SITE (default /tmp/asrllm_site), GPU_CHECK_DEADLINE_S (default 450: steps are cut
# short to end by then, and a step that cannot start before it is skipped).
set -uo pipefail

cpu=false
out=""
for arg in "$@"; do
  case "$arg" in
    --cpu) cpu=true ;;
    -h|--help) sed -n '2,42p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "$0: unknown option $arg" >&2; exit 1 ;;
    *) out=$arg ;;
  esac
done
[ "${GPU_CHECK_CPU:-0}" = 1 ] && cpu=true
out=${out:-./gpu_check_out}
mkdir -p "$out/logs" || exit 1
out=$(cd "$out" && pwd)
repo=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$repo" || exit 1
PY=${PYTHON:-python3}
wheels=${GPU_CHECK_WHEELS:-$repo/.whl}
site=${GPU_CHECK_SITE:-/tmp/asrllm_site}
work=${GPU_CHECK_WORK:-/tmp/asrllm_gpu_check}
deadline=${GPU_CHECK_DEADLINE_S:-450}
start=$(date +%s)
rm -f "$out/steps.tsv"
failed=()

export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
export PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
export PYTHONPATH="$site:$repo${PYTHONPATH:+:$PYTHONPATH}"

elapsed() { echo $(( $(date +%s) - start )); }

# step NAME LIMIT_S [--optional] COMMAND...: run with a time limit, log, record status and seconds
step() {
  local name=$1 limit=$2 optional=false
  shift 2
  if [ "${1:-}" = --optional ]; then optional=true; shift; fi
  local left=$(( deadline - $(elapsed) - 5 ))
  if [ "$left" -lt 30 ]; then
    echo "=== [$name] SKIPPED: $(elapsed) s of the ${deadline} s deadline used"
    printf '%s\t%s\t%s\n' "$name" "skipped (time)" 0 >> "$out/steps.tsv"
    $optional || failed+=("$name")
    return
  fi
  [ "$limit" -gt "$left" ] && limit=$left
  echo "=== [$name] start at $(elapsed) s (limit ${limit} s): $*"
  local t0 rc status
  t0=$(date +%s.%N)
  timeout -k 10 "$limit" "$@" > "$out/logs/$name.log" 2>&1
  rc=$?
  local dt
  dt=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  case $rc in
    0) status=ok ;;
    124|137) status="TIMEOUT after ${limit} s" ;;
    *) status="FAILED (exit $rc)" ;;
  esac
  printf '%s\t%s\t%s\n' "$name" "$status" "$dt" >> "$out/steps.tsv"
  echo "=== [$name] $status in ${dt} s"
  if [ $rc -ne 0 ]; then
    failed+=("$name")
    tail -n 12 "$out/logs/$name.log" | cut -c1-400 | sed 's/^/    | /'
  fi
}

# ---- env: wheels, versions, imports -----------------------------------------------------------
install_wheels() {
  set -e
  rm -rf "$site"
  mkdir -p "$site"
  local list=() w
  for w in "$wheels"/*.whl; do
    [ -f "$w" ] || continue
    case "$(basename "$w")" in
      # often already there (cffi with soundfile's libsndfile binding; typing_extensions with torch):
      # add ours only where the machine has none, or one too old for typeguard 4.6
      cffi-*) "$PY" -c "import _cffi_backend" 2>/dev/null && { echo "have cffi: not installing $w"; continue; } ;;
      typing_extensions-*)
        "$PY" -c "import importlib.metadata as m, sys; v = tuple(int(x) for x in m.version('typing_extensions').split('.')[:2]); sys.exit(v < (4, 14))" 2>/dev/null \
          && { echo "have typing_extensions >= 4.14: not installing $w"; continue; } ;;
    esac
    list+=("$w")
  done
  [ ${#list[@]} -gt 0 ] || { echo "no wheels in $wheels"; return 0; }
  if "$PY" -m pip --version >/dev/null 2>&1; then
    "$PY" -m pip install --no-index --no-deps --disable-pip-version-check --no-compile --target "$site" "${list[@]}"
  else  # a wheel is a zip laid out for site-packages (none of these needs its scripts)
    echo "no pip: unzipping the wheels into $site"
    "$PY" -c "import sys, zipfile; [zipfile.ZipFile(w).extractall(sys.argv[1]) for w in sys.argv[2:]]" "$site" "${list[@]}"
  fi
  ls "$site"
}

env_report() {
  install_wheels || return 1
  set +e
  echo "--- nvidia-smi -L"; nvidia-smi -L 2>&1 || echo "(no nvidia-smi)"
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv 2>&1 | head -3
  echo "--- python: $(command -v "$PY")"
  "$PY" - <<'EOF'
import importlib, importlib.metadata as md, platform, sys
import torch, transformers
print("python", platform.python_version(), "| torch", torch.__version__, "| CUDA", torch.version.cuda,
      "| cudnn", torch.backends.cudnn.version(), "| transformers", transformers.__version__)
print("cuda available:", torch.cuda.is_available(), "| devices:", torch.cuda.device_count())
if torch.cuda.is_available():
    p = torch.cuda.get_device_properties(0)
    print(f"device 0: {p.name}, {p.total_memory / 2**30:.1f} GiB, capability {p.major}.{p.minor}, "
          f"bf16 {torch.cuda.is_bf16_supported()}")
bad = []
for mod, dist in [("espnet2.asr.encoder.conformer_encoder", "espnet"), ("espnet2.asr.ctc", "espnet"),
                  ("espnet2.asr.specaug.specaug", "espnet"), ("typeguard", "typeguard"), ("kaldiio", "kaldiio"),
                  ("kaldi_native_fbank", "kaldi-native-fbank"), ("soundfile", "soundfile"), ("soxr", "soxr"),
                  ("numpy", "numpy"), ("scipy", "scipy"), ("yaml", "PyYAML"), ("tqdm", "tqdm"),
                  ("sentencepiece", "sentencepiece"), ("tokenizers", "tokenizers"), ("safetensors", "safetensors"),
                  ("peft", "peft"), ("tensorboard", "tensorboard"), ("matplotlib", "matplotlib"),
                  ("asrllm.bin.train", None), ("asrllm.bin.bench_train_step", None)]:
    try:
        m = importlib.import_module(mod)
        where = getattr(m, "__file__", "") or ""
        print(f"  ok   {mod:40s} {md.version(dist) if dist else '':12s} {where}")
    except Exception as e:  # noqa: BLE001 - report every missing piece at once
        bad.append(mod)
        print(f"  FAIL {mod:40s} {type(e).__name__}: {e}")
sys.exit(1 if bad else 0)
EOF
  local rc=$?
  "$PY" -m pip list --disable-pip-version-check > "$out/pip_list.txt" 2>&1
  return $rc
}

# ---- benchmarks -------------------------------------------------------------------------------
if $cpu; then
  bench_model=conf/model/toy.yaml bench_scale=conf/scale/toy.yaml
  llm_config=$out/tiny_llm_config
  mkdir -p "$llm_config"
  cat > "$llm_config/config.json" <<'EOF'
{"architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3", "vocab_size": 512, "hidden_size": 64,
 "intermediate_size": 192, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
 "head_dim": 16, "max_position_embeddings": 2048, "tie_word_embeddings": true, "rms_norm_eps": 1e-06}
EOF
  device=cpu; llm_bs=2; llm_secs=2; ctc_bs=2; steps=2; warm=1
else
  bench_model=conf/model/paper.yaml bench_scale=conf/scale/paper.yaml
  llm_config=conf/llm/qwen3-1.7b-config
  device=cuda; llm_bs=8; llm_secs=10; ctc_bs=16; steps=6; warm=2
fi

bench() {  # bench NAME STAGE BATCH [extra args]
  local name=$1 stage=$2 bs=$3
  shift 3
  "$PY" -m asrllm.bin.bench_train_step --model-config "$bench_model" --scale-config "$bench_scale" \
    --llm-config "$llm_config" \
    --stage "$stage" --utt-seconds "$llm_secs" --batch-size "$bs" --tokens-per-utt 40 --steps "$steps" \
    --warmup "$warm" --device "$device" --out "$out/$name.json" "$@"
}

# ---- a real training launch (torchrun, one process) -------------------------------------------
train_data() {
  set -e
  rm -rf "$work"
  "$PY" -m asrllm.testing.train_fixture "$work"
  for d in train dev; do
    "$PY" -m asrllm.bin.compute_fbank --data-dir "$work/data/$d" --out-dir "$work/fbank/$d" \
      --config "$work/conf/data.yaml" --nj 1
  done
  "$PY" -m asrllm.bin.compute_cmvn --data-dir "$work/data/train" --config "$work/conf/data.yaml" \
    --out "$work/global_cmvn.json"
  head -n 3 "$work/data/train/feats.scp" "$work/data/train/utt2num_frames"
}

train_stage() {  # train_stage pretrain|joint
  local stage=$1 extra=()
  [ "$stage" = joint ] && extra=(--init-model "$work/exp/pretrain/final" --llm "$work/llm")
  [ -f "$work/global_cmvn.json" ] || { echo "no $work/global_cmvn.json: train_data failed"; return 1; }
  rm -rf "$work/exp/$stage"
  mkdir -p "$work/exp/$stage"
  "$PY" -m torch.distributed.run --standalone --nproc_per_node 1 -m asrllm.bin.train \
    --config "$work/conf/$stage.yaml" --model-config "$work/conf/model.yaml" \
    --scale-config "$work/conf/scale.yaml" --data-config "$work/conf/data.yaml" \
    --train-dir "$work/data/train" --valid-dir "$work/data/dev" --cmvn "$work/global_cmvn.json" \
    --lang "phone=$work/data/lang_phone" --out-dir "$work/exp/$stage" "${extra[@]}" 2>&1 \
    | tee "$work/exp/$stage/train.log"
  local rc=${PIPESTATUS[0]} f
  mkdir -p "$out/train_$stage"
  for f in config.yaml cka.tsv swaps.json final/config.yaml; do  # the small files, for the record
    [ -f "$work/exp/$stage/$f" ] && cp "$work/exp/$stage/$f" "$out/train_$stage/${f//\//_}"
  done
  (cd "$work/exp/$stage" && ls -lR . > "$out/train_$stage/files.txt")
  [ "$rc" -eq 0 ] || return "$rc"
  [ -f "$work/exp/$stage/final/speech.pt" ] || { echo "CHECK FAILED: no final/speech.pt"; return 1; }
  if ! $cpu; then
    grep -q "device cuda" "$work/exp/$stage/train.log" || { echo "CHECK FAILED: training did not run on cuda"; return 1; }
    grep -q "autocast bf16" "$work/exp/$stage/train.log" || { echo "CHECK FAILED: no bf16 autocast"; return 1; }
  fi
  echo "CHECK OK: $stage trained, checkpointed and saved final/ on $($cpu && echo cpu || echo cuda)"
}
export -f install_wheels env_report bench train_data train_stage
export PY work out cpu wheels site bench_model bench_scale llm_config device llm_secs steps warm

summary() {
  "$PY" - "$out" <<'EOF' > "$out/summary.txt" 2>&1
import json, sys
from pathlib import Path
out = Path(sys.argv[1])
env_log = out / "logs" / "env.log"
if env_log.is_file():
    for line in env_log.read_text(errors="replace").splitlines():
        if line.startswith(("GPU ", "python ", "cuda available", "device 0", "  FAIL")):
            print(line[:300])
print("steps:")
for line in (out / "steps.tsv").read_text().splitlines():
    name, status, secs = line.split("\t")
    print(f"  {name:18s} {status:28s} {float(secs):7.1f} s")
rows = []
for name in ("joint", "iasft", "pretrain", "joint_bf16"):
    f = out / f"{name}.json"
    if not f.is_file():
        continue
    r = json.loads(f.read_text())
    p, st = r["params"], r["step_time_s"]
    g = lambda v, spec: "-" if v is None else format(v, spec)
    rows.append((name, r["status"], f"{p['total'] / 1e6:.0f}M/{p['trainable'] / 1e6:.0f}M",
                 f"{r['batch_size']}x{r['utt_seconds']:g}s", r["amp"], r["llm_param_dtype"] or "-",
                 g(st["mean"], ".3f"), g(st["min"], ".3f"), g(r["audio_seconds_per_s"], ".1f"),
                 g(r["llm_tokens_per_s"], ".0f"), g(r["peak_memory_gib"], ".1f"), g(r["loss_last"], ".3g"),
                 g(r["build_s"], ".1f")))
if rows:
    first = json.loads((out / f"{rows[0][0]}.json").read_text())
    print(f"\nbench_train_step on {first['device_name']} (torch {first['torch_version']}, CUDA {first['cuda_version']}, "
          f"transformers {first['transformers_version']}, python {first['python_version']}):")
    head = ("run", "status", "params/train", "batch", "amp", "llm dtype", "step s", "min s", "audio s/s",
            "LLM tok/s", "peak GiB", "loss", "build s")
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    for row in (head, *rows):
        print("  " + "  ".join(str(x).rjust(w) for x, w in zip(row, widths)))
EOF
  cat "$out/summary.txt"
}

echo "asrllm GPU check: repo $repo, out $out, $($cpu && echo "CPU mode (toy sizes)" || echo "GPU mode"), deadline ${deadline} s"
step env 90 bash -c env_report
step bench_joint 150 bash -c "bench joint joint $llm_bs"
step bench_iasft 120 bash -c "bench iasft iasft $llm_bs"
step bench_pretrain 120 bash -c "bench pretrain pretrain $ctc_bs"
step train_data 90 bash -c train_data
step train_pretrain 150 bash -c "train_stage pretrain"
step train_joint 150 bash -c "train_stage joint"
step bench_joint_bf16 150 --optional bash -c "bench joint_bf16 joint $llm_bs --llm-dtype bfloat16"

echo
echo "=== summary (total $(elapsed) s; logs in $out/logs)"
summary
if [ "${GPU_CHECK_PACK:-1}" = 1 ]; then  # few files back from a device run: one archive for the details
  packed=()
  for f in logs pip_list.txt train_pretrain train_joint; do [ -e "$out/$f" ] && packed+=("$f"); done
  if [ ${#packed[@]} -gt 0 ] && tar czf "$out/details.tgz" -C "$out" "${packed[@]}"; then
    (cd "$out" && rm -rf "${packed[@]}")
    echo "(logs, pip_list.txt and train_*/ packed into $out/details.tgz)"
  fi
fi
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED steps: ${failed[*]}"
  exit 1
fi
echo "all steps ok"
