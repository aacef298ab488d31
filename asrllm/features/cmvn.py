"""Global mean/variance normalisation: streaming statistics, a JSON file, and its application."""

import json
import os
from dataclasses import dataclass, field

import numpy as np

from asrllm.utils.atomic import atomic_write

VAR_FLOOR = 1e-10


@dataclass
class CmvnStats:
    """Running float64 sums over frames (merge shards by adding)."""

    dim: int
    total: np.ndarray = field(default=None)  # type: ignore[assignment]
    total_sq: np.ndarray = field(default=None)  # type: ignore[assignment]
    frames: int = 0
    utts: int = 0

    def __post_init__(self):
        if self.total is None:
            self.total = np.zeros(self.dim, np.float64)
            self.total_sq = np.zeros(self.dim, np.float64)

    def add(self, feats: np.ndarray) -> None:
        if feats.shape[1] != self.dim:
            raise ValueError(f"features have {feats.shape[1]} dims, statistics {self.dim}")
        x = feats.astype(np.float64)
        self.total += x.sum(axis=0)
        self.total_sq += np.square(x).sum(axis=0)
        self.frames += len(x)
        self.utts += 1

    def merge(self, other: "CmvnStats") -> None:
        self.total += other.total
        self.total_sq += other.total_sq
        self.frames += other.frames
        self.utts += other.utts

    def save_npz(self, path: str | os.PathLike) -> None:
        with atomic_write(path, "wb") as f:
            np.savez(f, total=self.total, total_sq=self.total_sq, frames=self.frames, utts=self.utts)

    @classmethod
    def load_npz(cls, path: str | os.PathLike) -> "CmvnStats":
        z = np.load(path)
        return cls(len(z["total"]), z["total"].copy(), z["total_sq"].copy(), int(z["frames"]), int(z["utts"]))

    def mean_std(self) -> tuple[np.ndarray, np.ndarray]:
        if self.frames == 0:
            raise ValueError("no frames accumulated")
        mean = self.total / self.frames
        var = np.maximum(self.total_sq / self.frames - np.square(mean), VAR_FLOOR)
        return mean, np.sqrt(var)

    def write_json(self, path: str | os.PathLike, meta: dict) -> None:
        mean, std = self.mean_std()
        out = {"mean": mean.tolist(), "std": std.tolist(), "frames": self.frames, "utts": self.utts, **meta}
        with atomic_write(path) as f:
            json.dump(out, f, indent=1)


class GlobalCmvn:
    """(feats - mean) / std with statistics from compute_cmvn's JSON."""

    def __init__(self, mean: np.ndarray, std: np.ndarray):
        self.mean = np.asarray(mean, np.float32)
        self.istd = (1.0 / np.asarray(std, np.float64)).astype(np.float32)

    @property
    def dim(self) -> int:
        return len(self.mean)

    @classmethod
    def from_json(cls, path: str | os.PathLike) -> "GlobalCmvn":
        with open(path, encoding="utf-8") as f:
            d = json.load(f)
        return cls(np.array(d["mean"]), np.array(d["std"]))

    def __call__(self, feats: np.ndarray) -> np.ndarray:
        if feats.shape[-1] != self.dim:
            raise ValueError(f"features have {feats.shape[-1]} dims, CMVN statistics {self.dim}")
        return (feats - self.mean) * self.istd
