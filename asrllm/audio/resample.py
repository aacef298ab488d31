"""Sample-rate conversion with libsoxr (whole signals, or streamed block by block)."""

import numpy as np
import soxr

QUALITY = "HQ"


def resample(x: np.ndarray, rate_in: float, rate_out: float) -> np.ndarray:
    """Resample a 1-D (or (frames, channels)) float32 signal."""
    if rate_in == rate_out:
        return x
    return soxr.resample(x, rate_in, rate_out, quality=QUALITY).astype(np.float32, copy=False)


class StreamResampler:
    """Resample a long recording in blocks with bounded memory; output equals one-shot resampling length."""

    def __init__(self, rate_in: float, rate_out: float, channels: int = 1):
        self.same = rate_in == rate_out
        self._stream = None if self.same else soxr.ResampleStream(rate_in, rate_out, channels,
                                                                   dtype="float32", quality=QUALITY)

    def __call__(self, block: np.ndarray, last: bool = False) -> np.ndarray:
        if self.same:
            return block
        return self._stream.resample_chunk(np.ascontiguousarray(block, dtype=np.float32), last=last)
