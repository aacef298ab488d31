"""Small clean training dirs (16-bit wav files, sorted tables) for the offline augmentation tests."""

from pathlib import Path

import numpy as np
import soundfile as sf
import yaml

from asrllm.data.config import data_config_from_dict
from asrllm.kaldi.speakers import write_spk2utt
from asrllm.kaldi.table import write_table

SR = 16000


def write_clean_dir(root: Path, n: int, seed: int = 0) -> Path:
    """n utterances `spkK-uNNNN` of 0.4-0.9 s sines at amplitude 0.1; utt2num_samples, utt2dur, text."""
    rng = np.random.default_rng(seed)
    (root / "wav").mkdir(parents=True)
    rows = []
    for i in range(n):
        utt = f"spk{i % 4}-u{i:04d}"
        m = int(rng.uniform(0.4, 0.9) * SR)
        x = 0.1 * np.sin(2 * np.pi * rng.uniform(150, 600) * np.arange(m) / SR)
        path = root / "wav" / f"{utt}.wav"
        sf.write(path, x, SR, subtype="PCM_16")
        rows.append((utt, str(path), m))
    write_table(root / "wav.scp", [(u, p) for u, p, _ in rows])
    write_table(root / "text", [(u, f"word {u[-2:]}") for u, _, _ in rows])
    write_table(root / "utt2spk", [(u, u.split("-")[0]) for u, _, _ in rows])
    write_table(root / "utt2num_samples", [(u, str(m)) for u, _, m in rows])
    write_table(root / "utt2dur", [(u, f"{m / SR:.3f}") for u, _, m in rows])
    write_spk2utt(root / "utt2spk", root / "spk2utt")
    return root


def fbank_config(path: Path, **over) -> Path:
    """Write a fbank data config with noise on a quarter of the utterances (synthesized noise), no
    non-speech clips, and the sections in `over` merged in; return its path (the shards read it)."""
    data = {"feats_type": "fbank", "noise": {"prob": 0.25}}
    for key, value in over.items():
        data[key] = {**data[key], **value} if isinstance(value, dict) and key in data else value
    data_config_from_dict(data)
    path.write_text(yaml.safe_dump(data))
    return path
