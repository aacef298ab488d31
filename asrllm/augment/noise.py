"""Additive noise at a drawn SNR, after silence is padded around the speech (the paper's recipe).

Noise comes from a noise data dir (its wav.scp recordings, read at a random offset, looped when
short) or, without one, from asrllm.augment.nonspeech.
"""

import os

import numpy as np

from asrllm.audio.audiofile import probe, read_entry, read_range
from asrllm.audio.entry import parse_entry
from asrllm.audio.resample import resample
from asrllm.augment.nonspeech import random_nonspeech
from asrllm.kaldi.table import DataError, read_table


def mix_at_snr(speech: np.ndarray, noise: np.ndarray, snr_db: float, speech_power: float | None = None) -> np.ndarray:
    """speech + noise scaled so that speech_power / noise_power = snr_db (speech unchanged if silent)."""
    ps = float(np.mean(np.square(speech, dtype=np.float64))) if speech_power is None else speech_power
    pn = float(np.mean(np.square(noise, dtype=np.float64)))
    if ps <= 0.0 or pn <= 0.0:
        return speech
    scale = np.sqrt(ps / (pn * 10 ** (snr_db / 10)))
    return (speech + scale * noise).astype(np.float32)


def pad_silence(x: np.ndarray, before: int, after: int) -> np.ndarray:
    """x with `before` and `after` zero samples around it."""
    return np.concatenate([np.zeros(before, np.float32), x.astype(np.float32, copy=False),
                           np.zeros(after, np.float32)])


class NoiseSource:
    """Draws n samples of noise at the target rate: from a noise data dir, or synthesized."""

    def __init__(self, sample_rate: int, noise_dir: str | None = None, synth_kinds=("white",)):
        self.sample_rate = sample_rate
        self.synth_kinds = tuple(synth_kinds)
        self.entries: list[str] = []
        self.rates: list[int] = []
        self.frames: list[int] = []
        if noise_dir:
            wav_scp = os.path.join(noise_dir, "wav.scp")
            if not os.path.isfile(wav_scp):
                raise DataError(f"noise.noise_dir: {wav_scp} does not exist")
            for key, value, lineno in read_table(wav_scp):
                entry = parse_entry(value)
                if entry.kind == "file":
                    info = probe(entry.target)
                    self.rates.append(info.sample_rate)
                    self.frames.append(info.frames)
                else:
                    self.rates.append(0)
                    self.frames.append(0)
                self.entries.append(value)
            if not self.entries:
                raise DataError(f"noise.noise_dir: {wav_scp} is empty")

    def _from_dir(self, n: int, rng: np.random.Generator) -> np.ndarray:
        k = int(rng.integers(len(self.entries)))
        value, rate, frames = self.entries[k], self.rates[k], self.frames[k]
        if rate:
            need = int(np.ceil(n * rate / self.sample_rate))
            if frames > need:
                off = int(rng.integers(frames - need))
                x, _ = read_range(parse_entry(value).target, off, off + need, multi_channel="first")
            else:
                x, _ = read_range(parse_entry(value).target, multi_channel="first")
        else:
            x, rate = read_entry(value, multi_channel="first")
        x = resample(x, rate, self.sample_rate)
        if len(x) == 0:
            return np.zeros(n, np.float32)
        if len(x) < n:  # loop a short noise from a random point
            x = np.resize(np.roll(x, -int(rng.integers(len(x)))), n)
        return x[:n]

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        if self.entries:
            return self._from_dir(n, rng)
        return random_nonspeech(n, self.sample_rate, rng, self.synth_kinds)[1]
