"""Build a SpeechLLM from the `model:` config section (its keys: asrllm/models/config.py), and save/load
it as a self-describing folder.

A saved folder holds config.yaml (with every path it needs replaced by a file inside the folder),
speech.pt (encoder, CTC heads, attention decoder, adapter), units/<head>.txt, prompt.yaml and llm/
(the HF model and tokenizer; LoRA weights as a peft adapter in llm/ on top of llm_base/, or merged
on request).
"""

from __future__ import annotations

import copy
import os
import shutil
from pathlib import Path

import torch
import yaml

from asrllm.config import ConfigError, load_config
from asrllm.models.config import ModelConfig
from asrllm.models.objective import Objective
from asrllm.models.speech_llm import SpeechLLM
from asrllm.utils.atomic import atomic_write


def build_model(cfg: dict, with_llm: bool = True, llm: tuple | None = None, objective: Objective | None = None,
                specaug=None) -> SpeechLLM:
    """A SpeechLLM from the `model:` mapping, checked as ModelConfig (SpeechLLM.from_config has the rest:
    with_llm=False builds the encoder side only; `llm` an (llm, tokenizer) pair made elsewhere).
    `objective` (None: the model's default, asrllm/models/objective.py) and `specaug` (CR-CTC's in-model
    views) go to the constructor."""
    return SpeechLLM.from_config(ModelConfig.from_dict(cfg), with_llm=with_llm, llm=llm, objective=objective,
                                 specaug=specaug)


def speech_state(model: SpeechLLM) -> dict[str, torch.Tensor]:
    """Weights of everything but the LLM."""
    return {k: v for k, v in model.state_dict().items() if not k.startswith("llm.")}


def save_pretrained(model: SpeechLLM, cfg: dict, out_dir: str | os.PathLike, merge_lora: bool = False) -> Path:
    """Write the whole model as a folder that from_pretrained() rebuilds without the original paths."""
    out = Path(out_dir)
    tmp = out.with_name(f".{out.name}.tmp.{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    cfg = copy.deepcopy(cfg)
    (tmp / "units").mkdir()
    for name, head in (cfg.get("ctc_heads") or {}).items():
        shutil.copy(head["units"], tmp / "units" / f"{name}.txt")
        head["units"] = f"units/{name}.txt"
    if isinstance(cfg.get("prompt"), (str, os.PathLike)):
        cfg["prompt"] = load_config(cfg["prompt"])
    torch.save(speech_state(model), tmp / "speech.pt")
    if model.llm is not None:
        llm = model.llm
        is_peft = hasattr(llm, "peft_config")
        if is_peft and merge_lora:
            llm = llm.merge_and_unload()
            is_peft = False
        if is_peft:
            base = llm.get_base_model()  # its modules are LoRA-wrapped: save the plain base weights
            plain = {k.replace(".base_layer.", "."): v for k, v in base.state_dict().items() if "lora_" not in k}
            base.save_pretrained(tmp / "llm_base", state_dict=plain)
            llm.save_pretrained(tmp / "llm")
            cfg["llm"] = {"path": "llm", "base_path": "llm_base"}
        else:
            llm.save_pretrained(tmp / "llm")
            cfg["llm"] = {"path": "llm"}
        model.prompt.tokenizer.save_pretrained(tmp / "llm")
    with atomic_write(tmp / "config.yaml") as f:
        yaml.safe_dump({"model": cfg}, f, allow_unicode=True, sort_keys=False)
    if out.exists():
        shutil.rmtree(out)
    os.replace(tmp, out)
    return out


def _resolve_paths(cfg: dict, root: Path) -> dict:
    cfg = copy.deepcopy(cfg)
    for head in (cfg.get("ctc_heads") or {}).values():
        head["units"] = str(root / head["units"])
    if cfg.get("llm"):
        for key in ("path", "base_path"):
            if key in cfg["llm"]:
                cfg["llm"][key] = str(root / cfg["llm"][key])
    return cfg


def load_model_config(model_dir: str | os.PathLike) -> dict:
    root = Path(model_dir)
    if not (root / "config.yaml").is_file():
        raise ConfigError(f"{root} is not a saved asrllm model (no config.yaml)")
    return _resolve_paths(load_config(root / "config.yaml")["model"], root)


def from_pretrained(model_dir: str | os.PathLike, with_llm: bool = True) -> tuple[SpeechLLM, dict]:
    """Rebuild a model saved by save_pretrained; returns (model, resolved model config)."""
    cfg = load_model_config(model_dir)
    model = build_model(cfg, with_llm=with_llm)
    state = torch.load(Path(model_dir) / "speech.pt", map_location="cpu", weights_only=True)
    missing, unexpected = model.load_state_dict(state, strict=False)
    unexpected = [k for k in unexpected if with_llm or not k.startswith("adapter.")]
    missing = [k for k in missing if not k.startswith("llm.")]
    if missing or unexpected:
        raise ConfigError(f"{model_dir}/speech.pt does not fit its config: missing {missing[:5]}, "
                          f"unexpected {unexpected[:5]}")
    return model, cfg
