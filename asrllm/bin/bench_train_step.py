"""Time training steps of one stage at a given model size on random input (no data, no LLM weights).

  python -m asrllm.bin.bench_train_step --model-config conf/model/paper.yaml \
      --llm-config conf/llm/qwen3-1.7b-config --stage joint --utt-seconds 10 --batch-size 8 \
      --tokens-per-utt 40 --steps 10 --warmup 3 [--amp bf16] [--device cuda] [--out result.json]

The model is built by asrllm.models.build.build_model from the stage config (conf/train/<stage>.yaml,
or --train-config) merged over --model-config, as asrllm.bin.train does (asrllm.recipe.train_stage.resolve_stage
and stage_objective), except that the LLM is made with random weights from the config.json in
--llm-config (AutoConfig + AutoModelForCausalLM.from_config, in the dtype training loads it in: the model
config's model.llm.dtype, float32 unless set; --llm-dtype overrides). Its tokenizer is that folder's when it has one, else a tiny byte-level BPE (asrllm.llm.tiny)
that is used only for the fixed prompt text; every transcript is --tokens-per-utt random token ids
below the LLM's vocabulary size, plus the closing <|im_end|>.

Each step is the trainer's own update (asrllm.training.Trainer: the stage's trainable parts, its
optimizer, autocast, gradient clipping, scheduler) on one batch of --batch-size utterances of random
80-bin fbank, all --utt-seconds long; CTC heads get --tokens-per-utt random labels. --warmup steps
run first, untimed. Reports step time, audio seconds per second, LLM tokens per second, parameter
counts and peak GPU memory, as a table on stdout and as JSON (--out). One process, one device: no
DDP/FSDP (paper.yaml's parallel: fsdp only matters under torchrun with several ranks).
Exit status: 0 ok, 1 bad input, 2 out of memory (the JSON then says where).
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
STAGE_CONFIGS = {"pretrain": "pretrain_phone.yaml", "align": "align.yaml", "iasft": "iasft.yaml",
                 "joint": "joint.yaml"}
LLM_DTYPES = ("float32", "bfloat16")

log = logging.getLogger("asrllm.bench_train_step")


class BenchError(Exception):
    """Bad input: reported as one line."""


def parse_args(argv):
    p = argparse.ArgumentParser(prog="bench_train_step", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model-config", required=True, help="model size config (conf/model/*.yaml)")
    p.add_argument("--llm-config", default=None, help="folder with the LLM's config.json (and, optionally, "
                                                      "its tokenizer); needed by every stage but pretrain")
    p.add_argument("--stage", required=True, help="pretrain | align | iasft | joint")
    p.add_argument("--train-config", default=None,
                   help="stage config (default: conf/train/<pretrain_phone|align|iasft|joint>.yaml)")
    p.add_argument("--data-config", default=str(REPO / "conf" / "data.yaml"),
                   help="data config (its specaug section drives CR-CTC's two views in pretrain)")
    p.add_argument("--utt-seconds", type=float, default=10.0)
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--tokens-per-utt", type=int, default=40, help="transcript tokens (LLM) and CTC labels "
                                                                  "per utterance")
    p.add_argument("--ctc-vocab", type=int, default=256, help="units of a CTC head whose config names no units.txt")
    p.add_argument("--steps", type=int, default=10, help="timed steps")
    p.add_argument("--warmup", type=int, default=3, help="untimed steps first")
    p.add_argument("--amp", default=None, help="bf16 | fp16 | none (default: the config's train.amp; "
                                                "autocast only on CUDA, as in training)")
    p.add_argument("--llm-dtype", default=None, help="the LLM weights' dtype: float32 | bfloat16 (default: "
                                                    "the model config's model.llm.dtype, as training loads it)")
    p.add_argument("--device", default="auto", help="auto | cpu | cuda")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=None, help="write the result as JSON here")
    return p.parse_args(argv)


def check_args(args) -> None:
    if args.stage not in STAGE_CONFIGS:
        raise BenchError(f"--stage {args.stage!r}: must be one of {', '.join(STAGE_CONFIGS)}")
    if args.amp is not None and args.amp not in ("bf16", "fp16", "none"):
        raise BenchError(f"--amp {args.amp!r}: must be bf16, fp16 or none")
    if args.llm_dtype is not None and args.llm_dtype not in LLM_DTYPES:
        raise BenchError(f"--llm-dtype {args.llm_dtype!r}: must be one of {', '.join(LLM_DTYPES)}")
    if args.device not in ("auto", "cpu", "cuda"):
        raise BenchError(f"--device {args.device!r}: must be auto, cpu or cuda")
    for name in ("batch_size", "tokens_per_utt", "steps", "ctc_vocab"):
        if getattr(args, name) < 1:
            raise BenchError(f"--{name.replace('_', '-')} must be >= 1, got {getattr(args, name)}")
    if args.warmup < 0:
        raise BenchError(f"--warmup must be >= 0, got {args.warmup}")
    if args.utt_seconds < 0.1:
        raise BenchError(f"--utt-seconds must be >= 0.1, got {args.utt_seconds}")
    if args.train_config is None:
        args.train_config = str(REPO / "conf" / "train" / STAGE_CONFIGS[args.stage])
    for flag, path in (("--model-config", args.model_config), ("--train-config", args.train_config),
                       ("--data-config", args.data_config)):
        if not Path(path).is_file():
            raise BenchError(f"{flag} {path}: no such file")
    if args.llm_config is not None and not (Path(args.llm_config) / "config.json").is_file():
        raise BenchError(f"--llm-config {args.llm_config}: no config.json there (give the LLM's config folder, "
                         f"e.g. conf/llm/qwen3-1.7b-config)")


def make_prompt_class():
    from asrllm.llm.prompt import PromptBuilder

    class RandomTranscripts(PromptBuilder):
        """The model's prompt builder with each transcript replaced by `tokens` random token ids."""

        def __init__(self, base: PromptBuilder, vocab_size: int, tokens: int, seed: int):
            import torch

            self.__dict__.update(vars(base))
            self.vocab_size, self.tokens = vocab_size, tokens
            self.generator = torch.Generator().manual_seed(seed)
            self.last = None

        def target_ids(self, transcripts):
            import torch

            ids = torch.randint(0, self.vocab_size, (len(transcripts), self.tokens), generator=self.generator)
            return [row + [self.end_id] for row in ids.tolist()]

        def build(self, *args, **kwargs):
            self.last = super().build(*args, **kwargs)
            return self.last

    return RandomTranscripts


