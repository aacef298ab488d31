"""Entropy-allocation metrics of an encoder's output: NSE, PAI, CSAI, and linear CKA drift.

The paper (arXiv 2604.08003) names these metrics but does not publish their formulas; the
definitions used here are this project's (asrllm/analysis/README.md):
  NSE   normalized spectral entropy of the frame covariance: eigenvalues l_i, p_i = l_i / sum(l),
        NSE = -sum p_i log p_i / log(d); 1 = isotropic, 0 = rank one.
  PAI   phonetic accessible information (bits per phone) = CE_prior - CE_feat of a linear softmax
        probe predicting the phone of a mean-pooled, force-aligned segment (held-out split).
  CSAI  conditional semantic accessible information (bits per phone) = CE_A - CE_B, where probe A
        predicts the phone's text unit (character / word) from its phone context only and probe B
        from the phone context plus the pooled encoder frames.
  CKA   linear CKA between two encoders' frames (asrllm.metrics.cka).
Other tools import these names from this module.
"""

import numpy as np

from asrllm.metrics.align import AlignmentError, forced_align
from asrllm.metrics.estimators import csai, pai
from asrllm.metrics.probes import ProbeConfig
from asrllm.metrics.cka import CKAAccumulator, _as_numpy, linear_cka

__all__ = ["AlignmentError", "CKAAccumulator", "NSEAccumulator", "ProbeConfig", "csai", "forced_align",
           "linear_cka", "normalized_spectral_entropy", "pai", "spectral_entropy_of"]


def spectral_entropy_of(eigenvalues) -> float:
    """Normalized entropy of a spectrum: -sum p log p / log(d), p = l / sum(l), negatives clipped."""
    lam = np.clip(np.asarray(eigenvalues, dtype=np.float64), 0.0, None)
    d = lam.size
    total = lam.sum()
    if d < 2:
        raise ValueError("normalized spectral entropy needs at least 2 dimensions")
    if total <= 0:
        raise ValueError("normalized spectral entropy is undefined for constant frames (zero covariance)")
    p = lam / total
    # eigenvalues below float64 round-off of the largest one are numerical zeros, not spectrum
    p = p[p > 1e-12]
    return float(np.clip(-(p * np.log(p)).sum() / np.log(d), 0.0, 1.0))


class NSEAccumulator:
    """Streams frames [n, D] into first and second moments; `value()` gives NSE of all frames seen.

    Memory is O(D^2) whatever the number of frames (float64 sums). The sums are taken around the
    first batch's mean, so a large common offset does not cancel the variance away.
    """

    def __init__(self) -> None:
        self.n = 0
        self.shift: np.ndarray | None = None
        self.s: np.ndarray | None = None
        self.ss: np.ndarray | None = None

    def update(self, frames) -> None:
        x = _as_numpy(frames)
        if x.shape[0] == 0:
            return
        if self.s is None:
            self.shift = x.mean(0)
            self.s, self.ss = np.zeros(x.shape[1]), np.zeros((x.shape[1], x.shape[1]))
        elif x.shape[1] != self.s.shape[0]:
            raise ValueError(f"frames have {x.shape[1]} dims, earlier ones had {self.s.shape[0]}")
        x = x - self.shift
        self.n += x.shape[0]
        self.s += x.sum(0)
        self.ss += x.T @ x

    def covariance(self) -> np.ndarray:
        if self.n < 2:
            raise ValueError("normalized spectral entropy needs at least 2 frames")
        mean = self.s / self.n
        return (self.ss - self.n * np.outer(mean, mean)) / (self.n - 1)

    def value(self) -> float:
        return spectral_entropy_of(np.linalg.eigvalsh(self.covariance()))


def normalized_spectral_entropy(frames) -> float:
    """NSE of frames [N, D] (numpy or torch): 1 = isotropic covariance, 0 = rank one."""
    acc = NSEAccumulator()
    acc.update(frames)
    return acc.value()
