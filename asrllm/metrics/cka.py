"""Linear CKA between two representations of the same rows (frames).

CKA(X, Y) = ||Yc^T Xc||_F^2 / (||Xc^T Xc||_F ||Yc^T Yc||_F) with column-centred Xc, Yc.
The feature-space form needs O(D^2) memory whatever the number of rows, and the accumulator
streams it over batches, so an evaluation set never has to be held in memory at once.
"""

import numpy as np

try:  # torch is optional for this module
    import torch
except ImportError:  # pragma: no cover
    torch = None


def _as_numpy(a) -> np.ndarray:
    if torch is not None and isinstance(a, torch.Tensor):
        a = a.detach().to("cpu", torch.float64).numpy()
    a = np.asarray(a, dtype=np.float64)
    if a.ndim != 2:
        raise ValueError(f"expected a [rows, dims] matrix, got shape {a.shape}")
    return a


class CKAAccumulator:
    """Streams rows of X [n, D1] and Y [n, D2]; `value()` gives linear CKA of all rows seen."""

    def __init__(self) -> None:
        self.n = 0
        self.sx = self.sy = self.xx = self.yy = self.xy = None

    def update(self, x, y) -> None:
        x, y = _as_numpy(x), _as_numpy(y)
        if x.shape[0] != y.shape[0]:
            raise ValueError(f"row counts differ: {x.shape[0]} vs {y.shape[0]}")
        if self.sx is None:
            self.sx, self.sy = np.zeros(x.shape[1]), np.zeros(y.shape[1])
            self.xx, self.yy = np.zeros((x.shape[1],) * 2), np.zeros((y.shape[1],) * 2)
            self.xy = np.zeros((x.shape[1], y.shape[1]))
        self.n += x.shape[0]
        self.sx += x.sum(0)
        self.sy += y.sum(0)
        self.xx += x.T @ x
        self.yy += y.T @ y
        self.xy += x.T @ y

    def value(self) -> float:
        if self.n < 2:
            raise ValueError("linear CKA needs at least 2 rows")
        mx, my = self.sx / self.n, self.sy / self.n
        cxx = self.xx - self.n * np.outer(mx, mx)
        cyy = self.yy - self.n * np.outer(my, my)
        cxy = self.xy - self.n * np.outer(mx, my)
        denom = np.linalg.norm(cxx) * np.linalg.norm(cyy)
        if denom <= 0:
            raise ValueError("linear CKA is undefined for a constant representation")
        return float(np.clip(np.sum(cxy * cxy) / denom, 0.0, 1.0))


def linear_cka(x, y) -> float:
    """Linear CKA of two [N, D1] and [N, D2] matrices (numpy or torch) with aligned rows."""
    acc = CKAAccumulator()
    acc.update(x, y)
    return acc.value()
