"""One call that builds dataset, batch sampler and DataLoader from the data config; batches that stream
in this process (validation)."""

from collections.abc import Callable, Iterable, Iterator

import torch
from torch.utils.data import DataLoader

from asrllm.data.collate import collate_speech
from asrllm.data.config import DataConfig
from asrllm.data.dataset import SpeechDataset
from asrllm.data.sampler import DynamicBatchSampler
from asrllm.features.cmvn import GlobalCmvn


def _worker_init(_worker_id: int) -> None:
    torch.set_num_threads(1)  # each worker is one core's worth of decoding + fbank


def build_dataloader(data_dir: str, config: DataConfig, split: str = "train", cmvn: str | GlobalCmvn | None = None,
                     tables: tuple[str, ...] = ("text",), rank: int | None = None, world_size: int | None = None,
                     num_workers: int | None = None, frames_budget: int | None = None
                     ) -> tuple[DataLoader, DynamicBatchSampler]:
    """(loader, sampler): call sampler.set_epoch(e) before each epoch; sampler.state_dict(batch['pos'])
    and sampler.load_state_dict(...) to resume. Train split shuffles; eval keeps length order."""
    b = config.batching
    dataset = SpeechDataset(data_dir, config, split, cmvn, tables)
    sampler = DynamicBatchSampler(dataset.lengths, frames_budget or b.frames_budget, seed=b.seed, rank=rank,
                                  world_size=world_size, max_batch_size=b.max_batch_size, pool_size=b.pool_size,
                                  shuffle=split == "train")
    workers = b.num_workers if num_workers is None else num_workers
    loader = DataLoader(dataset, batch_sampler=sampler, collate_fn=collate_speech, num_workers=workers,
                        worker_init_fn=_worker_init if workers else None, persistent_workers=workers > 0,
                        prefetch_factor=2 if workers else None)
    return loader, sampler


class StreamedBatches:
    """Batches of `dataset` in the order of `batch_sampler`, collated as they are read, every time it is
    iterated: a pass holds one batch, not the set (validation of a 10k-hour corpus's dev set). In this
    process and without a DataLoader, so iterating it draws nothing from the torch RNG."""

    def __init__(self, dataset, batch_sampler: Iterable[list], collate: Callable):
        self.dataset, self.batch_sampler, self.collate = dataset, batch_sampler, collate

    def __iter__(self) -> Iterator:
        for idx in self.batch_sampler:
            yield self.collate([self.dataset[i] for i in idx])
