"""The one data loader. Every reader of a data dir gets its batches the same way:
training, validation, the CKA / drift subsets, decoding, the analysis stage and the loader benchmark.

  plan = batch_plan(dataset.lengths, frames_budget, rows=..., shuffle=..., rank=..., world_size=...)
  for batch in SpeechBatches(dataset, plan, collate, workers=...): ...

A plan is an iterable of lists of dataset keys (a DynamicBatchSampler, one over a subset of rows, or a
fixed list of index lists). SpeechBatches reads and collates one batch at a time, so nothing holds a
whole set: with workers=None in this process (drawing nothing from the torch RNG, which validation
between training steps must not move), with workers >= 0 through a torch DataLoader.
"""

from collections.abc import Callable, Iterable, Iterator

import numpy as np
import torch
from torch.utils.data import DataLoader

from asrllm.data.collate import collate_speech
from asrllm.data.config import DataConfig
from asrllm.loading.dataset import SpeechDataset
from asrllm.data.sampler import DynamicBatchSampler, SampleKey
from asrllm.features.cmvn import GlobalCmvn


def _worker_init(_worker_id: int) -> None:
    torch.set_num_threads(1)  # each worker is one core's worth of decoding + fbank


class RowPlan:
    """A batch sampler over a subset of a dataset's rows whose keys name the dataset's rows."""

    def __init__(self, sampler: DynamicBatchSampler, rows: np.ndarray):
        self.sampler, self.rows = sampler, np.asarray(rows, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.sampler)

    def __iter__(self) -> Iterator[list[SampleKey]]:
        for keys in self.sampler:
            yield [k._replace(index=int(self.rows[k.index])) for k in keys]


def batch_plan(lengths: np.ndarray, frames_budget: int, *, rows: np.ndarray | None = None, max_batch_size: int = 0,
               shuffle: bool = False, seed: int = 0, rank: int = 0, world_size: int = 1,
               pool_size: int = 20000) -> DynamicBatchSampler | RowPlan:
    """Batches of at most frames_budget padded frames (and max_batch_size utterances, 0: any) over
    every utterance or over `rows`; shuffled (training: pools sorted by length, then the batches
    shuffled) or in length order (evaluation). This rank's share of the batches."""
    if rows is None:
        return DynamicBatchSampler(lengths, frames_budget, seed=seed, rank=rank, world_size=world_size,
                                   max_batch_size=max_batch_size, pool_size=pool_size, shuffle=shuffle)
    sampler = DynamicBatchSampler(np.asarray(lengths)[rows], frames_budget, seed=seed, rank=rank,
                                  world_size=world_size, max_batch_size=max_batch_size, pool_size=pool_size,
                                  shuffle=shuffle)
    return RowPlan(sampler, rows)


class SpeechBatches:
    """Batches of `dataset` in the order of `plan`, collated as they are read, every time it is iterated.

    workers=None: read in this process, without a DataLoader. workers >= 0: one DataLoader for the
    object's life (its worker processes persist across passes), reading in that many workers (0: the
    main process, as a DataLoader does)."""

    def __init__(self, dataset, plan: Iterable[list], collate: Callable = collate_speech, workers: int | None = None):
        self.dataset, self.plan, self.collate = dataset, plan, collate
        self.loader = None
        if workers is not None:
            self.loader = DataLoader(dataset, batch_sampler=plan, collate_fn=collate, num_workers=workers,
                                     worker_init_fn=_worker_init if workers else None,
                                     persistent_workers=workers > 0, prefetch_factor=2 if workers else None)

    def __iter__(self) -> Iterator:
        if self.loader is not None:
            yield from self.loader
            return
        for keys in self.plan:
            yield self.collate([self.dataset[k] for k in keys])


def build_dataloader(data_dir: str, config: DataConfig, split: str = "train", cmvn: str | GlobalCmvn | None = None,
                     tables: tuple[str, ...] = ("text",), rank: int = 0, world_size: int = 1,
                     num_workers: int | None = None, frames_budget: int | None = None
                     ) -> tuple[SpeechBatches, DynamicBatchSampler]:
    """(batches, sampler) of a data dir with the data config's batching: call sampler.set_epoch(e)
    before each epoch; sampler.state_dict(batch['pos']) and sampler.load_state_dict(...) to resume.
    The train split shuffles; eval keeps length order."""
    b = config.batching
    dataset = SpeechDataset(data_dir, config, split, cmvn, tables)
    sampler = batch_plan(dataset.lengths, frames_budget or b.frames_budget, seed=b.seed, rank=rank,
                         world_size=world_size, max_batch_size=b.max_batch_size, pool_size=b.pool_size,
                         shuffle=split == "train")
    workers = b.num_workers if num_workers is None else num_workers
    return SpeechBatches(dataset, sampler, collate_speech, workers), sampler
