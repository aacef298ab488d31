"""Babble: several utterances overlapped at random offsets, each at the same level, so that no
single talker can be followed. Made from a pool of utterances drawn from a data dir (reservoir
sampling: one pass over wav.scp or segments, only the pool held in memory).

Used by the non-speech test sets (asrllm.hallucination.nonspeech_sets) and the non-speech training
clips (asrllm.augment.nonspeech_train); every draw comes from the caller's numpy Generator.
"""

import logging
import os

import numpy as np

from asrllm.audio.audiofile import read_entry
from asrllm.audio.errors import AudioError
from asrllm.audio.resample import resample
from asrllm.kaldi.datadir import DataDir
from asrllm.kaldi.table import DataError, read_table

log = logging.getLogger(__name__)

Entry = tuple[str, str, float | None, float | None]  # (uttid, wav.scp value, start s, end s)


def sample_entries(data_dir: str | os.PathLike, k: int, rng: np.random.Generator) -> list[Entry]:
    """k utterances drawn uniformly from a data dir by reservoir sampling (one pass, k held)."""
    data = DataDir(data_dir)
    data.require("wav.scp")
    reservoir: list[Entry] = []
    if data.has_segments:
        stream = ((utt, v.split()) for utt, v, _ in read_table(data.file("segments")))
        items = ((utt, f[0], float(f[1]), float(f[2])) for utt, f in stream)
    else:
        items = ((utt, v, None, None) for utt, v, _ in read_table(data.file("wav.scp")))
    for i, item in enumerate(items):
        if i < k:
            reservoir.append(item)
        else:
            j = int(rng.integers(0, i + 1))
            if j < k:
                reservoir[j] = item
    if not reservoir:
        raise DataError(f"{data_dir}: no utterances to build babble from")
    if data.has_segments:  # only the sampled segments' recordings are looked up
        wanted = {r[1] for r in reservoir}
        recos = {key: value for key, value, _ in read_table(data.file("wav.scp")) if key in wanted}
        reservoir = [(u, recos[r], s, e) for u, r, s, e in reservoir]
    return reservoir


def load_talkers(entries: list[Entry], sample_rate: int) -> list[np.ndarray]:
    """The entries' audio at sample_rate; unreadable ones are skipped with a warning naming them."""
    talkers = []
    for utt, value, start, end in entries:
        try:
            x, sr = read_entry(value, start, end)
        except AudioError as e:
            log.warning("babble: skipping utterance '%s': %s", utt, e)
            continue
        talkers.append(resample(x, sr, sample_rate))
    if len(talkers) < 2:
        raise DataError("babble needs at least 2 readable utterances")
    return talkers


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if len(x) else 0.0


def babble(n: int, talkers: list[np.ndarray], rng: np.random.Generator, level_db: float) -> np.ndarray:
    """n samples of overlapped talkers (each tiled to length from a random offset, equal levels)."""
    out = np.zeros(n, np.float64)
    for x in talkers:
        if _rms(x) == 0.0:
            continue
        reps = int(np.ceil((n + len(x)) / len(x)))
        tiled = np.tile(x, reps)
        off = int(rng.integers(0, len(x)))
        out += tiled[off:off + n] / _rms(x)
    rms = _rms(out)
    if rms == 0.0:
        return out.astype(np.float32)
    return (out * (10 ** (level_db / 20) / rms)).astype(np.float32)


def babble_from_pool(n: int, pool: list[np.ndarray], talkers: tuple[int, int] | list[int],
                     rng: np.random.Generator, level_db: float) -> np.ndarray:
    """Babble of a number of distinct pool members drawn uniformly in [talkers[0], talkers[1]]."""
    k = int(rng.integers(talkers[0], talkers[1] + 1))
    picks = rng.choice(len(pool), size=min(k, len(pool)), replace=False)
    return babble(n, [pool[j] for j in picks], rng, level_db)
