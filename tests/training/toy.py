"""Toy model, data and sampler for the training tests (CPU, tiny, seeded)."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

from asrllm.training import TrainerConfig

FEAT, CLASSES, TIME = 4, 3, 5


class ToyModel(nn.Module):
    """frontend (Linear + BatchNorm: frozen in the tests) -> body (trains) -> per-token classes."""

    def __init__(self, dropout: float = 0.0, norm: bool = True, seed: int = 0) -> None:
        super().__init__()
        torch.manual_seed(seed)
        self.frontend = nn.Sequential(nn.Linear(FEAT, 8), nn.BatchNorm1d(8))
        self.body = nn.Sequential(nn.Linear(8, 16), nn.Tanh(), nn.Dropout(dropout), nn.Linear(16, CLASSES))
        # a trainable module with buffers; batch statistics differ per rank, so DDP tests drop it
        self.norm = nn.BatchNorm1d(CLASSES) if norm else nn.Identity()
        self.llm = None  # a module this model lacks, as a pre-training SpeechLLM lacks its LLM

    def forward(self, batch: dict) -> dict:
        x, y, mask = batch["x"], batch["y"], batch["mask"]
        b, t, _ = x.shape
        h = self.frontend(x.reshape(b * t, FEAT))
        logits = self.norm(self.body(h)).reshape(b, t, CLASSES)
        n = mask.sum()
        ce = F.cross_entropy(logits.reshape(-1, CLASSES), y.reshape(-1), reduction="none").reshape(b, t)
        loss = (ce * mask).sum() / n.clamp(min=1)
        acc = ((logits.argmax(-1) == y).float() * mask).sum() / n.clamp(min=1)
        return {"loss": loss, "num_tokens": n, "acc": acc.detach()}


class ToyData(Dataset):
    """N sequences of TIME frames; each has 1..TIME valid frames (so token counts differ)."""

    def __init__(self, n: int = 48, seed: int = 123) -> None:
        g = torch.Generator().manual_seed(seed)
        self.x = torch.randn(n, TIME, FEAT, generator=g)
        self.y = torch.randint(0, CLASSES, (n, TIME), generator=g)
        lengths = torch.randint(1, TIME + 1, (n,), generator=g)
        self.mask = (torch.arange(TIME)[None, :] < lengths[:, None]).float()

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, i: int) -> dict:
        return {"x": self.x[i], "y": self.y[i], "mask": self.mask[i]}


def collate(items: list[dict]) -> dict:
    return {k: torch.stack([it[k] for it in items]) for k in items[0]}


class ToySampler:
    """Seeded shuffle per epoch, global batches of batch_size * world, this rank's slice of each."""

    def __init__(self, n: int, batch_size: int, seed: int = 7, rank: int = 0, world: int = 1) -> None:
        self.n, self.batch_size, self.seed, self.rank, self.world = n, batch_size, seed, rank, world
        self.epoch = 0
        self.position = 0  # batches yielded in this epoch
        self.history: list[list[int]] = []  # every batch yielded (test introspection)

    def _batches(self) -> list[list[int]]:
        order = torch.randperm(self.n, generator=torch.Generator().manual_seed(self.seed + self.epoch)).tolist()
        glob = self.batch_size * self.world
        out = []
        for start in range(0, self.n - glob + 1, glob):
            chunk = order[start:start + glob]
            out.append(chunk[self.rank * self.batch_size:(self.rank + 1) * self.batch_size])
        return out

    def set_epoch(self, epoch: int) -> None:
        self.epoch, self.position = epoch, 0

    def state_dict(self) -> dict:
        return {"epoch": self.epoch, "position": self.position}

    def load_state_dict(self, state: dict) -> None:
        assert state["epoch"] == self.epoch, (state, self.epoch)
        self.position = state["position"]

    def __len__(self) -> int:
        return len(self._batches())

    def __iter__(self):
        batches = self._batches()
        while self.position < len(batches):
            batch = batches[self.position]
            self.position += 1
            self.history.append(batch)
            yield batch


def make_loader(data: Dataset, num_workers: int = 0):
    def make(batch_sampler):
        return DataLoader(data, batch_sampler=batch_sampler, collate_fn=collate, num_workers=num_workers)
    return make


def config(**overrides) -> TrainerConfig:
    base = dict(max_steps=10, trainable=["body", "norm"], lr=0.05, warmup_steps=2, save_every=5,
                log_every=5, keep_last=3, keep_best=1, progress_bar=False, device="cpu", seed=11)
    base.update(overrides)
    return TrainerConfig(**base)


def trainable_weights(model: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.state_dict().items() if not k.startswith("frontend")}
