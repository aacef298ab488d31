"""A synthetic benchmark corpus: a formatted data dir of 16-bit WAV files with chosen durations."""

import os
import platform
from pathlib import Path

import numpy as np
import soundfile as sf

from asrllm.augment import nonspeech

SR = 16000


def make_corpus(root: Path, durations: np.ndarray, seed: int = 0) -> Path:
    """Write one WAV per duration and a data dir (wav.scp, utt2num_samples, text, utt2spk); return it."""
    rng = np.random.default_rng(seed)
    audio, data = root / "audio", root / "data"
    audio.mkdir(parents=True, exist_ok=True)
    data.mkdir(parents=True, exist_ok=True)
    rows = []
    for i, dur in enumerate(durations):
        utt = f"utt{i:07d}"
        n = int(dur * SR)
        x = nonspeech.synthesize(["pink", "tone", "chord"][i % 3], n, SR, rng, level_db=-22.0)
        sf.write(audio / f"{utt}.wav", x, SR, subtype="PCM_16")
        rows.append((utt, n))
    with open(data / "wav.scp", "w") as w, open(data / "utt2num_samples", "w") as ns, \
            open(data / "text", "w") as t, open(data / "utt2spk", "w") as s:
        for utt, n in rows:
            w.write(f"{utt} {audio / (utt + '.wav')}\n")
            ns.write(f"{utt} {n}\n")
            t.write(f"{utt} some words here\n")
            s.write(f"{utt} {utt}\n")
    return data


def machine() -> str:
    """One line describing where the numbers were taken."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, load average {load:.1f} at start"
