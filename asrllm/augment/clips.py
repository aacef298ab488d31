"""Write one augmented clip (a noisy copy, a non-speech example) as a 16-bit file, atomically."""

from pathlib import Path

import numpy as np
import soundfile as sf

from asrllm.utils.atomic import atomic_write

PEAK = 0.99  # a mix louder than this is scaled down as a whole (its SNR is kept); 16-bit would clip


def write_clip(path: Path, x: np.ndarray, sample_rate: int, fmt: str) -> float:
    """Write x (float, full scale 1) to `path` as 16-bit `fmt` (flac | wav); return the gain applied."""
    peak = float(np.max(np.abs(x))) if len(x) else 0.0
    gain = PEAK / peak if peak > PEAK else 1.0
    with atomic_write(path, "wb") as f:
        sf.write(f, (x * gain).astype(np.float32), sample_rate, format=fmt.upper(), subtype="PCM_16")
    return gain