def make_llm(llm_dir: str, dtype: str, tmp: Path):
    """(random-weight LLM from the folder's config.json, a tokenizer for the prompt text)."""
    import torch
    from transformers import AutoModelForCausalLM

    from asrllm.llm.loading import TOKENIZER_FILES, load_llm_config, load_tokenizer
    from asrllm.llm.prompt import PromptTemplate
    from asrllm.llm.tiny import build_tiny_tokenizer

    config = load_llm_config(llm_dir)
    if any((Path(llm_dir) / f).is_file() for f in TOKENIZER_FILES):
        tokenizer = load_tokenizer(llm_dir)
    else:  # for the prompt text only (transcripts are random ids): merges up to whole words, so the
        # prompt is about as many tokens as a real LLM's tokenizer makes of it
        texts = [PromptTemplate().render(transcript="")] * 4
        tokenizer = build_tiny_tokenizer(texts, tmp / "tokenizer", vocab_size=min(1000, config.vocab_size))
    if len(tokenizer) > config.vocab_size:
        raise BenchError(f"{llm_dir}: the tokenizer has {len(tokenizer)} tokens, the model's vocab_size is "
                         f"only {config.vocab_size}")
    llm = AutoModelForCausalLM.from_config(config, dtype=getattr(torch, dtype))
    return llm, tokenizer


def count(summary: dict, name: str, which: int = 1) -> int:
    return summary.get(name, (0, 0))[which]


