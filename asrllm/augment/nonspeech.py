"""Synthesized non-speech audio: silence, white/pink/brown noise, tones and chords.

One module for everyone who needs audio without speech in it: noise augmentation, the
hallucination test sets (silence / noise / music-like inputs) and the mini recipe. Every
function takes a numpy Generator, so output is reproducible from a seed, and returns float32
at the requested RMS level (dB relative to full scale; silence is all zeros).
"""

import numpy as np

from asrllm.data.config import NONSPEECH_KINDS as KINDS
from asrllm.data.config import NONSPEECH_NOISE_KINDS as NOISE_KINDS

_FADE_S = 0.01
_CHORDS = ((0, 4, 7), (0, 3, 7), (0, 4, 7, 10), (0, 3, 7, 10), (0, 5, 7), (0, 4, 7, 11))


def _at_level(x: np.ndarray, level_db: float) -> np.ndarray:
    rms = float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if len(x) else 0.0
    if rms == 0.0:
        return x.astype(np.float32)
    return (x * (10 ** (level_db / 20) / rms)).astype(np.float32)


def _fade(x: np.ndarray, sr: int) -> np.ndarray:
    """Short raised-cosine fade in and out, so a signal starts and ends without a click."""
    k = min(int(_FADE_S * sr), len(x) // 2)
    if k > 0:
        ramp = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, k))
        x[:k] *= ramp
        x[-k:] *= ramp[::-1]
    return x


def silence(n: int) -> np.ndarray:
    """n samples of digital silence."""
    return np.zeros(n, np.float32)


def colored_noise(n: int, rng: np.random.Generator, exponent: float) -> np.ndarray:
    """Gaussian noise whose power falls as 1/f**exponent (0 white, 1 pink, 2 brown), zero mean."""
    white = rng.standard_normal(n)
    if exponent == 0 or n < 2:
        return white
    spec = np.fft.rfft(white)
    f = np.fft.rfftfreq(n)
    f[0] = f[1]
    spec *= f ** (-exponent / 2)
    spec[0] = 0.0
    return np.fft.irfft(spec, n)


def tone(n: int, sr: int, rng: np.random.Generator) -> np.ndarray:
    """A steady or beeping tone of 1-3 harmonics, fundamental 100-3000 Hz (log-uniform)."""
    t = np.arange(n) / sr
    f0 = float(np.exp(rng.uniform(np.log(100), np.log(3000))))
    partials = int(rng.integers(1, 4))
    x = np.zeros(n)
    for k in range(1, partials + 1):
        if f0 * k < sr / 2:
            x += (1.0 / k) * np.sin(2 * np.pi * f0 * k * t + rng.uniform(0, 2 * np.pi))
    if rng.random() < 0.5:  # beeps: on/off gating
        period, duty = rng.uniform(0.2, 1.0), rng.uniform(0.3, 0.7)
        x *= ((t % period) < duty * period).astype(np.float64)
    return _fade(x, sr)


def chord(n: int, sr: int, rng: np.random.Generator) -> np.ndarray:
    """Music-like audio: a chord of harmonic notes struck repeatedly with decaying envelopes."""
    t = np.arange(n) / sr
    root = int(rng.integers(45, 73))  # MIDI note, A2..C5
    notes = [root + i for i in _CHORDS[int(rng.integers(len(_CHORDS)))]]
    x = np.zeros(n)
    for note in notes:
        f0 = 440.0 * 2 ** ((note - 69) / 12)
        for k in range(1, int(rng.integers(3, 7)) + 1):
            if f0 * k < sr / 2:
                x += (0.6 ** (k - 1)) * np.sin(2 * np.pi * f0 * k * t + rng.uniform(0, 2 * np.pi))
    interval = rng.uniform(0.3, 1.2)
    decay = rng.uniform(2.0, 6.0)
    since_strike = t % interval
    return _fade(x * np.exp(-decay * since_strike), sr)


def synthesize(kind: str, n: int, sr: int, rng: np.random.Generator, level_db: float = -20.0) -> np.ndarray:
    """n samples of one kind of non-speech audio at RMS level_db dBFS."""
    if kind == "silence":
        return silence(n)
    if kind == "white":
        x = colored_noise(n, rng, 0)
    elif kind == "pink":
        x = colored_noise(n, rng, 1)
    elif kind == "brown":
        x = colored_noise(n, rng, 2)
    elif kind == "tone":
        x = tone(n, sr, rng)
    elif kind == "chord":
        x = chord(n, sr, rng)
    else:
        raise ValueError(f"unknown non-speech kind '{kind}'; choose one of {', '.join(KINDS)}")
    return _at_level(x, level_db)


def random_nonspeech(n: int, sr: int, rng: np.random.Generator, kinds=NOISE_KINDS,
                     level_db: float = -20.0) -> tuple[str, np.ndarray]:
    """A kind drawn uniformly from `kinds` and n samples of it."""
    kind = kinds[int(rng.integers(len(kinds)))]
    return kind, synthesize(kind, n, sr, rng, level_db)
