"""Training-step timing of one stage at a given model size on random input (no data, no LLM weights):
what `python -m asrllm.bin.bench_train_step` runs.

The model is built the way `asrllm.bin.train` builds it (asrllm.recipe.train_stage: resolve_stage,
stage_objective, build_model), except that the LLM gets random weights from a config.json. Each step
is the trainer's own update (asrllm.training.Trainer.update: the stage's trainable parts, its
optimizer, autocast, clipping, scheduler) on one batch of random fbank; transcripts are random
tokenizer tokens, exactly `tokens` of them per utterance as the prompt builder encodes them.
"""

from __future__ import annotations

import contextlib
import platform
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from asrllm.errors import UserError

REPO = Path(__file__).resolve().parents[2]
STAGE_CONFIGS = {"pretrain": "pretrain_phone.yaml", "align": "align.yaml", "iasft": "iasft.yaml",
                 "joint": "joint.yaml"}
LLM_DTYPES = ("float32", "bfloat16")


class BenchError(UserError, ValueError):
    """Bad input to the benchmark."""


@dataclass
class BenchSpec:
    """One benchmark run (the entry point's options)."""

    model_config: str
    stage: str
    llm_config: str | None = None      # folder with the LLM's config.json (and maybe its tokenizer)
    train_config: str | None = None    # None: conf/train/<STAGE_CONFIGS[stage]>
    scale_config: str | None = None    # conf/scale/<scale>.yaml (precision, parallelism), as the recipe's
    data_config: str = str(REPO / "conf" / "data.yaml")
    utt_seconds: float = 10.0
    batch_size: int = 8
    tokens_per_utt: int = 40
    ctc_vocab: int = 256
    steps: int = 10
    warmup: int = 3
    amp: str | None = None             # None: the config's train.amp
    llm_dtype: str | None = None       # None: model.llm.dtype (float32 unless set)
    device: str = "auto"
    seed: int = 0

    def check(self) -> None:
        """Bad input fails here, before the heavy imports."""
        if self.stage not in STAGE_CONFIGS:
            raise BenchError(f"--stage {self.stage!r}: must be one of {', '.join(STAGE_CONFIGS)}")
        if self.amp is not None and self.amp not in ("bf16", "fp16", "none"):
            raise BenchError(f"--amp {self.amp!r}: must be bf16, fp16 or none")
        if self.llm_dtype is not None and self.llm_dtype not in LLM_DTYPES:
            raise BenchError(f"--llm-dtype {self.llm_dtype!r}: must be one of {', '.join(LLM_DTYPES)}")
        if self.device not in ("auto", "cpu", "cuda"):
            raise BenchError(f"--device {self.device!r}: must be auto, cpu or cuda")
        for name in ("batch_size", "tokens_per_utt", "steps", "ctc_vocab"):
            if getattr(self, name) < 1:
                raise BenchError(f"--{name.replace('_', '-')} must be >= 1, got {getattr(self, name)}")
        if self.warmup < 0:
            raise BenchError(f"--warmup must be >= 0, got {self.warmup}")
        if self.utt_seconds < 0.1:
            raise BenchError(f"--utt-seconds must be >= 0.1, got {self.utt_seconds}")
        if self.train_config is None:
            self.train_config = str(REPO / "conf" / "train" / STAGE_CONFIGS[self.stage])
        for flag, path in (("--model-config", self.model_config), ("--train-config", self.train_config),
                           ("--data-config", self.data_config), ("--scale-config", self.scale_config)):
            if path is not None and not Path(path).is_file():
                raise BenchError(f"{flag} {path}: no such file")
        if self.llm_config is not None and not (Path(self.llm_config) / "config.json").is_file():
            raise BenchError(f"--llm-config {self.llm_config}: no config.json there (give the LLM's config "
                             f"folder, e.g. conf/llm/qwen3-1.7b-config)")


