"""The evaluation utterances of one data dir, in length-sorted batches with bounded memory.

At most `max_utts` utterances, evenly spaced over the (sorted) data dir, so the subset is the same
for every model and every run. Batches hold at most `frames_budget` padded input frames.
"""

import os

import numpy as np
import torch

from asrllm.data.collate import collate_speech
from asrllm.data.config import DataConfig
from asrllm.loading.dataset import SpeechDataset
from asrllm.loading.loader import SpeechBatches, batch_plan
from asrllm.kaldi.table import DataError


def evenly_spaced(n: int, k: int) -> np.ndarray:
    """k indices spread evenly over range(n) (all of them when k >= n)."""
    if k >= n:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, k).round().astype(np.int64))


class EvalSet:
    def __init__(self, data_dir: str | os.PathLike, data_cfg: DataConfig, cmvn: str | os.PathLike | None,
                 max_utts: int, frames_budget: int = 0, tables: tuple[str, ...] = ("text", "text.phone")):
        self.data_dir = str(data_dir)
        self.dataset = SpeechDataset(self.data_dir, data_cfg, split="eval", cmvn=cmvn, tables=tables)
        if len(self.dataset) == 0:
            raise DataError(f"{data_dir}: no utterances")
        self.indices = evenly_spaced(len(self.dataset), max_utts)
        self.frames_budget = frames_budget or data_cfg.batching.frames_budget
        self.num_workers = data_cfg.batching.num_workers

    def __len__(self) -> int:
        return len(self.indices)

    def table(self, name: str) -> dict[str, str]:
        """{uttid: value} of a table for the selected utterances (read from disk on demand)."""
        idx = self.dataset.index
        return {idx.uttid(int(i)): idx.value(name, int(i)) for i in self.indices}

    def batches(self):
        """Collated batches (feats, feats_lengths, uttids, tables) in length order."""
        plan = batch_plan(self.dataset.lengths, self.frames_budget, rows=self.indices)
        yield from SpeechBatches(self.dataset, plan, collate_speech, workers=self.num_workers)


@torch.no_grad()
def encode(model, batch: dict, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """Encoder frames [B, T, D] (float32, on device) and their lengths for a collated batch."""
    frames, lens = model.encoder(batch["feats"].to(device), batch["feats_lengths"].to(device))
    return frames.float(), lens
