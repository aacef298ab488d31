"""Stage 15: a self-contained model folder that Speech2Text (and asrllm.bin.transcribe) loads offline.

<out>/ config.yaml (the model config with the prompt written out in full), speech.pt, units/,
llm/ (HF model + tokenizer; with LoRA either merged or as llm/ adapter on llm_base/), frontend.yaml
(sample rate + fbank settings), cmvn.json, decode.yaml, README.md (usage, the prompt, the numbers of
RESULTS.md) and pack.json (provenance and the sha256 of every file). Built under a temporary name
and renamed when complete.
"""

import dataclasses
import hashlib
import json
import os
import shutil
from pathlib import Path

import yaml

from asrllm.config import ConfigError, load_config
from asrllm.data.config import DataConfig
from asrllm.decode.config import DecodeConfig
from asrllm.inference.speech2text import CMVN_JSON, DECODE_YAML, FRONTEND_YAML
from asrllm.llm.prompt import PromptTemplate
from asrllm.scoring.environment import environment
from asrllm.utils.atomic import atomic_write

PACK_JSON = "pack.json"
README = "README.md"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _has_lora(model_dir: Path) -> bool:
    return (model_dir / "llm_base").is_dir()


def _copy_model(model_dir: Path, dest: Path, merge_lora: bool) -> None:
    if merge_lora and _has_lora(model_dir):
        from asrllm.models.build import from_pretrained, save_pretrained

        model, cfg = from_pretrained(model_dir)
        save_pretrained(model, cfg, dest, merge_lora=True)
    else:
        shutil.copytree(model_dir, dest, symlinks=False)


def _write_prompt(dest: Path) -> PromptTemplate:
    """Write the prompt into config.yaml in full, so the packed model never depends on code defaults."""
    data = load_config(dest / "config.yaml")
    template = PromptTemplate.from_config(data["model"].get("prompt") or None)
    data["model"]["prompt"] = dataclasses.asdict(template)
    with atomic_write(dest / "config.yaml") as f:
        yaml.safe_dump(data, f, allow_unicode=True, sort_keys=False)
    return template


def _results_body(path: Path | None) -> str:
    if path is None or not path.is_file():
        return "No RESULTS.md was given when this model was packed.\n"
    lines = path.read_text(encoding="utf-8").splitlines()
    body = [line for line in lines if not line.startswith("<!--")]
    # demote headings two levels so they sit under this README's "Results" heading
    return "\n".join("##" + line if line.startswith("#") else line for line in body).strip() + "\n"


def _readme(name: str, template: PromptTemplate, frontend: DataConfig, decode: DecodeConfig, lora: str,
            results: Path | None) -> str:
    fb = frontend.fbank
    return f"""# {name}

An asrllm speech recognition model (Conformer encoder -> frame-stacking adapter -> decoder-only LLM),
packed by `python -m asrllm.bin.pack_model`. Everything needed to run it is in this folder; nothing is
downloaded.

## Use

```bash
python -m asrllm.bin.transcribe --model-dir {name} audio.wav [more.wav ...]
python -m asrllm.bin.transcribe --model-dir {name} --wav-scp wav.scp --out text [--nj 4]
```

```python
from asrllm.inference import Speech2Text
s2t = Speech2Text.from_pretrained("{name}")
print(s2t("audio.wav"))
```

Audio is resampled to {frontend.sample_rate} Hz; inputs longer than 30 s are cut at low-energy points
and the chunk transcripts joined.

## Contents

- `config.yaml`, `speech.pt`, `units/`: the model config and the encoder, CTC head and adapter weights
- `llm/`: the LLM and its tokenizer (LoRA: {lora})
- `frontend.yaml`: {fb.num_mel_bins}-bin log-Mel fbank, {fb.frame_length_ms} ms / {fb.frame_shift_ms} ms
  frames, at {frontend.sample_rate} Hz; `cmvn.json`: global mean/variance statistics of the training data
- `decode.yaml`: beam size {decode.beam_size}, max new tokens {decode.max_new_tokens_factor} x adapter
  frames + {decode.max_new_tokens_constant}, no-repeat n-gram {decode.no_repeat_ngram_size}, repetition
  penalty {decode.repetition_penalty}
- `pack.json`: where it came from and the sha256 of every file

## Prompt

```
{template.render(speech="<speech>")}
```

## Results

{_results_body(results)}"""


def pack_model(model_dir: str | os.PathLike, out_dir: str | os.PathLike, frontend: DataConfig,
               cmvn: str | os.PathLike, decode: DecodeConfig, results: str | os.PathLike | None = None,
               merge_lora: bool = False, sources: dict | None = None) -> Path:
    """Build the packed folder at out_dir (replacing an older one only when the new one is complete)."""
    model_dir, out = Path(model_dir), Path(out_dir)
    if not (model_dir / "config.yaml").is_file() or not (model_dir / "speech.pt").is_file():
        raise ConfigError(f"{model_dir} is not a saved asrllm model (no config.yaml / speech.pt)")
    if not (model_dir / "llm").is_dir():
        raise ConfigError(f"{model_dir} has no LLM (llm/): an encoder-only model cannot transcribe")
    if not Path(cmvn).is_file():
        raise ConfigError(f"CMVN statistics {cmvn} not found (stage 5 writes <dumpdir>/global_cmvn.json)")
    tmp = out.with_name(f".{out.name}.tmp.{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.parent.mkdir(parents=True, exist_ok=True)
    try:
        _copy_model(model_dir, tmp, merge_lora)
        template = _write_prompt(tmp)
        with atomic_write(tmp / FRONTEND_YAML) as f:
            yaml.safe_dump({"sample_rate": frontend.sample_rate, "fbank": dataclasses.asdict(frontend.fbank)}, f,
                           sort_keys=False)
        shutil.copyfile(cmvn, tmp / CMVN_JSON)
        with atomic_write(tmp / DECODE_YAML) as f:
            yaml.safe_dump(decode.to_dict(), f, sort_keys=False)
        lora = "merged" if merge_lora and _has_lora(model_dir) else ("adapter in llm/ on llm_base/"
                                                                      if _has_lora(tmp) else "none")
        with atomic_write(tmp / README) as f:
            f.write(_readme(out.name, template, frontend, decode, lora, Path(results) if results else None))
        files = sorted(p for p in tmp.rglob("*") if p.is_file())
        manifest = {"source_model_dir": str(model_dir.resolve()), "cmvn": str(Path(cmvn).resolve()),
                    "results": str(Path(results).resolve()) if results else None, "lora": lora,
                    **(sources or {}), "environment": environment(),
                    "files": {p.relative_to(tmp).as_posix(): _sha256(p) for p in files}}
        with atomic_write(tmp / PACK_JSON) as f:
            json.dump(manifest, f, indent=1)
            f.write("\n")
        if out.exists():
            shutil.rmtree(out)
        os.replace(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out
