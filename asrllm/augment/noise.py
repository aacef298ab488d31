"""Additive noise at a drawn SNR, after silence is padded around the speech (the paper's recipe).

Noise comes from a noise data dir (its wav.scp recordings, read at a random offset, looped when
short) or, without one, from asrllm.augment.nonspeech. NoiseAugment is the one owner of the draws:
the loader (online, every epoch) and stage 4's noisy copies (asrllm.augment.offline) call it.
"""

import os
from dataclasses import dataclass

import numpy as np

from asrllm.audio.audiofile import probe, read_entry, read_range
from asrllm.audio.entry import parse_entry
from asrllm.audio.errors import AudioError
from asrllm.audio.resample import resample
from asrllm.augment.nonspeech import random_nonspeech
from asrllm.data.config import DataConfig
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
                    try:
                        info = probe(entry.target)
                    except AudioError as e:
                        raise DataError(f"noise.noise_dir: {wav_scp}:{lineno}: noise recording '{key}': "
                                        f"{e.message}") from None
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


@dataclass(frozen=True)
class NoiseDraw:
    """What one noised utterance gets: silence samples before and after it, and the SNR."""

    before: int
    after: int
    snr_db: float


class NoiseAugment:
    """On a share noise.prob of utterances: silence pads (silence_pad), then noise at SNR ~ N(mean, std).

    `draw` takes from the generator in a fixed order (selection, pads, SNR) without the audio, so a
    caller can skip reading the utterances it does not pick; `apply` then draws the noise.
    """

    def __init__(self, cfg: DataConfig):
        self.sr = cfg.sample_rate
        self.cfg = cfg.noise
        self.pad = cfg.silence_pad
        self.source = NoiseSource(cfg.sample_rate, cfg.noise.noise_dir, cfg.noise.synth_kinds)

    def draw(self, rng: np.random.Generator) -> NoiseDraw | None:
        if rng.random() >= self.cfg.prob:
            return None
        before = after = 0
        if self.pad.enabled and self.pad.max_sec > 0:
            b, a = self.pad.max_sec * rng.beta(self.pad.beta_a, self.pad.beta_b, size=2) * self.sr
            before, after = int(b), int(a)
        return NoiseDraw(before, after, float(rng.normal(self.cfg.snr_mean_db, self.cfg.snr_std_db)))

    def apply(self, x: np.ndarray, d: NoiseDraw, rng: np.random.Generator) -> np.ndarray:
        """x padded and noised as `d` says; the SNR is relative to the power of the unpadded x."""
        speech_power = float(np.mean(np.square(x, dtype=np.float64))) if len(x) else 0.0
        x = pad_silence(x, d.before, d.after)
        return mix_at_snr(x, self.source.sample(len(x), rng), d.snr_db, speech_power)
