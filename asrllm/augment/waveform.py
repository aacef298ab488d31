"""Waveform augmentation of one training utterance: online speed, then (on a share) silence + noise."""

import numpy as np

from asrllm.augment.noise import NoiseSource, mix_at_snr, pad_silence
from asrllm.augment.speed import change_speed
from asrllm.data.config import DataConfig


class WaveformAugment:
    """Applies the config's waveform augmentations with a per-utterance generator (fixed draw order)."""

    def __init__(self, cfg: DataConfig):
        self.sr = cfg.sample_rate
        self.factors = list(cfg.speed_perturb.factors) if cfg.speed_perturb.online else []
        nz = cfg.noise
        self.noise = NoiseSource(cfg.sample_rate, nz.noise_dir, nz.synth_kinds) \
            if nz.enabled and nz.prob > 0 else None
        self.noise_cfg = nz
        self.pad = cfg.silence_pad

    @property
    def active(self) -> bool:
        return bool(self.factors) or self.noise is not None

    def __call__(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        if self.factors:
            x = change_speed(x, self.factors[int(rng.integers(len(self.factors)))], self.sr)
        if self.noise is not None and rng.random() < self.noise_cfg.prob:
            speech_power = float(np.mean(np.square(x, dtype=np.float64))) if len(x) else 0.0
            if self.pad.enabled and self.pad.max_sec > 0:
                before, after = (self.pad.max_sec * rng.beta(self.pad.beta_a, self.pad.beta_b, size=2) * self.sr)
                x = pad_silence(x, int(before), int(after))
            snr = rng.normal(self.noise_cfg.snr_mean_db, self.noise_cfg.snr_std_db)
            x = mix_at_snr(x, self.noise.sample(len(x), rng), snr, speech_power)
        return x