def run(args) -> dict:
    import contextlib
    import types

    import torch
    import transformers

    from asrllm.recipe.train_stage import resolve_stage, stage_objective
    from asrllm.config import deep_merge, load_config
    from asrllm.lang.units import write_units
    from asrllm.models.build import build_model
    from asrllm.training.distributed import DistInfo, pick_device
    from asrllm.training.freeze import train_mode, trainable_summary
    from asrllm.training.trainer import Trainer

    with tempfile.TemporaryDirectory(prefix="bench_train_step.") as tmp_name:
        tmp = Path(tmp_name)
        # CTC heads: unit lists the configs leave to --lang (random ids need only their size)
        merged = deep_merge(load_config(args.model_config), load_config(args.train_config))
        langs = []
        for head, hcfg in ((merged.get("model") or {}).get("ctc_heads") or {}).items():
            lang = tmp / f"lang_{head}"
            lang.mkdir()
            if (hcfg or {}).get("units"):
                (lang / "units.txt").write_bytes(Path(hcfg["units"]).read_bytes())
            else:
                write_units(lang / "units.txt", [f"u{i}" for i in range(args.ctc_vocab - 2)])
            langs.append(f"{head}={lang}")
        ns = types.SimpleNamespace(config=args.train_config, model_config=args.model_config,
                                   data_config=args.data_config, llm=None, allow_download=False, init_model=None,
                                   init_encoder=None, lang=langs)
        cfg, data_cfg, model_cfg, _heads = resolve_stage(ns)
        if args.amp is not None:
            cfg.train.amp = args.amp
        cfg.train.device = args.device
        cfg.train.progress_bar = False
        objective, specaug, data_cfg = stage_objective(cfg, data_cfg)
        uses_llm = cfg.objective == "llm"
        if uses_llm and not model_cfg.get("llm"):
            raise BenchError(f"stage {cfg.stage}: the model config has no `llm:` section")
        if uses_llm and args.llm_config is None:
            raise BenchError(f"stage {cfg.stage} trains through the LLM: give --llm-config (a folder with its "
                             f"config.json)")
        try:
            device = pick_device(DistInfo(), cfg.train.device)
        except RuntimeError as e:  # cuda asked for, none seen
            raise BenchError(str(e)) from None
        torch.manual_seed(args.seed)
        t0 = time.perf_counter()
        # built on the device: a 2B-parameter random init is minutes on a CPU, seconds on a GPU
        with torch.device(device) if device.type == "cuda" else contextlib.nullcontext():
            dtype = args.llm_dtype or (model_cfg.get("llm") or {}).get("dtype", "float32")
            llm = make_llm(args.llm_config, dtype, tmp) if uses_llm else None
            model = build_model(model_cfg, llm=llm, objective=objective, specaug=specaug)
        if uses_llm:
            model.prompt = make_prompt_class()(model.prompt, model.llm.config.vocab_size, args.tokens_per_utt,
                                               args.seed)
        llm_dtype = str(next(model.llm.parameters()).dtype).removeprefix("torch.") if uses_llm else None

        class NoData:  # the trainer's sampler contract; batches are made here instead
            def set_epoch(self, epoch): pass
            def state_dict(self): return {}
            def load_state_dict(self, state): pass
            def __iter__(self): return iter(())
            def __len__(self): return 0

        try:
            trainer = Trainer(model, cfg.train, tmp / "out", NoData(), lambda sampler: ())
        except ValueError as e:  # e.g. a `trainable:` prefix the model does not have
            raise BenchError(f"{args.train_config}: {e}") from None
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        build_s = time.perf_counter() - t0
        summary = trainable_summary(model)

        frames = int(round(args.utt_seconds * 100))
        b = args.batch_size
        g = torch.Generator().manual_seed(args.seed)
        batch = {"feats": torch.randn(b, frames, 80, generator=g), "feat_lens": torch.full((b,), frames),
                 "text": [""] * b}
        for head, mod in model.ctc_heads.items():
            batch[f"{head}_ids"] = torch.randint(2, mod.vocab_size, (b, args.tokens_per_utt), generator=g)
            batch[f"{head}_lens"] = torch.full((b,), args.tokens_per_utt)

        trainer.model.train()
        train_mode(trainer.module)
        cuda = device.type == "cuda"
        if cuda:
            torch.cuda.reset_peak_memory_stats(device)
        times, losses = [], []
        status, error = "ok", None
        for i in range(args.warmup + args.steps):
            try:
                if cuda:
                    torch.cuda.synchronize(device)
                t = time.perf_counter()
                sums, total, _ = trainer._update([batch])  # the trainer's own update, without a loader
                if cuda:
                    torch.cuda.synchronize(device)
                dt = time.perf_counter() - t
            except torch.cuda.OutOfMemoryError as e:
                status, error = "out_of_memory", f"step {i + 1}: {str(e).splitlines()[0]}"
                break
            losses.append(sums["loss"] / max(total, 1e-12))
            if i >= args.warmup:
                times.append(dt)
            log.info("step %d/%d%s: %.3f s, loss %.4g", i + 1, args.warmup + args.steps,
                     " (warmup)" if i < args.warmup else "", dt, losses[-1])

        llm_positions = target_tokens = prompt_tokens = 0
        if uses_llm and model.prompt.last is not None:
            last = model.prompt.last
            llm_positions = int(last.attention_mask.sum())
            target_tokens = int((last.labels != -100).sum())
            prompt_tokens = model.prompt.prompt_length
        mean = statistics.fmean(times) if times else None
        result = {
            "status": status,
            "error": error,
            "stage": cfg.stage,
            "objective": cfg.objective,
            "model_config": args.model_config,
            "train_config": args.train_config,
            "llm_config": args.llm_config if uses_llm else None,
            "device": str(device),
            "device_name": torch.cuda.get_device_name(device) if cuda else platform.processor() or platform.machine(),
            "torch_version": torch.__version__,
            "cuda_version": torch.version.cuda,
            "transformers_version": transformers.__version__,
            "python_version": platform.python_version(),
            "amp": cfg.train.amp if trainer.autocast_dtype is not None else "off",
            "llm_param_dtype": llm_dtype,
            "optimizer": cfg.train.optim,
            "llm_gradient_checkpointing": bool((model_cfg.get("llm") or {}).get("gradient_checkpointing"))
            if uses_llm else None,
            "trainable_prefixes": cfg.train.trainable,
            "batch_size": b,
            "utt_seconds": args.utt_seconds,
            "frames_per_utt": frames,
            "tokens_per_utt": args.tokens_per_utt,
            "prompt_tokens": prompt_tokens,
            "llm_positions_per_step": llm_positions,
            "target_tokens_per_step": target_tokens,
            "params": {
                "total": sum(n for _, n in summary.values()),
                "encoder": count(summary, "encoder"),
                "ctc_heads": count(summary, "ctc_heads"),
                "aed_decoder": count(summary, "aed_decoder"),  # AED pre-training (pretrain_aed.yaml) only
                "adapter": count(summary, "adapter"),
                "llm": count(summary, "llm"),
                "trainable": sum(t for t, _ in summary.values()),
            },
            "trainable_by_module": {k: t for k, (t, _) in summary.items()},
            "warmup_steps": args.warmup,
            "timed_steps": len(times),
            "step_time_s": {"mean": mean, "min": min(times) if times else None,
                            "median": statistics.median(times) if times else None,
                            "max": max(times) if times else None, "all": times},
            "audio_seconds_per_s": b * args.utt_seconds / mean if mean else None,
            "llm_tokens_per_s": llm_positions / mean if mean and uses_llm else None,
            "target_tokens_per_s": target_tokens / mean if mean and uses_llm else None,
            "peak_memory_gib": torch.cuda.max_memory_allocated(device) / 2**30 if cuda else None,
            "peak_reserved_gib": torch.cuda.max_memory_reserved(device) / 2**30 if cuda else None,
            "gpu_memory_gib": torch.cuda.get_device_properties(device).total_memory / 2**30 if cuda else None,
            "loss_first": losses[0] if losses else None,
            "loss_last": losses[-1] if losses else None,
            "build_s": build_s,
        }
        del trainer, model
        return result


