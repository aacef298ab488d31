"""The optimizer: Adam/AdamW in parameter groups by weight decay and by train.lr_scale's peak lr."""

import torch
import torch.nn as nn

from asrllm.config import ConfigError
from asrllm.training.config import TrainerConfig
from asrllm.training.freeze import under_prefix


def lr_factor(name: str, lr_scale: dict[str, float]) -> float:
    """train.lr_scale's factor for parameter `name`: the longest matching module prefix, else 1."""
    hits = [p for p in lr_scale if under_prefix(name, p)]
    return lr_scale[max(hits, key=len)] if hits else 1.0


def build_optimizer(model: nn.Module, cfg: TrainerConfig) -> tuple[torch.optim.Optimizer, list[float], list[float]]:
    """Adam/AdamW over trainable parameters; 1-D ones (biases, norm scales) get no weight decay;
    train.lr_scale gives a module's parameters their own peak lr. Returns the optimizer and each
    group's weight decay and peak lr. `model` is the unwrapped module (names without DDP's prefix)."""
    named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    for prefix in cfg.lr_scale:
        if not any(under_prefix(n, prefix) for n, _ in named):
            raise ConfigError(f"train.lr_scale: '{prefix}' matches no trainable parameter")
    groups: dict[tuple[bool, float], list[nn.Parameter]] = {}
    for name, p in named:
        groups.setdefault((p.ndim < 2, cfg.lr * lr_factor(name, cfg.lr_scale)), []).append(p)
    keys = sorted(groups, key=lambda k: k[0])  # decayed groups first (stable: lr in order of appearance)
    wds = [0.0 if no_decay else cfg.weight_decay for no_decay, _ in keys]
    cls = torch.optim.AdamW if cfg.optim == "adamw" else torch.optim.Adam
    optimizer = cls([{"params": groups[k], "weight_decay": wd, "lr": k[1]} for k, wd in zip(keys, wds)],
                    lr=cfg.lr, betas=cfg.betas, eps=cfg.eps)
    return optimizer, wds, [lr for _, lr in keys]
