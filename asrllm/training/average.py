"""Average the weights of several checkpoints (the usual last-N or best-N model averaging)."""

import json
from collections.abc import Sequence
from pathlib import Path

import torch

from asrllm.training.checkpoint import CheckpointError, CheckpointManager, read_model_state


def average_state_dicts(states: Sequence[dict[str, torch.Tensor]],
                        names: Sequence[str] | None = None) -> dict[str, torch.Tensor]:
    """Mean of floating-point tensors (accumulated in float64, cast back); other tensors
    (e.g. BatchNorm's num_batches_tracked) are taken from the last state dict."""
    if not states:
        raise CheckpointError("nothing to average")
    names = list(names) if names is not None else [f"state {i}" for i in range(len(states))]
    ref_keys = set(states[0])
    for name, sd in zip(names[1:], states[1:]):
        if set(sd) != ref_keys:
            diff = sorted(ref_keys ^ set(sd))
            raise CheckpointError(f"{name}: keys differ from {names[0]}: {diff[:5]}")
    out = {}
    for key in states[0]:
        tensors = [sd[key] for sd in states]
        for name, t in zip(names, tensors):
            if t.shape != tensors[0].shape:
                raise CheckpointError(f"{name}: {key} has shape {tuple(t.shape)}, {names[0]} {tuple(tensors[0].shape)}")
        if tensors[0].is_floating_point():
            acc = torch.zeros_like(tensors[0], dtype=torch.float64)
            for t in tensors:
                acc += t.to(torch.float64)
            out[key] = (acc / len(tensors)).to(tensors[0].dtype)
        else:
            out[key] = tensors[-1].clone()
    return out


def select_checkpoints(directory: str | Path, num: int | None = None, steps: Sequence[int] | None = None,
                       best: bool = False) -> list[Path]:
    """Checkpoint files to average: explicit steps, the best N from best.json, or the last N."""
    directory = Path(directory)
    manager = CheckpointManager(directory, writer=False)
    present = manager.steps()
    if steps:
        chosen = list(steps)
    elif best:
        best_file = directory / "best.json"
        if not best_file.is_file():
            raise FileNotFoundError(f"{best_file}: no best-checkpoint list (was validation run?)")
        entries = json.loads(best_file.read_text(encoding="utf-8"))["entries"]
        chosen = [e["step"] for e in entries][: num or len(entries)]
    else:
        if num is None or num < 1:
            raise CheckpointError("give --num N (>= 1), --steps or --best")
        chosen = present[-num:]
    missing = [s for s in chosen if s not in present]
    if missing:
        raise FileNotFoundError(f"{directory}: no checkpoint for step(s) {missing}; present: {present}")
    if not chosen:
        raise FileNotFoundError(f"{directory}: no checkpoints")
    return [manager.path(s) for s in sorted(chosen)]


def average_checkpoints(paths: Sequence[str | Path]) -> dict[str, torch.Tensor]:
    """Averaged 'model' weights of the given checkpoint (or averaged) files."""
    states = [read_model_state(p) for p in paths]
    return average_state_dicts(states, [str(p) for p in paths])
