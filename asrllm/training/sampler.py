"""What the trainer needs from a batch sampler, and how it knows the position of what it consumed."""

import copy
from collections import deque
from collections.abc import Iterator
from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class ResumableSampler(Protocol):
    """A batch sampler (yields lists of dataset indices) whose position can be saved.

    set_epoch(e) starts epoch e from its beginning (the order is a function of the seed and e);
    state_dict() describes the position just after the last batch yielded (it must be cheap
    and hold only plain values and tensors); load_state_dict(s), called after set_epoch, makes
    the next __iter__ yield the rest of that epoch. In DDP every rank must get the same number
    of batches per epoch.
    """

    def set_epoch(self, epoch: int) -> None: ...

    def state_dict(self) -> dict[str, Any]: ...

    def load_state_dict(self, state: dict[str, Any]) -> None: ...

    def __iter__(self) -> Iterator[list[int]]: ...


class PositionTracker:
    """Wraps a sampler for a DataLoader's `batch_sampler`, recording its state after each batch.

    A DataLoader with workers draws batches ahead of the training loop, so the sampler's own
    state runs ahead of what was trained on. The tracker queues one state per batch handed out;
    `consumed()` pops the state that belongs to the batch the loop just took.
    """

    def __init__(self, sampler: ResumableSampler) -> None:
        if not isinstance(sampler, ResumableSampler):
            raise TypeError(f"{type(sampler).__name__} lacks set_epoch/state_dict/load_state_dict/__iter__")
        self.sampler = sampler
        self._states: deque[dict[str, Any]] = deque()

    def __iter__(self) -> Iterator[list[int]]:
        self._states.clear()
        for batch in self.sampler:
            self._states.append(copy.deepcopy(self.sampler.state_dict()))
            yield batch

    def __len__(self) -> int:
        return len(self.sampler)  # type: ignore[arg-type]

    def consumed(self) -> dict[str, Any]:
        """Sampler state just after the batch the training loop took last."""
        if not self._states:
            raise RuntimeError(
                "the loader returned a batch the batch sampler did not hand out in this process; "
                "make_loader must iterate the given batch sampler here (a map-style "
                "DataLoader(dataset, batch_sampler=..., ...), not an IterableDataset)")
        return self._states.popleft()
