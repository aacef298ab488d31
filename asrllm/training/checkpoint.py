"""Checkpoint files: atomic writes, a `latest` pointer, keep-last-K, keep-best-N, safe loading.

Layout of a checkpoint directory:
  ckpt_<step>.pt   one dict per saved step (see README.md for the keys)
  latest           text: the file name of the newest checkpoint (for tools and people)
  best.json        {"metric", "mode", "entries": [{"step", "value"}, ...]} best first
A file is written as `.<name>.tmp.<pid>`, fsynced and renamed, so a kill -9 at any moment
leaves only complete checkpoints (plus a temporary that the next writer removes). Loading walks
the checkpoints newest first and skips, with a warning naming it, any file that cannot be read.
Files are read with torch.load(weights_only=True): states put in a checkpoint must be plain
Python values, lists, dicts and tensors.
"""

import json
import logging
import math
import os
import pickle
import re
from pathlib import Path
from typing import Any

import torch

from asrllm.errors import UserError
from asrllm.utils.atomic import atomic_write, check_writable

log = logging.getLogger(__name__)

FORMAT = "asrllm-train-checkpoint"
VERSION = 1
_NAME = re.compile(r"^ckpt_(\d+)\.pt$")
_TEMP = re.compile(r"^\.(ckpt_\d+\.pt|latest|best\.json)\.tmp\.\d+$")


def read_checkpoint(path: str | os.PathLike) -> dict[str, Any]:
    """Load one checkpoint (CPU tensors); raises on a truncated, corrupt or foreign file."""
    state = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise ValueError(f"{path}: not an asrllm training checkpoint")
    return state


class CheckpointError(UserError, ValueError):
    """A checkpoint file that cannot be read or used as asked."""


