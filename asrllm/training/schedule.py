"""Learning-rate schedule: linear warm-up, then cosine decay to a floor."""

import math

import torch
from torch.optim.lr_scheduler import LambdaLR


class WarmupCosine:
    """LR factor after `step` optimizer updates (a picklable LambdaLR lambda).

    Warm-up: (step + 1) / warmup_steps, so the first update already moves. Then cosine from 1
    down to `min_lr_ratio` at `max_steps`, and flat at `min_lr_ratio` beyond.
    """

    def __init__(self, warmup_steps: int, max_steps: int, min_lr_ratio: float = 0.0) -> None:
        if warmup_steps < 0 or max_steps <= 0:
            raise ValueError(f"need warmup_steps >= 0 and max_steps > 0, got {warmup_steps}, {max_steps}")
        if not 0.0 <= min_lr_ratio <= 1.0:
            raise ValueError(f"min_lr_ratio must lie in [0, 1], got {min_lr_ratio}")
        self.warmup_steps = warmup_steps
        self.max_steps = max_steps
        self.min_lr_ratio = min_lr_ratio

    def __call__(self, step: int) -> float:
        if step < self.warmup_steps:
            return (step + 1) / self.warmup_steps
        span = max(1, self.max_steps - self.warmup_steps)
        progress = min(1.0, (step - self.warmup_steps) / span)
        return self.min_lr_ratio + (1.0 - self.min_lr_ratio) * 0.5 * (1.0 + math.cos(math.pi * progress))


def warmup_cosine(optimizer: torch.optim.Optimizer, warmup_steps: int, max_steps: int,
                  min_lr_ratio: float = 0.0) -> LambdaLR:
    """LambdaLR with WarmupCosine; its state_dict round-trips (the lambda is an object)."""
    return LambdaLR(optimizer, WarmupCosine(warmup_steps, max_steps, min_lr_ratio))
