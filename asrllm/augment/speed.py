"""Online speed perturbation: resample by 1/factor, play at the original rate (pitch and tempo change, as sox speed)."""

import numpy as np

from asrllm.audio.resample import resample


def change_speed(x: np.ndarray, factor: float, sample_rate: int) -> np.ndarray:
    """x played `factor` times faster (factor 1.1 gives about len(x) / 1.1 samples)."""
    if factor == 1.0:
        return x
    return resample(x, sample_rate, sample_rate / factor)
