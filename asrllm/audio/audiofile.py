"""Read audio through soundfile: probe, full-decode checks, sample ranges, any wav.scp entry.

Samples are float32 in [-1, 1] (soundfile's convention); the fbank scales them to 16-bit units.
"""

import io
import os
from dataclasses import dataclass
from typing import Iterator

import numpy as np
import soundfile as sf

from asrllm.audio.entry import parse_entry
from asrllm.audio.errors import CORRUPT, MISSING, MULTI_CHANNEL, PAST_END, TRUNCATED, UNREADABLE, AudioError
from asrllm.audio.pipe import PIPE_TIMEOUT_S, pipe_to_bytes
from asrllm.audio.segments import seconds_to_samples
from asrllm.audio.wavheader import wav_missing_bytes

BLOCK = 1 << 18  # frames per decode block (about 16 s at 16 kHz)


@dataclass(frozen=True)
class AudioInfo:
    """What the header says about a file."""

    sample_rate: int
    channels: int
    frames: int
    format: str
    subtype: str


def probe(path: str | os.PathLike) -> AudioInfo:
    """Header facts of an audio file; AudioError for missing, unreadable or truncated files."""
    if not os.path.isfile(path):
        raise AudioError(MISSING, f"no such file: {path}")
    try:
        info = sf.info(str(path))
    except (sf.LibsndfileError, RuntimeError, TypeError) as e:
        raise AudioError(UNREADABLE, f"{path}: {e}") from None
    check_complete(path)
    return AudioInfo(info.samplerate, info.channels, info.frames, info.format, info.subtype)


def check_complete(path: str | os.PathLike) -> None:
    """AudioError if a WAV file is shorter than its header says (libsndfile reads it quietly)."""
    missing = wav_missing_bytes(path)
    if missing:
        raise AudioError(TRUNCATED, f"{path}: the WAV header declares {missing} bytes more than the file has")


def iter_blocks(f: sf.SoundFile, where: str, block: int = BLOCK) -> Iterator[np.ndarray]:
    """Decode an open file to its end in (frames, channels) float32 blocks; AudioError on decoder errors."""
    while True:
        try:
            data = f.read(block, dtype="float32", always_2d=True)
        except (sf.LibsndfileError, RuntimeError) as e:
            raise AudioError(CORRUPT, f"{where}: decoding failed after {f.tell()} frames: {e}") from None
        if len(data) == 0:
            return
        yield data


def count_frames(path: str | os.PathLike) -> int:
    """Decode the whole file once (bounded memory) and return its true number of frames."""
    try:
        with sf.SoundFile(str(path)) as f:
            return sum(len(b) for b in iter_blocks(f, str(path)))
    except (sf.LibsndfileError, RuntimeError) as e:
        raise AudioError(UNREADABLE, f"{path}: {e}") from None


def to_mono(data: np.ndarray, policy: str, where: str) -> np.ndarray:
    """(frames, channels) -> (frames,) by policy 'skip' (error), 'first' or 'mix'."""
    if data.ndim == 1:
        return data
    if data.shape[1] == 1:
        return data[:, 0]
    if policy == "first":
        return np.ascontiguousarray(data[:, 0])
    if policy == "mix":
        return data.mean(axis=1, dtype=np.float32)
    raise AudioError(MULTI_CHANNEL, f"{where}: {data.shape[1]} channels (format.multi_channel: skip)")


def _slice(data: np.ndarray, start: int, stop: int | None, where: str) -> np.ndarray:
    if stop is None:
        stop = len(data)
    if start < 0 or stop > len(data) or start >= stop:
        raise AudioError(PAST_END, f"{where}: samples [{start}, {stop}) outside [0, {len(data)})")
    return data[start:stop]


