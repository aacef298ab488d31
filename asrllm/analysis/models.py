"""What the analysis compares: named encoders from saved model folders or encoder snapshots.

A model is given as NAME=PATH. NAME is `<paradigm>/<stage>` (e.g. entropy/pretrain,
conventional/joint, entropy/snapshot_15): the plots group by paradigm and order by stage. PATH is a
saved model folder (config.yaml + speech.pt), a stage folder holding final/, or a .pt file: an
encoder snapshot (encoder.* / ctc_heads.* weights) or a training checkpoint ('model' weights),
built from the config of `<snapshot dir>/../final` unless a config folder is given.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import torch

from asrllm.config import ConfigError
from asrllm.models.build import build_model, from_pretrained, load_model_config

STAGES = ("pretrain", "align", "iasft", "joint")  # training stages 7-10, in order


@dataclass(frozen=True)
class ModelSpec:
    name: str
    path: Path
    config_dir: Path | None = None  # for .pt files: the saved model folder whose config builds them

    @property
    def paradigm(self) -> str:
        return self.name.split("/", 1)[0]

    @property
    def stage(self) -> str:
        return self.name.split("/", 1)[1] if "/" in self.name else self.name

    def weights_file(self) -> Path:
        return self.path if self.path.is_file() else self.path / "speech.pt"


def model_folder(path: Path) -> Path:
    """A saved model folder: path itself, or path/final for a training stage folder."""
    if (path / "config.yaml").is_file():
        return path
    if (path / "final" / "config.yaml").is_file():
        return path / "final"
    raise ConfigError(f"{path}: neither a saved model folder (config.yaml) nor a stage folder with final/")


def parse_model(arg: str, snapshot_config: str | None = None) -> ModelSpec:
    """'entropy/joint=exp/asr_llm_entropy/joint' -> ModelSpec."""
    name, sep, path = arg.partition("=")
    if not sep or not name or not path:
        raise ConfigError(f"--models: expected NAME=PATH (e.g. entropy/joint=exp/asr_llm_entropy/joint), got {arg!r}")
    p = Path(path)
    if p.is_file():
        cfg = Path(snapshot_config) if snapshot_config else p.parent.parent / "final"
        return ModelSpec(name, p, model_folder(cfg))
    if not p.exists():
        raise ConfigError(f"--models {name}: {p} does not exist")
    return ModelSpec(name, model_folder(p))


def discover(exp_dir: str | os.PathLike, paradigm: str) -> list[ModelSpec]:
    """The final model of every training stage an experiment folder has, as <paradigm>/<stage>."""
    out = []
    for stage in STAGES:
        folder = Path(exp_dir) / stage / "final"
        if (folder / "config.yaml").is_file():
            out.append(ModelSpec(f"{paradigm}/{stage}", folder))
    return out


def _weights(path: Path) -> dict[str, torch.Tensor]:
    state = torch.load(path, map_location="cpu", weights_only=True)
    if isinstance(state, dict) and isinstance(state.get("model"), dict):
        state = state["model"]
    if not isinstance(state, dict) or not any(k.startswith("encoder.") for k in state):
        raise ConfigError(f"{path}: no encoder.* weights (not a snapshot, checkpoint or speech.pt)")
    return state


def load_model(spec: ModelSpec, device: torch.device):
    """The encoder side (encoder + CTC heads) of a model, in eval mode on device."""
    if spec.config_dir is None:
        model, _ = from_pretrained(spec.path, with_llm=False)
    else:
        model = build_model(load_model_config(spec.config_dir), with_llm=False)
        state = {k: v for k, v in _weights(spec.path).items() if k.startswith(("encoder.", "ctc_heads."))}
        missing, unexpected = model.load_state_dict(state, strict=False)
        missing = [k for k in missing if k.startswith("encoder.")]
        if missing or unexpected:
            raise ConfigError(f"{spec.path} does not fit the config of {spec.config_dir}: missing {missing[:5]}, "
                              f"unexpected {unexpected[:5]}")
    return model.to(device).eval()


def head_units(spec: ModelSpec, head: str) -> str:
    """The units.txt of one CTC head of a model (from its saved config)."""
    folder = spec.config_dir or spec.path
    heads = load_model_config(folder).get("ctc_heads") or {}
    if head not in heads:
        raise ConfigError(f"{folder}: the model has no '{head}' CTC head (heads: {', '.join(heads) or 'none'})")
    return heads[head]["units"]


def same_model(a: ModelSpec, b: ModelSpec) -> bool:
    return a.path.resolve() == b.path.resolve()


def encoder_digest(model) -> str:
    """A hash of the encoder's weights (names, shapes, values): the frames every metric is computed
    from. IA-SFT's final model, for one, carries the last hot-swapped snapshot unchanged."""
    h = hashlib.sha256()
    for name, t in sorted(model.encoder.state_dict().items()):
        h.update(f"{name}:{tuple(t.shape)}:{t.dtype}".encode())
        h.update(t.detach().cpu().contiguous().view(-1).view(torch.uint8).numpy().tobytes())
    return h.hexdigest()
