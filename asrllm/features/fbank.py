"""Kaldi-compatible log-Mel filterbank through kaldi-native-fbank.

Input samples are float in [-1, 1] (soundfile's convention); they are scaled to 16-bit units
before analysis, as Kaldi reads integer PCM, so features match Kaldi's compute-fbank-feats.
"""

import numpy as np
import kaldi_native_fbank as knf

from asrllm.data.config import FbankConfig

PCM_SCALE = 32768.0


def fbank_options(cfg: FbankConfig, sample_rate: int) -> "knf.FbankOptions":
    """kaldi-native-fbank options for a config (dither always 0: callers add their own, seeded)."""
    opts = knf.FbankOptions()
    fo = opts.frame_opts
    fo.samp_freq = float(sample_rate)
    fo.frame_length_ms = cfg.frame_length_ms
    fo.frame_shift_ms = cfg.frame_shift_ms
    fo.dither = 0.0
    fo.preemph_coeff = cfg.preemph_coeff
    fo.window_type = cfg.window_type
    fo.snip_edges = cfg.snip_edges
    mo = opts.mel_opts
    mo.num_bins = cfg.num_mel_bins
    mo.low_freq = cfg.low_freq
    mo.high_freq = cfg.high_freq
    return opts


class Fbank:
    """samples -> [frames, num_mel_bins] float32 log-Mel features."""

    def __init__(self, cfg: FbankConfig, sample_rate: int = 16000):
        self.cfg = cfg
        self.sample_rate = sample_rate
        self.opts = fbank_options(cfg, sample_rate)
        self.window = int(sample_rate * cfg.frame_length_ms / 1000)
        self.shift = int(sample_rate * cfg.frame_shift_ms / 1000)

    @property
    def dim(self) -> int:
        return self.cfg.num_mel_bins

    def num_frames(self, num_samples):
        """Frames produced for num_samples samples (Kaldi's rule); int or numpy array."""
        n = np.asarray(num_samples, dtype=np.int64)
        if self.cfg.snip_edges:
            frames = np.where(n < self.window, 0, 1 + (n - self.window) // self.shift)
        else:
            frames = (n + self.shift // 2) // self.shift
        return int(frames) if frames.ndim == 0 else frames

    def __call__(self, samples: np.ndarray, dither: float = 0.0,
                 rng: np.random.Generator | None = None) -> np.ndarray:
        wave = np.asarray(samples, dtype=np.float32) * np.float32(PCM_SCALE)
        if dither > 0:
            if rng is None:
                raise ValueError("dither needs a seeded rng")
            wave = wave + np.float32(dither) * rng.standard_normal(len(wave), dtype=np.float32)
        comp = knf.OnlineFbank(self.opts)
        comp.accept_waveform(float(self.sample_rate), wave)
        comp.input_finished()
        n = comp.num_frames_ready
        out = np.empty((n, self.dim), dtype=np.float32)
        for i in range(n):
            out[i] = comp.get_frame(i)
        return out