def fmt(v, spec: str = ".3f") -> str:
    if v is None:
        return "-"
    return format(v, spec) if isinstance(v, float) else str(v)


def human(n: int) -> str:
    for scale, unit in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if n >= scale:
            return f"{n / scale:.{3 if scale == 1e9 else 2}f}{unit}"
    return str(n)


def table(r: dict) -> str:
    p = r["params"]
    st = r["step_time_s"]
    rows = [
        ("status", r["status"] + (f" ({r['error']})" if r["error"] else "")),
        ("stage / objective", f"{r['stage']} / {r['objective']}"),
        ("device", f"{r['device']} ({r['device_name']})"),
        ("torch / transformers / CUDA", f"{r['torch_version']} / {r['transformers_version']} / {r['cuda_version']}"),
        ("amp / LLM weights dtype", f"{r['amp']} / {r['llm_param_dtype'] or '-'}"),
        ("batch", f"{r['batch_size']} x {r['utt_seconds']:g} s ({r['frames_per_utt']} frames), "
                  f"{r['tokens_per_utt']} tokens/utt"),
        ("params total", human(p["total"])),
        ("  encoder / ctc_heads / aed_decoder / adapter / llm",
         " / ".join(human(p[k]) for k in ("encoder", "ctc_heads", "aed_decoder", "adapter", "llm"))),
        ("  trainable", f"{human(p['trainable'])}  ({', '.join(r['trainable_prefixes'])})"),
        ("step time mean / min (s)", f"{fmt(st['mean'])} / {fmt(st['min'])}  ({r['timed_steps']} timed, "
                                     f"{r['warmup_steps']} warmup)"),
        ("audio seconds / s", fmt(r["audio_seconds_per_s"], ".1f")),
        ("LLM tokens / s (all positions)", fmt(r["llm_tokens_per_s"], ".0f")),
        ("  transcript tokens / s", fmt(r["target_tokens_per_s"], ".0f")),
        ("peak GPU memory allocated / reserved (GiB)",
         f"{fmt(r['peak_memory_gib'], '.2f')} / {fmt(r['peak_reserved_gib'], '.2f')} of "
         f"{fmt(r['gpu_memory_gib'], '.1f')}"),
        ("loss first / last", f"{fmt(r['loss_first'], '.4g')} / {fmt(r['loss_last'], '.4g')}"),
        ("model build (s)", fmt(r["build_s"], ".1f")),
    ]
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    from asrllm.utils.log import setup_logging

    setup_logging()
    from asrllm.config import ConfigError
    from asrllm.kaldi.table import DataError

    try:
        check_args(args)  # before the heavy imports: bad input fails at once
        result = run(args)
    except (BenchError, ConfigError, DataError, FileNotFoundError) as e:
        print(f"bench_train_step: error: {str(e).splitlines()[0] if str(e) else type(e).__name__}",
              file=sys.stderr)
        return 1
    print(table(result), flush=True)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0 if result["status"] == "ok" else 2


if __name__ == "__main__":
    sys.exit(main())
