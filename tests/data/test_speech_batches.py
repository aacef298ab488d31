"""SpeechBatches / batch_plan, the one loader: batches collated as they are read, the same on every pass;
in this process no RNG is drawn; a plan over a subset of rows names the dataset's rows."""

import numpy as np
import torch

from asrllm.loading.loader import SpeechBatches, batch_plan


class CountingDataset:
    def __init__(self):
        self.reads = 0

    def __len__(self):
        return 6

    def __getitem__(self, key):
        self.reads += 1
        return int(getattr(key, "index", key))


def test_every_pass_reads_the_same_batches_again_and_draws_no_rng():
    data = CountingDataset()
    batches = SpeechBatches(data, [[0, 1], [2], [3, 4, 5]], collate=lambda items: sum(items))
    state = torch.get_rng_state()
    assert list(batches) == [1, 2, 12] and list(batches) == [1, 2, 12]
    assert data.reads == 12  # read twice, not held
    assert torch.equal(torch.get_rng_state(), state)
    it = iter(batches)
    assert next(it) == 1 and data.reads == 14  # lazily: one batch read, not the set


def test_a_plan_over_rows_names_dataset_rows_and_a_dataloader_gives_the_same_batches():
    lengths = np.array([50, 10, 40, 20, 30, 60])
    rows = np.array([1, 3, 5])  # lengths 10, 20, 60
    plan = batch_plan(lengths, frames_budget=45, rows=rows)
    assert [[k.index for k in keys] for keys in plan] == [[1, 3], [5]]  # budget 45: 2 x 20, then 1 x 60
    in_process = list(SpeechBatches(CountingDataset(), plan, collate=list))
    loaded = list(SpeechBatches(CountingDataset(), plan, collate=list, workers=0))
    assert in_process == loaded == [[1, 3], [5]]


def test_ranks_split_the_batches():
    lengths = np.full(8, 10)
    mine = [[k.index for k in keys] for r in (0, 1) for keys in batch_plan(lengths, 20, rank=r, world_size=2)]
    assert sorted(i for b in mine for i in b) == list(range(8)) and all(len(b) == 2 for b in mine)