def read_open(f: sf.SoundFile, start: int, stop: int | None, where: str,
              multi_channel: str = "skip") -> np.ndarray:
    """Mono samples [start, stop) of an open file (seek, then read only that range)."""
    frames = f.frames
    stop = frames if stop is None else stop
    if start < 0 or start >= stop or stop > frames:
        raise AudioError(PAST_END, f"{where}: samples [{start}, {stop}) outside [0, {frames})")
    try:
        f.seek(start)
        data = f.read(stop - start, dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError) as e:
        raise AudioError(CORRUPT, f"{where}: {e}") from None
    if len(data) != stop - start:
        raise AudioError(TRUNCATED, f"{where}: got {len(data)} of {stop - start} frames from {start}")
    return to_mono(data, multi_channel, where)


def open_audio(path: str | os.PathLike) -> sf.SoundFile:
    """Open a file for reading; AudioError if it is missing, truncated or soundfile cannot read it."""
    if not os.path.isfile(path):
        raise AudioError(MISSING, f"no such file: {path}")
    try:
        f = sf.SoundFile(str(path))
    except (sf.LibsndfileError, RuntimeError, TypeError) as e:
        raise AudioError(UNREADABLE, f"{path}: {e}") from None
    # every reader of an unformatted dir (compute_fbank, cmvn, the loader) comes through here,
    # so a truncated WAV is refused as in stage 3's probe; the check reads a few header bytes
    try:
        check_complete(path)
    except AudioError:
        f.close()
        raise
    return f


def read_range(path: str | os.PathLike, start: float = 0, stop: float | None = None,
               multi_channel: str = "skip", seconds: bool = False) -> tuple[np.ndarray, int]:
    """Samples [start, stop) of a file (or seconds, with seconds=True), seeking, not decoding from 0."""
    with open_audio(path) as f:
        sr = f.samplerate
        if seconds:
            start = seconds_to_samples(start, sr)
            stop = None if stop is None or stop < 0 else seconds_to_samples(stop, sr)
        return read_open(f, int(start), None if stop is None else int(stop), str(path), multi_channel), sr


def _decode_bytes(blob: bytes, where: str) -> tuple[np.ndarray, int]:
    try:
        data, sr = sf.read(io.BytesIO(blob), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, TypeError) as e:
        raise AudioError(UNREADABLE, f"{where}: {e}") from None
    return data, sr


def _read_ark(target: str) -> tuple[np.ndarray, int]:
    import kaldiio

    try:
        loaded = kaldiio.load_mat(target)
    except (OSError, ValueError) as e:
        raise AudioError(UNREADABLE, f"{target}: {e}") from None
    if not isinstance(loaded, tuple):
        raise AudioError(UNREADABLE, f"{target}: holds a matrix, not audio")
    sr, data = loaded
    data = np.asarray(data)
    if data.dtype.kind == "i":
        data = data.astype(np.float32) / float(1 << (8 * data.dtype.itemsize - 1))
    return data.astype(np.float32, copy=False).reshape(len(data), -1), int(sr)


def decode_entry(value: str, pipe_timeout: float = PIPE_TIMEOUT_S) -> tuple[np.ndarray, int]:
    """Decode a whole entry into (frames, channels) float32 (files are better read with read_range)."""
    entry = parse_entry(value)
    if entry.kind == "pipe":
        return _decode_bytes(pipe_to_bytes(entry.target, pipe_timeout), str(entry))
    if entry.kind == "ark":
        return _read_ark(entry.target)
    probe(entry.target)
    with sf.SoundFile(entry.target) as f:
        blocks = list(iter_blocks(f, entry.target))
        data = np.concatenate(blocks) if blocks else np.zeros((0, f.channels), np.float32)
        return data, f.samplerate


def read_entry(value: str, start: float | None = None, end: float | None = None,
               multi_channel: str = "skip", pipe_timeout: float = PIPE_TIMEOUT_S) -> tuple[np.ndarray, int]:
    """Mono float32 samples of a wav.scp value, optionally the [start, end) seconds of it."""
    entry = parse_entry(value)
    if entry.kind == "file":
        return read_range(entry.target, start or 0.0, end, multi_channel, seconds=True)
    data, sr = decode_entry(value, pipe_timeout)
    lo = 0 if start is None else seconds_to_samples(start, sr)
    hi = None if end is None or end < 0 else seconds_to_samples(end, sr)
    return to_mono(_slice(data, lo, hi, str(entry)), multi_channel, str(entry)), sr
