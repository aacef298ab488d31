"""CKA-triggered encoder snapshots (pre-training) and their hot-swap into IA-SFT.

Pre-training (CKAMonitor, a Trainer hook): from `cka.start_step` the encoder is snapshotted as the
reference; every `cka.interval` steps linear CKA between the current encoder's outputs and the
reference's, on a fixed evaluation subset, is logged to cka.tsv; when it drops below the threshold
the current encoder is snapshotted, recorded as a trigger in swaps.json and becomes the reference.
At the end the final encoder is recorded too ("final": pre-training finished).

IA-SFT (EncoderSwap hook): the triggers after the first (which initialised alignment), then the
final encoder, are loaded into the frozen encoder while adapter and LLM keep training with their
optimizer state. sequential mode swaps at configured (or evenly spaced) IA-SFT steps; concurrent
mode swaps as soon as swaps.json lists a new snapshot. Every swap is recorded with its IA-SFT step
(swaps_applied.json and the checkpoint), and a resumed run reloads the encoder of the last one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
import time
from pathlib import Path

import torch

from asrllm.metrics.cka import CKAAccumulator
from asrllm.training.distributed import broadcast_object
from asrllm.training.stage_config import CKAConfig, SwapConfig
from asrllm.training.state import load_named_weights
from asrllm.training.steplog import keep_rows_before
from asrllm.training.swaps import ends_with_final, read_swaps, swap_queue, write_json, write_swaps

log = logging.getLogger(__name__)
SNAPSHOT_PREFIXES = ("encoder.", "ctc_heads.")


def encoder_state(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    """The encoder and CTC heads' weights (what a snapshot holds)."""
    return {k: v.detach().cpu().clone() for k, v in module.state_dict().items() if k.startswith(SNAPSHOT_PREFIXES)}


