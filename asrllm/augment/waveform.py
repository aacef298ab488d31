"""Waveform augmentation of one training utterance: online speed, then (on a share) silence + noise."""

import numpy as np

from asrllm.augment.noise import NoiseAugment
from asrllm.augment.speed import change_speed
from asrllm.data.config import DataConfig


class WaveformAugment:
    """Applies the config's waveform augmentations with a per-utterance generator (fixed draw order)."""

    def __init__(self, cfg: DataConfig):
        self.sr = cfg.sample_rate
        self.factors = list(cfg.speed_perturb.factors) if cfg.speed_perturb.online else []
        self.noise = NoiseAugment(cfg) if cfg.noise_on else None

    @property
    def active(self) -> bool:
        return bool(self.factors) or self.noise is not None

    def __call__(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        if self.factors:
            x = change_speed(x, self.factors[int(rng.integers(len(self.factors)))], self.sr)
        if self.noise is not None:
            d = self.noise.draw(rng)
            if d is not None:
                x = self.noise.apply(x, d, rng)
        return x