def make_llm(llm_dir: str, dtype: str, tmp: Path):
    """(random-weight LLM from the folder's config.json, a tokenizer): the folder's tokenizer when it
    has one, else a tiny byte-level BPE trained on the prompt text (merges up to whole words, so the
    prompt is about as many tokens as a real tokenizer makes of it)."""
    import torch
    from transformers import AutoModelForCausalLM

    from asrllm.llm.loading import TOKENIZER_FILES, load_llm_config, load_tokenizer
    from asrllm.llm.prompt import PromptTemplate
    from asrllm.llm.tiny import build_tiny_tokenizer

    config = load_llm_config(llm_dir)
    if any((Path(llm_dir) / f).is_file() for f in TOKENIZER_FILES):
        tokenizer = load_tokenizer(llm_dir)
    else:
        texts = [PromptTemplate().render(transcript="")] * 4
        tokenizer = build_tiny_tokenizer(texts, tmp / "tokenizer", vocab_size=min(1000, config.vocab_size))
    if len(tokenizer) > config.vocab_size:
        raise BenchError(f"{llm_dir}: the tokenizer has {len(tokenizer)} tokens, the model's vocab_size is "
                         f"only {config.vocab_size}")
    return AutoModelForCausalLM.from_config(config, dtype=getattr(torch, dtype)), tokenizer


def random_transcripts(prompt, n: int, tokens: int, generator) -> list[str]:
    """n texts of random tokenizer tokens that the prompt builder encodes to exactly `tokens` ids
    each: a token is kept only if the text grows by one id with it (no merges, no split bytes)."""
    import torch

    tok = prompt.tokenizer
    special = set(tok.all_special_ids)
    texts = []
    for _ in range(n):
        text, count, tries = "", 0, 0
        while count < tokens:
            tries += 1
            if tries > 100 * tokens:
                raise BenchError(f"the tokenizer gives no {tokens}-token random text (vocabulary {len(tok)})")
            i = int(torch.randint(0, len(tok), (1,), generator=generator))
            if i in special:
                continue
            longer = text + tok.decode([i])
            if len(prompt.target_ids([longer])[0]) == count + 2:  # + the end token
                text, count = longer, count + 1
        texts.append(text)
    return texts


def label_dirs(merged: dict, ctc_vocab: int, tmp: Path) -> list[str]:
    """HEAD=LANG_DIR for every CTC head: its units.txt when the config names one, else ctc_vocab
    made-up units (random labels need only the size)."""
    from asrllm.lang.units import write_units

    langs = []
    for head, hcfg in ((merged.get("model") or {}).get("ctc_heads") or {}).items():
        lang = tmp / f"lang_{head}"
        lang.mkdir()
        if (hcfg or {}).get("units"):
            (lang / "units.txt").write_bytes(Path(hcfg["units"]).read_bytes())
        else:
            write_units(lang / "units.txt", [f"u{i}" for i in range(ctc_vocab - 2)])
        langs.append(f"{head}={lang}")
    return langs


def count(summary: dict, name: str, which: int = 1) -> int:
    return summary.get(name, (0, 0))[which]


