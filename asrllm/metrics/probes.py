"""Linear softmax probes scored by held-out cross-entropy in bits.

A probe is multinomial logistic regression (weights + bias) fitted full-batch with L-BFGS on the
mean cross-entropy plus `weight_decay / N * ||W||^2` over the N training rows (a Gaussian prior of
precision 2 * weight_decay on the weights, whatever N; the bias is not decayed). When several weight
decays are configured, each is fitted on part of the training rows and scored on the rest (split by
group, i.e. utterance), the best one is refitted on all training rows, and that fit is scored on the
test rows. Splits are seeded; the fit itself is deterministic (zero initialisation).
"""

import math
from dataclasses import asdict, dataclass, field

import numpy as np
import torch

from asrllm.config import ConfigError
from asrllm.config_section import build_section

LN2 = math.log(2.0)


@dataclass
class ProbeConfig:
    seeds: list[int] = field(default_factory=lambda: [0, 1, 2])  # one train/test split per seed
    test_fraction: float = 0.2       # share of groups (utterances) held out for scoring
    split_by: str = "utterance"      # utterance | segment
    weight_decays: list[float] = field(default_factory=lambda: [0.1, 1.0, 10.0, 100.0, 1000.0])
    select_fraction: float = 0.2     # share of the training groups used to pick the weight decay
    max_iter: int = 200              # L-BFGS iterations per fit
    phone_min_count: int = 2         # phones seen fewer times in a training split share one class
    unit_min_count: int = 3          # same for text units (characters / words)
    max_units: int = 2000            # at most this many unit classes (most frequent), the rest pooled
    device: str = "auto"             # auto | cpu | cuda | cuda:N

    @classmethod
    def from_dict(cls, cfg: dict, where: str = "probe") -> "ProbeConfig":
        return build_section(cls, cfg, where).check(where)

    def check(self, where: str = "probe") -> "ProbeConfig":
        """Fail on values the probes cannot use; return self."""
        out = self
        if not out.seeds or not out.weight_decays:
            raise ConfigError(f"{where}: seeds and weight_decays must be non-empty lists")
        if not 0 < out.test_fraction < 1 or not 0 < out.select_fraction < 1:
            raise ConfigError(f"{where}: test_fraction and select_fraction must be in (0, 1)")
        if out.split_by not in ("utterance", "segment"):
            raise ConfigError(f"{where}: split_by must be 'utterance' or 'segment', got {out.split_by!r}")
        if min(out.weight_decays) < 0 or out.max_iter < 1:
            raise ConfigError(f"{where}: weight decays must be >= 0 and max_iter >= 1")
        return out

    def to_dict(self) -> dict:
        return asdict(self)

    def torch_device(self) -> torch.device:
        return resolve_device(self.device)


def resolve_device(name: str) -> torch.device:
    """'auto' -> cuda when available, else cpu; anything else as torch names it."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def split_groups(groups: np.ndarray, fraction: float, seed: int) -> np.ndarray:
    """Boolean mask of rows whose group falls in a seeded random `fraction` of the groups (at least
    one group, and at least one left out)."""
    uniq = np.unique(groups)
    if len(uniq) < 2:
        raise ValueError(f"a split needs at least 2 groups, got {len(uniq)}")
    rng = np.random.default_rng(seed)
    k = min(len(uniq) - 1, max(1, int(round(fraction * len(uniq)))))
    chosen = rng.permutation(uniq)[:k]
    return np.isin(groups, chosen)


def pool_rare(labels: np.ndarray, train: np.ndarray, min_count: int, max_classes: int = 0) -> tuple[np.ndarray, int]:
    """Relabel to 0..C-1 by training-split frequency: labels seen fewer than min_count times in
    training (or beyond the max_classes - 1 most frequent) all become class C-1 ("rare")."""
    vals, counts = np.unique(labels[train], return_counts=True)
    order = np.lexsort((vals, -counts))
    keep = [int(v) for v, c in zip(vals[order], counts[order]) if c >= min_count]
    if max_classes and len(keep) > max_classes - 1:
        keep = keep[:max_classes - 1]
    mapping = {v: i for i, v in enumerate(keep)}
    rare = len(keep)
    out = np.array([mapping.get(v, rare) for v in labels.tolist()], dtype=np.int64)
    return out, rare + 1


def standardize(x: np.ndarray, train: np.ndarray) -> np.ndarray:
    """Z-score every column with the training rows' mean and std (constant columns become 0)."""
    mean = x[train].mean(0)
    std = x[train].std(0)
    return ((x - mean) / np.where(std > 1e-8, std, np.inf)).astype(np.float32)


def fit_softmax(x: torch.Tensor, y: torch.Tensor, num_classes: int, weight_decay: float,
                max_iter: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(W [D, C], b [C]) minimising mean CE + weight_decay / N * ||W||^2, full-batch L-BFGS."""
    w = torch.zeros(x.shape[1], num_classes, device=x.device, requires_grad=True)
    b = torch.zeros(num_classes, device=x.device, requires_grad=True)
    opt = torch.optim.LBFGS([w, b], lr=1.0, max_iter=max_iter, history_size=20, tolerance_grad=1e-5,
                            tolerance_change=1e-7, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(x @ w + b, y) + weight_decay / len(y) * (w * w).sum()
        loss.backward()
        return loss

    with torch.enable_grad():
        opt.step(closure)
    return w.detach(), b.detach()


@torch.no_grad()
def score(w: torch.Tensor, b: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """(mean cross-entropy in bits, accuracy) of a fitted probe on rows x, y."""
    logits = x @ w + b
    ce = torch.nn.functional.cross_entropy(logits, y).item() / LN2
    return ce, (logits.argmax(1) == y).float().mean().item()


def heldout_ce(x: np.ndarray, y: np.ndarray, num_classes: int, train: np.ndarray, groups: np.ndarray,
               cfg: ProbeConfig, seed: int) -> dict:
    """Fit on the train rows (weight decay picked on an inner split), score on the others."""
    device = cfg.torch_device()
    xt = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32)).to(device)
    yt = torch.from_numpy(np.ascontiguousarray(y, dtype=np.int64)).to(device)
    tr = np.flatnonzero(train)
    te = np.flatnonzero(~train)
    decay = cfg.weight_decays[0]
    selection = {}
    if len(cfg.weight_decays) > 1:
        inner = split_groups(groups[tr], cfg.select_fraction, seed + 7919)  # a split of its own
        fit_rows, val_rows = torch.from_numpy(tr[~inner]).to(device), torch.from_numpy(tr[inner]).to(device)
        for wd in cfg.weight_decays:
            w, b = fit_softmax(xt[fit_rows], yt[fit_rows], num_classes, wd, cfg.max_iter)
            selection[wd] = score(w, b, xt[val_rows], yt[val_rows])[0]
        decay = min(selection, key=selection.get)
    tr_t, te_t = torch.from_numpy(tr).to(device), torch.from_numpy(te).to(device)
    w, b = fit_softmax(xt[tr_t], yt[tr_t], num_classes, decay, cfg.max_iter)
    ce, acc = score(w, b, xt[te_t], yt[te_t])
    train_ce = score(w, b, xt[tr_t], yt[tr_t])[0]
    return {"ce_bits": ce, "accuracy": acc, "train_ce_bits": train_ce, "weight_decay": decay,
            "selection_ce_bits": {str(k): v for k, v in selection.items()}}
