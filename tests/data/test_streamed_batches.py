"""StreamedBatches: validation batches collated as they are read, the same on every pass, no RNG drawn."""

import torch

from asrllm.data.loader import StreamedBatches


class CountingDataset:
    def __init__(self):
        self.reads = 0

    def __getitem__(self, i):
        self.reads += 1
        return i


def test_every_pass_reads_the_same_batches_again_and_draws_no_rng():
    data = CountingDataset()
    batches = StreamedBatches(data, [[0, 1], [2], [3, 4, 5]], collate=lambda items: sum(items))
    state = torch.get_rng_state()
    assert list(batches) == [1, 2, 12] and list(batches) == [1, 2, 12]
    assert data.reads == 12  # read twice, not held
    assert torch.equal(torch.get_rng_state(), state)
    it = iter(batches)
    assert next(it) == 1 and data.reads == 14  # lazily: one batch read, not the set
