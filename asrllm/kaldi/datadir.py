"""A Kaldi data directory: which tables it holds, what each is keyed by, and lazy readers.

Tables are keyed by utterance (utt2spk, text, segments, feats.scp, ...), by recording
(wav.scp, reco2dur, reco2file_and_channel: when there is no `segments` file a recording is an
utterance, so these are keyed by utterance then) or by speaker (spk2utt, spk2gender, cmvn.scp).
"""

import os
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple

from asrllm.kaldi.table import DataError, read_table

UTT_TABLES = ("utt2spk", "text", "segments", "feats.scp", "utt2dur", "utt2num_frames", "utt2num_samples",
              "utt2lang", "utt2uniq", "utt2warp", "utt2category", "vad.scp")
RECO_TABLES = ("wav.scp", "reco2dur", "reco2file_and_channel")
SPK_TABLES = ("spk2gender", "spk2warp", "cmvn.scp")
# Small one-value files that describe the whole dir; copied along by subset/split/combine.
META_FILES = ("frame_shift", "feats_type", "audio_format")
# Tables whose value may be empty (an utterance with an empty transcript).
EMPTY_VALUE_TABLES = frozenset({"text"})


class Segment(NamedTuple):
    """One line of `segments`: an utterance cut from a recording."""
    utt: str
    reco: str
    start: float
    end: float


def parse_segment(utt: str, value: str) -> Segment:
    """Parse the value of a `segments` line; ValueError says what is wrong (no location)."""
    fields = value.split()
    if len(fields) != 3:
        raise ValueError(f"expected '<utt> <recording> <start> <end>', got {len(fields) + 1} fields")
    try:
        start, end = float(fields[1]), float(fields[2])
    except ValueError:
        raise ValueError(f"start and end of '{utt}' must be numbers, got '{fields[1]}' '{fields[2]}'") from None
    if start < 0:
        raise ValueError(f"segment '{utt}' starts before 0 ({fields[1]})")
    if start >= end:
        raise ValueError(f"segment '{utt}' has start {fields[1]} >= end {fields[2]}")
    return Segment(utt, fields[0], start, end)


def format_seconds(x: float) -> str:
    """Seconds as written in segments / utt2dur / reco2dur (millisecond precision)."""
    return f"{x:.3f}"


class DataDir:
    """Paths and lazy readers for one data directory; nothing is read until asked for."""

    def __init__(self, path: str | os.PathLike, extra_utt_tables: Iterable[str] = ()):
        self.root = Path(path)
        self.extra_utt_tables = tuple(n for n in extra_utt_tables if n not in UTT_TABLES)

    def __str__(self) -> str:
        return str(self.root)

    def file(self, name: str) -> Path:
        return self.root / name

    def has(self, name: str) -> bool:
        return self.file(name).is_file()

    @property
    def has_segments(self) -> bool:
        return self.has("segments")

    def utt_tables(self) -> list[str]:
        """Present tables keyed by utterance (recording tables too when there is no segments file)."""
        names = UTT_TABLES + self.extra_utt_tables + (() if self.has_segments else RECO_TABLES)
        return [n for n in names if self.has(n)]

    def reco_tables(self) -> list[str]:
        """Present tables keyed by recording; empty when recordings are utterances (no segments)."""
        return [n for n in RECO_TABLES if self.has(n)] if self.has_segments else []

    def spk_tables(self) -> list[str]:
        """Present tables keyed by speaker, apart from spk2utt (which is derived from utt2spk)."""
        return [n for n in SPK_TABLES if self.has(n)]

    def tables(self) -> list[str]:
        """Every present table, spk2utt included."""
        return self.utt_tables() + self.reco_tables() + (["spk2utt"] if self.has("spk2utt") else []) \
            + self.spk_tables()

    def known_names(self) -> set[str]:
        """Every file name this class treats as part of the data dir (present or not)."""
        return set(UTT_TABLES + RECO_TABLES + SPK_TABLES + META_FILES + self.extra_utt_tables) | {"spk2utt"}

    def require(self, *names: str) -> None:
        if not self.root.is_dir():
            raise DataError(f"{self.root}: no such data directory")
        for name in names:
            if not self.has(name):
                raise DataError(f"{self.file(name)}: missing (a data dir needs {' and '.join(names)})")

    def read(self, name: str) -> Iterator[tuple[str, str, int]]:
        """(key, value, line) of a sorted, unique table; DataError at the first bad line."""
        return read_table(self.file(name), allow_empty_value=name in EMPTY_VALUE_TABLES, check_sorted=True)

    def items(self, name: str) -> Iterator[tuple[str, str]]:
        """(key, value) of a sorted, unique table."""
        return ((k, v) for k, v, _ in self.read(name))

    def keys(self, name: str) -> Iterator[str]:
        return (k for k, _, _ in self.read(name))

    def segments(self) -> Iterator[Segment]:
        """Parsed `segments` lines; DataError names the file and line of a bad one."""
        for utt, value, lineno in self.read("segments"):
            try:
                yield parse_segment(utt, value)
            except ValueError as e:
                raise DataError(f"{self.file('segments')}:{lineno}: {e}") from None

    def num_utts(self) -> int:
        return count_lines(self.file("utt2spk"))


def count_lines(path: str | os.PathLike) -> int:
    with open(path, "rb") as f:
        return sum(1 for _ in f)
