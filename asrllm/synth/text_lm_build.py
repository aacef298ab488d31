"""Build the mini recipe's text LM folder: tokenizer + Qwen3 model + metrics, atomically and cached.

The folder is written under a temporary name and renamed when complete. A fingerprint of the
config, the prompt and the input texts is stored with it; a later call with the same fingerprint
returns at once, a call with another one rebuilds the folder. A `pretrained` folder (the mini
recipe ships one, pretrained/text_lm) is copied instead of training when its fingerprint is the
same, i.e. when it was built from exactly these inputs; otherwise it is stale and the LM is trained
(or, with require_pretrained, the call fails naming both fingerprints).
"""

import hashlib
import json
import logging
import os
import shutil
from pathlib import Path
from typing import Sequence

import torch
from transformers import GenerationConfig

from asrllm.config import ConfigError, check_keys, load_config
from asrllm.llm.prompt import PromptBuilder, PromptTemplate
from asrllm.llm.tiny import build_tiny_tokenizer
from asrllm.lang.config import LangConfig
from asrllm.synth.slot_reading import ReadingOptions, ReadingTask
from asrllm.synth.text_lm import TrainOptions, build_model, evaluate, evaluate_reading, read_sentences, train
from asrllm.utils.atomic import atomic_write

log = logging.getLogger(__name__)

CONFIG_KEYS = {"tokenizer", "model", "train", "reading"}
REQUIRED_KEYS = ("tokenizer", "model", "train")
TOKENIZER_KEYS = {"vocab_size", "min_frequency"}
FINGERPRINT = "fingerprint.json"


def load_text_lm_config(path: str | os.PathLike) -> dict:
    """conf/text_lm.yaml (with `extends:`), checked for unknown keys."""
    cfg = load_config(path)
    check_keys(cfg, CONFIG_KEYS, str(path))
    for key in REQUIRED_KEYS:
        if not isinstance(cfg.get(key), dict):
            raise ConfigError(f"{path}: '{key}' must be a mapping")
    check_keys(cfg["tokenizer"], TOKENIZER_KEYS, f"{path}: tokenizer")
    TrainOptions.from_config(cfg["train"], f"{path}: train")
    if cfg.get("reading") is not None:
        if not isinstance(cfg["reading"], dict):
            raise ConfigError(f"{path}: 'reading' must be a mapping (or null)")
        ReadingOptions.from_config(cfg["reading"], f"{path}: reading")
    return cfg


