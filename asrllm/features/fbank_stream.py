"""Fbank of a stream: samples arrive in pieces, frames leave as soon as their window is complete.

With snip_edges (Kaldi's default) frame i covers samples [i * shift, i * shift + window) and is
computed from them alone, so computing the frames of a buffer that starts at a frame boundary gives
exactly the whole recording's frames (tested). Without snip_edges Kaldi reflects the signal at both
ends, which a stream cannot know in advance: that case is refused.
"""

import numpy as np

from asrllm.config import ConfigError
from asrllm.features.fbank import Fbank


class FbankStream:
    def __init__(self, fbank: Fbank):
        if not fbank.cfg.snip_edges:
            raise ConfigError("streaming needs fbank.snip_edges: true (frames that depend on the whole signal "
                              "cannot be computed as it arrives)")
        self.fbank = fbank
        self.pending = np.zeros(0, np.float32)  # samples from the next frame's start

    def accept(self, samples: np.ndarray) -> np.ndarray:
        """[n] samples -> [frames, bins] of every frame now complete (maybe none)."""
        self.pending = np.concatenate([self.pending, np.asarray(samples, dtype=np.float32)])
        n = self.fbank.num_frames(len(self.pending))
        if n == 0:
            return np.zeros((0, self.fbank.dim), np.float32)
        used = n * self.fbank.shift
        feats = self.fbank(self.pending[:(n - 1) * self.fbank.shift + self.fbank.window])
        self.pending = self.pending[used:]
        return feats
