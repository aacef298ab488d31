"""Encoder drift during a stage that trains the encoder (joint SFT): linear CKA of the encoder's
frames to the frames it gave when the stage started, every `interval` updates, in drift.tsv with
the encoder's cumulative learning rate (the sum of its lr over the updates so far). The comparison
of paradigms reads it to report CKA at matched encoder steps x learning rate
(asrllm/recipe/compare.py).

Stage config:  drift: {interval: 10, max_utts: 64}   (utterances evenly spread over the validation set)
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

import torch

from asrllm.metrics.cka import CKAAccumulator
from asrllm.training.hotswap import encoder_outputs
from asrllm.training.optim import lr_factor
from asrllm.training.stage_config import DriftConfig
from asrllm.training.steplog import keep_rows_before

log = logging.getLogger(__name__)
HEADER = "step\tencoder_lr_sum\tcka_to_start\n"


class EncoderDrift:
    """Trainer hook: drift.tsv rows (step, encoder lr sum, CKA to the stage's first encoder).
    `reference` holds the encoder outputs on `eval_batches` before the first update (stateless:
    the lr sum follows from the schedule, so a resumed run writes what an uninterrupted one would)."""

    name = "encoder_drift"

    def __init__(self, cfg: DriftConfig, out_dir: Path, eval_batches: Iterable[dict], reference: list[torch.Tensor],
                 is_main: bool):
        self.cfg, self.tsv, self.eval_batches, self.reference = cfg, Path(out_dir) / "drift.tsv", eval_batches, reference
        self.is_main = is_main
        self._started = False

    @staticmethod
    def encoder_lr_sum(trainer, step: int) -> float:
        """The encoder's learning rate summed over updates 1..step (update k uses the schedule at k - 1)."""
        peak = trainer.config.lr * lr_factor("encoder", trainer.config.lr_scale)
        fn = trainer.scheduler.lr_lambdas[0]
        return peak * sum(fn(k) for k in range(step))

    def __call__(self, trainer, step: int) -> None:
        if not self._started:
            self._started = True
            if self.is_main and keep_rows_before(self.tsv, step):
                log.info("%s: rows from step %d on, left by an earlier run, removed", self.tsv, step)
        if step % self.cfg.interval:
            return
        acc = CKAAccumulator()
        for cur, ref in zip(encoder_outputs(trainer.module, self.eval_batches), self.reference):
            acc.update(cur, ref)
        cka = acc.value()
        trainer.log_scalars("drift", {"cka_to_start": cka}, step)
        if self.is_main:
            new = not self.tsv.exists()
            with open(self.tsv, "a", encoding="utf-8") as f:
                f.write((HEADER if new else "") + f"{step}\t{self.encoder_lr_sum(trainer, step):.6g}\t{cka:.6f}\n")