def _file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fingerprint(cfg: dict, template: PromptTemplate, texts: list[Path], dev: list[Path], exclude: list[Path],
                lang: dict | None = None) -> str:
    """Hash of everything the folder depends on (config values, prompt, phone options, input file contents)."""
    blob = json.dumps({"config": cfg, "prompt": template.__dict__, **({"lang": lang} if lang else {}),
                       "texts": [_file_digest(p) for p in texts], "dev": [_file_digest(p) for p in dev],
                       "exclude": [_file_digest(p) for p in exclude]}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def is_current(out_dir: Path, fp: str) -> bool:
    return _stored_fingerprint(out_dir) == fp


def _stored_fingerprint(folder: Path) -> str | None:
    try:
        return json.loads((folder / FINGERPRINT).read_text())["fingerprint"]
    except (OSError, ValueError, KeyError):
        return None


def _install_copy(src: Path, out_dir: Path) -> None:
    """Copy src to out_dir through a temporary name (an existing out_dir is replaced)."""
    _remove_stale_temporaries(out_dir)
    tmp = out_dir.with_name(f".{out_dir.name}.tmp.{os.getpid()}")
    try:
        shutil.copytree(src, tmp)
        _replace(tmp, out_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _replace(tmp: Path, out_dir: Path) -> None:
    if out_dir.exists():
        log.info("replacing %s (built from other inputs or settings)", out_dir)
        old = out_dir.with_name(f".{out_dir.name}.old.{os.getpid()}")
        os.replace(out_dir, old)
        shutil.rmtree(old)
    os.replace(tmp, out_dir)


def _remove_stale_temporaries(out_dir: Path) -> None:
    """Delete temporary folders of earlier builds whose process is gone (killed runs)."""
    for tmp in out_dir.parent.glob(f".{out_dir.name}.tmp.*"):
        pid = tmp.name.rsplit(".", 1)[-1]
        if pid.isdigit() and int(pid) != os.getpid():
            try:
                os.kill(int(pid), 0)
                continue  # still running
            except ProcessLookupError:
                pass
            except PermissionError:
                continue
        shutil.rmtree(tmp, ignore_errors=True)


def training_sentences(texts: list[Path], exclude: list[Path]) -> list[str]:
    """The training sentences with every excluded (dev/test) sentence removed."""
    sentences = read_sentences(texts)
    banned = set(read_sentences(exclude))
    kept = [s for s in sentences if s not in banned]
    if len(kept) < len(sentences):
        log.info("removed %d of %d training sentences that are also in %s", len(sentences) - len(kept),
                 len(sentences), ", ".join(map(str, exclude)))
    if not kept:
        raise ValueError(f"no training sentences left in {', '.join(map(str, texts))}")
    return kept


def build_text_lm(texts: Sequence[Path], out_dir: Path, config: Path, dev: Sequence[Path] = (),
                  exclude: Sequence[Path] = (), prompt_config: Path | None = None,
                  lang_config: Path | None = None, pretrained: Path | None = None,
                  require_pretrained: bool = False) -> dict:
    """Train tokenizer + model on `texts` and save them to out_dir; returns the metrics.
    lang_config: conf/lang.yaml, the phone options of the reading task (config `reading:`).
    pretrained: a folder built earlier; copied instead of training when built from the same inputs."""
    cfg = load_text_lm_config(config)
    template = PromptTemplate.from_config(prompt_config)
    reading_opts = ReadingOptions.from_config(cfg["reading"], f"{config}: reading") if cfg.get("reading") else None
    lang = LangConfig.from_yaml(lang_config) if reading_opts else None
    fp = fingerprint(cfg, template, list(texts), list(dev), list(exclude), lang.to_dict() if lang else None)
    if is_current(out_dir, fp):
        log.info("%s is up to date (same config, prompt and texts): nothing to do", out_dir)
        return json.loads((out_dir / "metrics.json").read_text())
    if pretrained is not None:
        if is_current(pretrained, fp):
            log.info("using the pre-trained %s (built from the same config, prompt and texts): copying it to %s",
                     pretrained, out_dir)
            _install_copy(pretrained, out_dir)
            return json.loads((out_dir / "metrics.json").read_text())
        stale = (f"{pretrained} was built from other inputs (its fingerprint {_stored_fingerprint(pretrained)}, "
                 f"these inputs {fp})")
        if require_pretrained:
            raise ValueError(f"{stale}: retrain it (see its README.md) or drop require_pretrained")
        log.warning("%s: training the text LM instead", stale)
    elif require_pretrained:
        raise ValueError("require_pretrained needs a pretrained folder")
    sentences = training_sentences(list(texts), list(exclude))
    dev_sentences = read_sentences(list(dev))
    leaked = set(dev_sentences) & set(sentences)
    if leaked:
        raise ValueError(f"{len(leaked)} dev sentences are also training sentences (e.g. {next(iter(leaked))!r}): "
                         f"pass the dev text to --exclude as well")
    opts = TrainOptions.from_config(cfg["train"], str(config))

    _remove_stale_temporaries(out_dir)
    tmp = out_dir.with_name(f".{out_dir.name}.tmp.{os.getpid()}")
    try:
        # The tokenizer sees the prompt text as often as the model will (once per sentence).
        head, tail = template.pieces()
        prompt_text = " ".join(t for marker, t in head + tail if not marker)
        tokenizer = build_tiny_tokenizer(sentences + [prompt_text] * len(sentences), tmp, **cfg["tokenizer"])
        builder = PromptBuilder(tokenizer, template)
        torch.manual_seed(opts.seed)  # the initial weights (LM and reading adapter): two builds give one model
        model = build_model(cfg["model"], tokenizer)
        n_params = sum(p.numel() for p in model.parameters())
        log.info("%d training sentences, %d dev; tokenizer %d tokens; model %.2fM parameters; prompt %d tokens",
                 len(sentences), len(dev_sentences), len(tokenizer), n_params / 1e6, builder.prompt_length)
        reading = None
        if reading_opts:
            reading = ReadingTask(reading_opts, lang, sentences, model.config.hidden_size)
            log.info("reading task: %.0f%% of each batch reads simulated posteriors of %d phone units "
                     "(lang config %s)", 100 * reading_opts.fraction, len(reading.units), lang_config or "defaults")
        result = train(model, builder, sentences, dev_sentences, opts, reading=reading)
        metrics = {"parameters": n_params, "vocab_size": len(tokenizer), "train_sentences": len(sentences),
                   "train_seconds": round(result.seconds, 1),
                   "target_tokens_per_second": round(result.tokens_per_second, 1),
                   "first_train_loss": result.history[0]["train_loss"],
                   "last_train_loss": result.history[-1]["train_loss"], "history": result.history}
        if dev_sentences:
            metrics["dev"] = evaluate(model, builder, dev_sentences, opts.eval_batch_size)
            log.info("dev: %.3f nats per token, perplexity %.2f over %d tokens", metrics["dev"]["loss"],
                     metrics["dev"]["perplexity"], metrics["dev"]["tokens"])
            if reading:
                metrics["dev_reading"] = evaluate_reading(model, builder, reading, dev_sentences, opts.eval_batch_size)
                log.info("dev reading: %.3f nats per token, token accuracy %.3f", metrics["dev_reading"]["loss"],
                         metrics["dev_reading"]["accuracy"])
        if reading:
            reading.save(tmp)
        model.generation_config = GenerationConfig(
            eos_token_id=[builder.end_id, tokenizer.pad_token_id], pad_token_id=tokenizer.pad_token_id,
            do_sample=False)
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        with atomic_write(tmp / "metrics.json") as f:
            json.dump(metrics, f, indent=1)
        with atomic_write(tmp / "text_lm_config.json") as f:
            json.dump({"config": cfg, "prompt": template.__dict__, "lang": lang.to_dict() if lang else None}, f,
                  indent=1, ensure_ascii=False)
        with atomic_write(tmp / FINGERPRINT) as f:
            json.dump({"fingerprint": fp, "texts": list(map(str, texts)), "dev": list(map(str, dev)),
                       "exclude": list(map(str, exclude))}, f, indent=1)
        _replace(tmp, out_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log.info("saved %s", out_dir)
    return metrics
