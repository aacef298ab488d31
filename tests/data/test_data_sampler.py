"""DynamicBatchSampler: budget, coverage, determinism, DDP sharding, resumption, padding efficiency."""

import numpy as np
import pytest

from asrllm.data.sampler import DynamicBatchSampler, SampleKey, cut_sorted


def _lengths(n: int = 5000, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(100, 2000, n)


def _batches(sampler) -> list[list[int]]:
    return [[k.index for k in b] for b in sampler]


def test_cut_sorted_is_greedy_within_the_budget():
    lens = [10, 10, 20, 30, 30, 40, 100, 200]
    ends = cut_sorted(lens, budget=100)
    starts = [0] + ends[:-1]
    assert ends[-1] == len(lens)
    for s, e in zip(starts, ends):
        assert lens[e - 1] * (e - s) <= 100 or e - s == 1
        if e < len(lens):  # one more would break the budget
            assert lens[e] * (e - s + 1) > 100
    assert cut_sorted([5] * 10, budget=100, max_batch_size=3) == [3, 6, 9, 10]
    assert cut_sorted([500, 600], budget=100) == [1, 2]  # too long alone: a batch of one


def test_every_utterance_once_per_epoch_within_budget():
    lens = _lengths()
    s = DynamicBatchSampler(lens, frames_budget=20000, seed=3, max_batch_size=64, pool_size=1000)
    batches = _batches(s)
    flat = np.concatenate(batches)
    assert sorted(flat) == list(range(len(lens)))
    for b in batches:
        assert len(b) <= 64 and (len(b) == 1 or lens[b].max() * len(b) <= 20000)
    assert len(batches) == len(s)


def test_order_depends_only_on_seed_and_epoch():
    lens = _lengths()
    a = DynamicBatchSampler(lens, 20000, seed=3, pool_size=1000)
    b = DynamicBatchSampler(lens, 20000, seed=3, pool_size=1000)
    assert _batches(a) == _batches(b)
    a.set_epoch(1)
    b.set_epoch(1)
    e1 = _batches(a)
    assert e1 == _batches(b)
    a.set_epoch(0)
    assert _batches(a) != e1
    other_seed = DynamicBatchSampler(lens, 20000, seed=4, pool_size=1000)
    assert _batches(other_seed) != _batches(DynamicBatchSampler(lens, 20000, seed=3, pool_size=1000))


def test_ddp_ranks_get_disjoint_shards_of_equal_length():
    lens = _lengths()
    ranks = [DynamicBatchSampler(lens, 20000, seed=1, rank=r, world_size=3, pool_size=1000) for r in range(3)]
    per_rank = [_batches(s) for s in ranks]
    assert len({len(b) for b in per_rank}) == 1
    seen = [set(np.concatenate(b)) for b in per_rank]
    assert not (seen[0] & seen[1]) and not (seen[1] & seen[2]) and not (seen[0] & seen[2])
    single = DynamicBatchSampler(lens, 20000, seed=1, pool_size=1000)
    assert sum(len(b) for b in per_rank) >= len(single) - 2  # at most world_size - 1 batches left over


def test_resume_continues_the_same_order_from_the_same_position():
    lens = _lengths()
    full = DynamicBatchSampler(lens, 20000, seed=7, pool_size=1000)
    full.set_epoch(2)
    expected = _batches(full)
    run = DynamicBatchSampler(lens, 20000, seed=7, pool_size=1000)
    run.set_epoch(2)
    it = iter(run)
    first = [[k.index for k in next(it)] for _ in range(5)]
    state = run.state_dict()
    assert state["position"] == 5 and state["epoch"] == 2
    resumed = DynamicBatchSampler(lens, 20000, seed=7, pool_size=1000)
    resumed.load_state_dict(state)
    resumed.set_epoch(2)  # a training loop sets the epoch again: the position stays
    assert len(resumed) == len(expected) - 5
    rest = _batches(resumed)
    assert first + rest == expected
    resumed.set_epoch(3)
    assert len(_batches(resumed)) == len(resumed)  # the next epoch starts at 0
    keys = next(iter(DynamicBatchSampler(lens, 20000, seed=7, pool_size=1000)))
    assert isinstance(keys[0], SampleKey) and keys[0].pos == 1 and keys[0].epoch == 0


def test_resume_refuses_other_data_or_settings():
    lens = _lengths()
    state = DynamicBatchSampler(lens, 20000, seed=7).state_dict()
    with pytest.raises(ValueError, match="frames_budget"):
        DynamicBatchSampler(lens, 10000, seed=7).load_state_dict(state)
    with pytest.raises(ValueError, match="lengths_crc32"):
        DynamicBatchSampler(lens[::-1], 20000, seed=7).load_state_dict(state)


def test_eval_order_covers_everything_in_length_order():
    lens = _lengths(997)
    s = DynamicBatchSampler(lens, 15000, shuffle=False, rank=1, world_size=2)
    other = DynamicBatchSampler(lens, 15000, shuffle=False, rank=0, world_size=2)
    flat = np.concatenate(_batches(s) + _batches(other))
    assert sorted(flat) == list(range(997))
    mine = np.concatenate(_batches(s))
    assert all(np.diff(lens[mine]) >= 0)


@pytest.mark.parametrize("name, lens", [
    ("aishell-like", np.clip(np.random.default_rng(0).lognormal(np.log(450), 0.3, 50000), 200, 1000)),
    ("gigaspeech-like", np.clip(np.random.default_rng(1).gamma(2.0, 250, 50000), 100, 2000)),
])
def test_padding_efficiency_on_realistic_lengths(name, lens):
    s = DynamicBatchSampler(lens.astype(int), frames_budget=40000, seed=0, pool_size=20000)
    real, padded = s.batch_frames()
    assert real.sum() / padded.sum() >= 0.95, name


def test_fits_the_trainers_position_tracker():
    training = pytest.importorskip("asrllm.training.sampler")
    lens = _lengths(800)
    full = DynamicBatchSampler(lens, 20000, seed=2, pool_size=300)
    full.set_epoch(4)
    expected = _batches(full)
    sampler = DynamicBatchSampler(lens, 20000, seed=2, pool_size=300)
    tracker = training.PositionTracker(sampler)
    sampler.set_epoch(4)
    it = iter(tracker)
    taken = [[k.index for k in next(it)] for _ in range(3)]
    next(it)  # fetched ahead by a worker, not trained on
    state = [tracker.consumed() for _ in range(3)][-1]
    resumed = DynamicBatchSampler(lens, 20000, seed=2, pool_size=300)
    resumed.set_epoch(4)
    resumed.load_state_dict(state)
    assert taken + _batches(resumed) == expected
