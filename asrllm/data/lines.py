"""Line-level access to large tables: byte offsets as numpy arrays, lazy reads, lenient transcripts."""

import os
from pathlib import Path
from typing import Iterator

import numpy as np

from asrllm.kaldi.table import DataError

CHUNK = 1 << 24


def line_starts(path: str | os.PathLike) -> np.ndarray:
    """Byte offset of every line start plus the file size at the end (int64, n_lines + 1 entries)."""
    parts = [np.zeros(1, np.int64)]
    size = 0
    with open(path, "rb") as f:
        while True:
            buf = f.read(CHUNK)
            if not buf:
                break
            nl = np.flatnonzero(np.frombuffer(buf, np.uint8) == 10).astype(np.int64)
            parts.append(nl + size + 1)
            size += len(buf)
    starts = np.concatenate(parts)
    if starts[-1] != size:  # last line without a newline
        starts = np.append(starts, size)
    return starts


class LineFile:
    """Reads single lines by byte range; reopens itself in each process (safe across fork)."""

    def __init__(self, path: str | os.PathLike):
        self.path = str(path)
        self._fd: int | None = None
        self._pid = -1

    def read(self, start: int, length: int) -> str:
        if self._pid != os.getpid():
            self._fd = os.open(self.path, os.O_RDONLY)
            self._pid = os.getpid()
        return os.pread(self._fd, length, start).decode("utf-8").rstrip("\r\n")

    def __getstate__(self) -> dict:
        return {"path": self.path, "_fd": None, "_pid": -1}


def read_text_lenient(path: str | os.PathLike) -> Iterator[tuple[str, str | None, int]]:
    """(utt, transcript, line) of a sorted `text`; transcript None when it is not valid UTF-8.

    An id that is not UTF-8, a blank line or unsorted ids are errors of the whole file (DataError).
    """
    path = Path(path)
    prev: bytes | None = None
    with open(path, "rb") as f:
        for lineno, raw in enumerate(f, 1):
            raw = raw.rstrip(b"\r\n")
            key_b, _, value_b = raw.partition(b" ")
            if not key_b:
                raise DataError(f"{path}:{lineno}: empty line or line starting with whitespace")
            try:
                key = key_b.decode("utf-8")
            except UnicodeDecodeError:
                raise DataError(f"{path}:{lineno}: utterance id is not valid UTF-8") from None
            if prev is not None and key_b <= prev:
                what = "duplicate id" if key_b == prev else "not sorted (C locale) after the previous id"
                raise DataError(f"{path}:{lineno}: '{key}': {what}; run utils/fix_data_dir.sh")
            prev = key_b
            try:
                value: str | None = value_b.decode("utf-8").strip()
            except UnicodeDecodeError:
                value = None
            yield key, value, lineno
