"""Length-bucketed dynamic batches under a padded-frames budget, resumable and DDP-sharded.

Each epoch (training): a seeded permutation of all utterances is cut into pools of `pool_size`;
each pool is sorted by length (these are the length buckets) and cut greedily into batches whose
size x longest utterance stays within `frames_budget`; the batches of all pools are shuffled
and dealt round-robin to the DDP ranks, each rank getting the same number of batches (the few
left over come back in other epochs). Without shuffling (evaluation) the whole set is one pool
in length order and every batch is used. The plan depends only on (seed, epoch, lengths, sizes),
so a resumed run continues with the same batches from the same position.
"""

import zlib
from typing import Iterator, NamedTuple

import numpy as np
import torch
from torch.utils.data import Sampler


class SampleKey(NamedTuple):
    """What the sampler hands the dataset: the utterance, the epoch (for augmentation seeds) and the
    1-based position of its batch in this rank's epoch (pass it to state_dict when resuming)."""

    index: int
    epoch: int
    pos: int


def cut_sorted(lengths: list[int], budget: int, max_batch_size: int = 0) -> list[int]:
    """Batch end offsets for ascending lengths: greedy, size x max length <= budget (at least 1 each)."""
    ends = []
    n = len(lengths)
    i = 0
    while i < n:
        hi = min(n - i, max(1, budget // max(1, lengths[i])))
        if max_batch_size:
            hi = min(hi, max_batch_size)
        if lengths[i + hi - 1] * hi > budget:  # largest k with lengths[i+k-1] * k <= budget
            lo = 1
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if lengths[i + mid - 1] * mid <= budget:
                    lo = mid
                else:
                    hi = mid - 1
        i += hi
        ends.append(i)
    return ends


def _dist_defaults(rank: int | None, world_size: int | None) -> tuple[int, int]:
    if rank is not None and world_size is not None:
        return rank, world_size
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        return torch.distributed.get_rank(), torch.distributed.get_world_size()
    return 0, 1


class DynamicBatchSampler(Sampler[list[SampleKey]]):
    """Yields lists of SampleKey; use as DataLoader(batch_sampler=...)."""

    def __init__(self, lengths, frames_budget: int, seed: int = 0, rank: int | None = None,
                 world_size: int | None = None, max_batch_size: int = 0, pool_size: int = 20000,
                 shuffle: bool = True):
        self.lengths = np.ascontiguousarray(lengths, dtype=np.int64)
        if frames_budget <= 0 or pool_size <= 0 or seed < 0:
            raise ValueError("frames_budget and pool_size must be positive, seed non-negative")
        self.frames_budget, self.seed = int(frames_budget), int(seed)
        self.max_batch_size, self.pool_size, self.shuffle = int(max_batch_size), int(pool_size), shuffle
        self.rank, self.world_size = _dist_defaults(rank, world_size)
        if not 0 <= self.rank < self.world_size:
            raise ValueError(f"rank {self.rank} outside world size {self.world_size}")
        self.epoch = 0
        self._resume = 0  # batches of self.epoch to skip on the next __iter__ (from load_state_dict)
        self._handed = 0  # batches of self.epoch handed out by the current/last __iter__
        self._plan_cache: tuple[int, np.ndarray, np.ndarray, np.ndarray] | None = None
        self._lengths_crc = zlib.crc32(self.lengths.tobytes())  # state_dict() must stay cheap

    def _plan(self, epoch: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(utterance order, batch bounds into it, this rank's batch ids) for an epoch."""
        if self._plan_cache is not None and self._plan_cache[0] == epoch:
            return self._plan_cache[1:]
        lens = self.lengths
        n = len(lens)
        ends: list[int] = []
        if self.shuffle:
            rng = np.random.default_rng([self.seed, epoch])
            order = rng.permutation(n)
            for s in range(0, n, self.pool_size):
                pool = order[s:s + self.pool_size]
                pool = pool[np.argsort(lens[pool], kind="stable")]
                order[s:s + self.pool_size] = pool
                ends.extend(s + e for e in cut_sorted(lens[pool].tolist(), self.frames_budget, self.max_batch_size))
        else:
            order = np.argsort(lens, kind="stable")
            ends = cut_sorted(lens[order].tolist(), self.frames_budget, self.max_batch_size)
        bounds = np.concatenate([[0], np.asarray(ends, dtype=np.int64)])
        num = len(ends)
        if self.shuffle:
            batch_ids = rng.permutation(num)
            per_rank = num // self.world_size
            mine = batch_ids[:per_rank * self.world_size][self.rank::self.world_size]
        else:
            mine = np.arange(num)[self.rank::self.world_size]
        self._plan_cache = (epoch, order, bounds, mine)
        return order, bounds, mine

    def set_epoch(self, epoch: int) -> None:
        """Select the epoch; a pending resume position only applies to the epoch it was saved in."""
        if epoch != self.epoch:
            self._resume = self._handed = 0
        self.epoch = epoch

    def __len__(self) -> int:
        return len(self._plan(self.epoch)[2]) - self._resume

    def __iter__(self) -> Iterator[list[SampleKey]]:
        order, bounds, mine = self._plan(self.epoch)
        start, self._resume = self._resume, 0
        epoch = self.epoch
        for p in range(start, len(mine)):
            b = mine[p]
            self._handed = p + 1
            yield [SampleKey(int(i), epoch, p + 1) for i in order[bounds[b]:bounds[b + 1]]]

    def batch_frames(self, epoch: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(real frames, padded frames) of each batch of this rank in an epoch (for efficiency reports)."""
        order, bounds, mine = self._plan(self.epoch if epoch is None else epoch)
        real, padded = [], []
        for b in mine:
            lens = self.lengths[order[bounds[b]:bounds[b + 1]]]
            real.append(int(lens.sum()))
            padded.append(int(lens.max()) * len(lens))
        return np.asarray(real), np.asarray(padded)

    def _fingerprint(self) -> dict:
        return {"num_utts": len(self.lengths), "lengths_crc32": self._lengths_crc,
                "frames_budget": self.frames_budget, "seed": self.seed, "world_size": self.world_size,
                "pool_size": self.pool_size, "max_batch_size": self.max_batch_size, "shuffle": self.shuffle}

    def state_dict(self, position: int | None = None) -> dict:
        """Epoch and position: by default just after the last batch handed out (what
        asrllm.training's PositionTracker records per batch). A loop of its own with DataLoader
        workers, which fetch ahead, passes position=batch['pos'] of the last batch it trained on."""
        return {"epoch": self.epoch, "position": self._handed if position is None else int(position),
                **self._fingerprint()}

    def load_state_dict(self, state: dict) -> None:
        """Continue from a saved state; ValueError if the data or batching settings differ."""
        mine = self._fingerprint()
        diff = {k: (state.get(k), v) for k, v in mine.items() if state.get(k) != v}
        if diff:
            raise ValueError("sampler state does not match this data/batching (saved, now): "
                             + ", ".join(f"{k}: {a} vs {b}" for k, (a, b) in diff.items()))
        self.epoch = int(state["epoch"])
        self._resume = int(state["position"])
        self._handed = self._resume