def read_model_state(path: str | os.PathLike) -> dict[str, torch.Tensor]:
    """The weights of a training checkpoint or of an averaged file (both keep them in 'model')."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except (RuntimeError, EOFError, pickle.UnpicklingError) as e:  # truncated, not a torch file
        why = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise CheckpointError(f"{path}: not a readable checkpoint ({why})") from None
    if not isinstance(state, dict) or not isinstance(state.get("model"), dict):
        raise CheckpointError(f"{path}: no 'model' state dict in this file")
    return state["model"]


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class CheckpointManager:
    """Save, prune and find checkpoints in one directory.

    keep_last: the newest K checkpoints stay; keep_best: the N best by `metric` stay too
    (`mode` "min" or "max"). Only one process (rank 0) should be the writer.
    """

    def __init__(self, directory: str | os.PathLike, keep_last: int = 3, keep_best: int = 1,
                 metric: str = "valid_loss", mode: str = "min", writer: bool = True) -> None:
        if keep_last < 1:
            raise ValueError(f"keep_last must be >= 1, got {keep_last}")
        if keep_best < 0:
            raise ValueError(f"keep_best must be >= 0, got {keep_best}")
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be min or max, got {mode!r}")
        self.dir = Path(directory)
        self.keep_last, self.keep_best, self.metric, self.mode = keep_last, keep_best, metric, mode
        self.writer = writer
        if writer:
            check_writable(self.dir)  # fail at start, not at the first save
            self._remove_temporaries()

    # ---- files ---------------------------------------------------------------------------
    def path(self, step: int) -> Path:
        return self.dir / f"ckpt_{step}.pt"

    def steps(self) -> list[int]:
        """Steps of the checkpoint files present, ascending."""
        if not self.dir.is_dir():
            return []
        return sorted(int(m.group(1)) for p in self.dir.iterdir() if (m := _NAME.match(p.name)))

    def _remove_temporaries(self) -> None:
        for p in self.dir.iterdir():
            if _TEMP.match(p.name):
                log.warning("removing %s, left by an interrupted write", p)
                p.unlink(missing_ok=True)

    # ---- best-N bookkeeping --------------------------------------------------------------
    def best(self) -> list[dict]:
        """[{"step", "value"}] best first (empty when none recorded or the metric changed)."""
        path = self.dir / "best.json"
        if not path.is_file():
            return []
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as e:
            log.warning("%s: unreadable (%s); best-checkpoint list starts afresh", path, e)
            return []
        if data.get("metric") != self.metric or data.get("mode") != self.mode:
            log.warning("%s ranks by %s/%s, this run by %s/%s; best-checkpoint list starts afresh",
                        path, data.get("metric"), data.get("mode"), self.metric, self.mode)
            return []
        return list(data.get("entries", []))

    def _write_best(self, entries: list[dict]) -> None:
        with atomic_write(self.dir / "best.json") as f:
            json.dump({"metric": self.metric, "mode": self.mode, "entries": entries}, f, indent=1)
            f.write("\n")

    def _update_best(self, step: int, metrics: dict[str, float] | None) -> None:
        if self.keep_best == 0 or not metrics or self.metric not in metrics:
            return
        value = float(metrics[self.metric])
        if not math.isfinite(value):
            log.warning("step %d: %s is %s; not ranked among the best", step, self.metric, value)
            return
        entries = [e for e in self.best() if e["step"] != step] + [{"step": step, "value": value}]
        entries.sort(key=lambda e: (e["value"] if self.mode == "min" else -e["value"], -e["step"]))
        self._write_best(entries[: self.keep_best])

    # ---- save / prune / load -------------------------------------------------------------
    def save(self, state: dict[str, Any], step: int, metrics: dict[str, float] | None = None) -> Path:
        """Write `state` as ckpt_<step>.pt atomically, then update `latest`, best.json, prune."""
        if not self.writer:
            raise RuntimeError("this CheckpointManager is not the writer (rank 0 writes)")
        state = {"format": FORMAT, "version": VERSION, **state, "step": step, "metrics": dict(metrics or {})}
        path = self.path(step)
        with atomic_write(path, "wb") as f:
            torch.save(state, f)
        with atomic_write(self.dir / "latest") as f:
            f.write(path.name + "\n")
        _fsync_dir(self.dir)
        self._update_best(step, metrics)
        self.prune()
        return path

    def prune(self) -> None:
        """Delete checkpoints that are neither among the newest K nor among the best N."""
        steps = self.steps()
        keep = set(steps[-self.keep_last:]) | {e["step"] for e in self.best()}
        for step in steps:
            if step not in keep:
                self.path(step).unlink(missing_ok=True)

    def load_latest(self) -> dict[str, Any] | None:
        """The newest readable checkpoint, or None when there is none.

        A file that fails to load (truncated, corrupt) is reported with a warning and the
        previous one is tried.
        """
        for step in reversed(self.steps()):
            path = self.path(step)
            try:
                state = read_checkpoint(path)
            except Exception as e:  # noqa: BLE001 - any failure means "not loadable"
                log.warning("checkpoint %s cannot be loaded (%s: %s); falling back to the previous one",
                            path, type(e).__name__, str(e).splitlines()[0] if str(e) else "")
                continue
            if state.get("step") != step:
                log.warning("checkpoint %s says step %s; skipping it", path, state.get("step"))
                continue
            return state
        return None

    def discard_after(self, step: int) -> None:
        """After resuming from `step` (-1: from scratch): set newer, unloadable files aside as
        *.pt.bad (kept for inspection, never loaded) and drop them from best.json."""
        if not self.writer:
            return
        for s in self.steps():
            if s > step:
                bad = self.path(s).with_suffix(".pt.bad")
                log.warning("moving unloadable %s to %s", self.path(s), bad.name)
                os.replace(self.path(s), bad)
        entries = self.best()
        kept = [e for e in entries if e["step"] <= step]
        if len(kept) != len(entries):
            self._write_best(kept)
        if step in self.steps():
            with atomic_write(self.dir / "latest") as f:
                f.write(self.path(step).name + "\n")
        else:
            (self.dir / "latest").unlink(missing_ok=True)