def run(spec: BenchSpec, log) -> dict:
    """Build, warm up, time; the result dict (status "out_of_memory" with the step that failed)."""
    import torch
    import transformers

    from asrllm.models.build import build_model
    from asrllm.recipe.train_stage import StageArgs, resolve_stage, stage_objective
    from asrllm.training.stage_config import stage_config_data
    from asrllm.training.distributed import DistInfo, pick_device
    from asrllm.training.freeze import train_mode, trainable_summary
    from asrllm.training.trainer import Trainer

    spec.check()
    with tempfile.TemporaryDirectory(prefix="bench_train_step.") as tmp_name:
        tmp = Path(tmp_name)
        merged = stage_config_data(spec.train_config, spec.model_config, spec.scale_config)
        cfg, data_cfg, model_cfg, _heads = resolve_stage(StageArgs(
            config=spec.train_config, model_config=spec.model_config, scale_config=spec.scale_config,
            data_config=spec.data_config, lang=label_dirs(merged, spec.ctc_vocab, tmp)))
        if spec.amp is not None:
            cfg.train.amp = spec.amp
        cfg.train.device = spec.device
        cfg.train.progress_bar = False
        objective, specaug, data_cfg = stage_objective(cfg, data_cfg)
        uses_llm = cfg.objective == "llm"
        if uses_llm and not model_cfg.get("llm"):
            raise BenchError(f"stage {cfg.stage}: the model config has no `llm:` section")
        if uses_llm and spec.llm_config is None:
            raise BenchError(f"stage {cfg.stage} trains through the LLM: give --llm-config (a folder with its "
                             f"config.json)")
        try:
            device = pick_device(DistInfo(), cfg.train.device)
        except RuntimeError as e:  # cuda asked for, none seen
            raise BenchError(str(e)) from None
        torch.manual_seed(spec.seed)
        t0 = time.perf_counter()
        # built on the device: a 2B-parameter random init is minutes on a CPU, seconds on a GPU
        with torch.device(device) if device.type == "cuda" else contextlib.nullcontext():
            dtype = spec.llm_dtype or (model_cfg.get("llm") or {}).get("dtype", "float32")
            llm = make_llm(spec.llm_config, dtype, tmp) if uses_llm else None
            model = build_model(model_cfg, llm=llm, objective=objective, specaug=specaug)
        llm_dtype = str(next(model.llm.parameters()).dtype).removeprefix("torch.") if uses_llm else None
        try:
            trainer = Trainer(model, cfg.train, tmp / "out")  # no data: update() on the batch made here
        except ValueError as e:  # e.g. a `trainable:` prefix the model does not have
            raise BenchError(f"{spec.train_config}: {e}") from None
        cuda = device.type == "cuda"
        if cuda:
            torch.cuda.synchronize(device)
        build_s = time.perf_counter() - t0
        summary = trainable_summary(model)

        frames, b = int(round(spec.utt_seconds * 100)), spec.batch_size
        g = torch.Generator().manual_seed(spec.seed)
        batch = {"feats": torch.randn(b, frames, 80, generator=g), "feat_lens": torch.full((b,), frames),
                 "text": random_transcripts(model.prompt, b, spec.tokens_per_utt, g) if uses_llm else [""] * b}
        for head, mod in model.ctc_heads.items():
            batch[f"{head}_ids"] = torch.randint(2, mod.vocab_size, (b, spec.tokens_per_utt), generator=g)
            batch[f"{head}_lens"] = torch.full((b,), spec.tokens_per_utt)
        llm_positions = target_tokens = prompt_tokens = 0
        if uses_llm:  # what one step feeds the LLM, from the model's own prompt
            with torch.no_grad():
                _, _, speech, speech_lens = model.speech_embeddings(batch["feats"].to(device),
                                                                    batch["feat_lens"].to(device))
                prompt_batch, _ = model.llm_inputs(speech, speech_lens, batch["text"])
            llm_positions = int(prompt_batch.attention_mask.sum())
            target_tokens = int((prompt_batch.labels != -100).sum())
            prompt_tokens = model.prompt.prompt_length

        trainer.model.train()
        train_mode(trainer.module)
        if cuda:
            torch.cuda.reset_peak_memory_stats(device)
        times, losses, status, error = [], [], "ok", None
        for i in range(spec.warmup + spec.steps):
            try:
                if cuda:
                    torch.cuda.synchronize(device)
                t = time.perf_counter()
                sums, total, _ = trainer.update([batch])
                if cuda:
                    torch.cuda.synchronize(device)
                dt = time.perf_counter() - t
            except torch.cuda.OutOfMemoryError as e:
                status, error = "out_of_memory", f"step {i + 1}: {str(e).splitlines()[0]}"
                break
            losses.append(sums["loss"] / max(total, 1e-12))
            if i >= spec.warmup:
                times.append(dt)
            log.info("step %d/%d%s: %.3f s, loss %.4g", i + 1, spec.warmup + spec.steps,
                     " (warmup)" if i < spec.warmup else "", dt, losses[-1])

        mean = statistics.fmean(times) if times else None
        result = {
            "status": status,
            "error": error,
            "stage": cfg.stage,
            "objective": cfg.objective,
            "model_config": spec.model_config,
            "scale_config": spec.scale_config,
            "train_config": spec.train_config,
            "llm_config": spec.llm_config if uses_llm else None,
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
            "utt_seconds": spec.utt_seconds,
            "frames_per_utt": frames,
            "tokens_per_utt": spec.tokens_per_utt,
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
            "warmup_steps": spec.warmup,
            "timed_steps": len(times),
            "step_time_s": {"mean": mean, "min": min(times) if times else None,
                            "median": statistics.median(times) if times else None,
                            "max": max(times) if times else None, "all": times},
            "audio_seconds_per_s": b * spec.utt_seconds / mean if mean else None,
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