def save_snapshot(module: torch.nn.Module, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    torch.save(encoder_state(module), tmp)
    tmp.replace(path)


def load_snapshot(path: str | Path, only_encoder: bool = False,
                  prefixes: tuple[str, ...] = ("encoder.",)) -> dict[str, torch.Tensor]:
    """A snapshot's weights; only_encoder keeps those under `prefixes` (what a swap replaces)."""
    state = torch.load(path, map_location="cpu", weights_only=True)
    return {k: v for k, v in state.items() if not only_encoder or k.startswith(prefixes)}


@torch.no_grad()
def encoder_outputs(module, batches: Iterable[dict]) -> list[torch.Tensor]:
    """Encoder frames of each evaluation batch (valid frames only, rows = frames), in eval mode."""
    was_training = module.encoder.training
    module.encoder.eval()
    device = next(module.parameters()).device
    outs = []
    for batch in batches:
        frames, lens = module.encoder(batch["feats"].to(device), batch["feat_lens"].to(device))
        mask = torch.arange(frames.shape[1], device=device)[None] < lens[:, None]
        outs.append(frames[mask].float().cpu())
    module.encoder.train(was_training)
    return outs


class CKAMonitor:
    """Trainer hook for pre-training: snapshots, cka.tsv, swaps.json."""

    name = "cka_monitor"

    def __init__(self, cfg: CKAConfig, out_dir: Path, eval_batches: Iterable[dict], is_main: bool):
        self.cfg, self.out_dir, self.eval_batches, self.is_main = cfg, Path(out_dir), eval_batches, is_main
        self.snap_dir = self.out_dir / "snapshots"
        self.reference_step: int | None = None
        self.triggers: list[dict] = []
        self._reference_out: list[torch.Tensor] | None = None
        self._started = False

    def state_dict(self) -> dict:
        return {"reference_step": self.reference_step, "triggers": list(self.triggers)}

    def _forget_after(self, step: int) -> None:
        """First call of this process, at `step`: what an earlier run wrote from `step` on is not this
        run's history. cka.tsv keeps only the rows before it (a resume repeats the later steps; a
        restart from scratch keeps none), and a fresh start also empties swaps.json, whose
        snapshots belong to the abandoned run."""
        self._started = True
        if not self.is_main:
            return
        dropped = keep_rows_before(self.out_dir / "cka.tsv", step)
        if dropped:
            log.info("cka.tsv: %d row(s) from step %d on, left by an earlier run, removed", dropped, step)
        if self.reference_step is None and (self.out_dir / "swaps.json").is_file():
            self._write()

    def load_state_dict(self, state: dict) -> None:
        self.reference_step = state["reference_step"]
        self.triggers = list(state["triggers"])
        self._reference_out = None  # recomputed from the reference snapshot when needed

    def _snapshot(self, trainer, step: int) -> Path:
        path = self.snap_dir / f"snapshot_{step}.pt"
        if self.is_main:
            save_snapshot(trainer.module, path)
        return path

    def _reference_outputs(self, trainer) -> list[torch.Tensor]:
        if self._reference_out is None:
            current = encoder_state(trainer.module)
            ref = load_snapshot(self.snap_dir / f"snapshot_{self.reference_step}.pt")
            trainer.module.load_state_dict(ref, strict=False)
            self._reference_out = encoder_outputs(trainer.module, self.eval_batches)
            trainer.module.load_state_dict(current, strict=False)
        return self._reference_out

    def _write(self) -> None:
        if self.is_main:
            write_swaps(self.out_dir / "swaps.json", self.cfg.threshold, self.triggers, None)

    def __call__(self, trainer, step: int) -> None:
        if not self._started:
            self._forget_after(step)
        if step < self.cfg.start_step:
            return
        if self.reference_step is None:
            self._snapshot(trainer, step)
            self.reference_step = step
            self._reference_out = encoder_outputs(trainer.module, self.eval_batches)
            log.info("CKA reference: encoder snapshot at step %d", step)
            self._write()
            return
        if (step - self.cfg.start_step) % self.cfg.interval:
            return
        acc = CKAAccumulator()
        for cur, ref in zip(encoder_outputs(trainer.module, self.eval_batches), self._reference_outputs(trainer)):
            acc.update(cur, ref)
        cka = acc.value()
        trainer.log_scalars("cka", {"to_reference": cka}, step)
        triggered = cka < self.cfg.threshold
        if self.is_main:
            tsv = self.out_dir / "cka.tsv"
            new = not tsv.exists()
            with open(tsv, "a", encoding="utf-8") as f:
                if new:
                    f.write("step\treference_step\tcka\ttriggered\n")
                f.write(f"{step}\t{self.reference_step}\t{cka:.6f}\t{int(triggered)}\n")
        if triggered:
            path = self._snapshot(trainer, step)
            self.triggers.append({"index": len(self.triggers) + 1, "step": step, "cka": cka,
                                  "reference_step": self.reference_step, "snapshot": str(path.resolve())})
            log.info("CKA %.4f < %.4f at step %d: snapshot %s triggers a swap", cka, self.cfg.threshold, step, path)
            self.reference_step = step
            self._reference_out = None
            self._write()
            trainer.request_checkpoint()

    def finish(self, trainer) -> None:
        """Record the final encoder (pre-training ended): IA-SFT swaps it in last."""
        if not self.is_main:
            return
        path = self.snap_dir / f"snapshot_{trainer.step}_final.pt"
        save_snapshot(trainer.module, path)
        write_swaps(self.out_dir / "swaps.json", self.cfg.threshold if self.cfg else None, self.triggers,
                    {"step": trainer.step, "snapshot": str(path.resolve())})


def default_swap_steps(n: int, max_steps: int, final_last: bool) -> list[int]:
    """Sequential swap steps: the final encoder (last in the queue) at max_steps / 2, the snapshots
    before it evenly over the first half (the paper's 1M / 1M / 2M); without a final encoder, all of
    them evenly over the whole run."""
    if not final_last:
        return [round((k + 1) * max_steps / (n + 1)) for k in range(n)]
    half = max_steps / 2
    return [round((k + 1) * half / n) for k in range(n - 1)] + [round(half)]


def final_steps(cfg: SwapConfig, max_steps: int) -> int:
    """Concurrent mode: how many of the last steps train with the final encoder (null: half)."""
    return max_steps // 2 if cfg.final_steps is None else cfg.final_steps


class EncoderSwap:
    """Trainer hook for IA-SFT: loads newer encoder snapshots into the frozen encoder."""

    name = "encoder_swap"

    def __init__(self, cfg: SwapConfig, swaps_path: Path, out_dir: Path, max_steps: int, is_main: bool):
        self.cfg, self.swaps_path, self.out_dir, self.is_main = cfg, Path(swaps_path), Path(out_dir), is_main
        self.max_steps = max_steps
        self.applied: list[dict] = []
        self._model = None
        self._module = None
        if cfg.mode == "sequential":
            swaps = read_swaps(self.swaps_path)
            self.queue = swap_queue(swaps)
            steps = cfg.steps or default_swap_steps(len(self.queue), max_steps, ends_with_final(swaps, self.queue))
            if len(steps) != len(self.queue):
                raise ValueError(f"swap.steps lists {len(steps)} steps for {len(self.queue)} snapshots "
                                 f"in {self.swaps_path}")
            self.schedule = dict(zip(steps, self.queue))

    def bind(self, trainer) -> None:
        self._model, self._module = trainer.model, trainer.module

    def state_dict(self) -> dict:
        return {"applied": list(self.applied)}

    def load_state_dict(self, state: dict) -> None:
        """Resume: the encoder weights are not in the checkpoint (frozen), reload the last swap's."""
        self.applied = list(state["applied"])
        if self.applied and self._module is not None:
            last = self.applied[-1]
            load_named_weights(self._model, self._module,
                               load_snapshot(last["snapshot"], True),
                               last["snapshot"])
            log.info("resume: encoder reloaded from %s (swapped in at IA-SFT step %d)", last["snapshot"], last["step"])

    def _apply(self, trainer, step: int, snapshot: str) -> None:
        load_named_weights(trainer.model, trainer.module,
                           load_snapshot(snapshot, True), snapshot)
        self.applied.append({"step": step, "snapshot": snapshot})
        log.info("IA-SFT step %d: encoder hot-swapped to %s", step, snapshot)
        trainer.log_scalars("swap", {"count": len(self.applied)}, step)
        if self.is_main:
            write_json(self.out_dir / "swaps_applied.json", {"mode": self.cfg.mode, "applied": self.applied})
        trainer.request_checkpoint()

    def __call__(self, trainer, step: int) -> None:
        done = {a["snapshot"] for a in self.applied}
        if self.cfg.mode == "sequential":
            snap = self.schedule.get(step)
            if snap and snap not in done:
                self._apply(trainer, step, snap)
            return
        if step == self.max_steps - final_steps(self.cfg, self.max_steps):
            self._wait_for_final(trainer)
        elif step % self.cfg.poll_every:
            return
        # rank 0 reads swaps.json and decides, so every rank swaps at the same step; when several
        # snapshots appeared since the last look, the newest is swapped in
        pending = None
        if self.is_main:
            queue = swap_queue(read_swaps(self.swaps_path))
            last = self.applied[-1]["snapshot"] if self.applied else None
            pending = queue[queue.index(last) + 1:] if last in queue else queue
        dist = getattr(trainer, "dist", None)
        if dist is not None and dist.is_distributed:
            pending = broadcast_object(pending, dist)
        if pending:
            self._apply(trainer, step, pending[-1])

    def _wait_for_final(self, trainer) -> None:
        """Concurrent mode: block until pre-training has recorded its final encoder."""
        deadline = time.time() + self.cfg.wait_timeout_s
        if self.is_main:
            log.info("IA-SFT step %d: waiting for pre-training to finish (%s)", trainer.step, self.swaps_path)
            while not read_swaps(self.swaps_path).get("final"):
                if time.time() > deadline:
                    raise TimeoutError(f"pre-training did not finish within {self.cfg.wait_timeout_s} s "
                                       f"({self.swaps_path} has no final encoder)")
                time.sleep(2.0)
