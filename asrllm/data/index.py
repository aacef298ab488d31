"""A compact random-access index over a data dir: numpy arrays of line offsets, never a dict per utterance.

The utterances are those present in every table the loader needs (joined by sorted key, as
Kaldi tables are sorted); for each table the index keeps where each utterance's line starts and
how long it is, and reads the line from disk (page cache) when an item is requested. About
12 bytes per utterance per table plus 4 for the length, shared by forked workers.
"""

import itertools
import logging
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from asrllm.data.lines import LineFile, line_starts
from asrllm.kaldi.datadir import DataDir
from asrllm.kaldi.sorted_join import join_sorted
from asrllm.kaldi.table import DataError, read_table


@dataclass
class TableRows:
    """Where each indexed utterance's line is in one table file."""

    file: LineFile
    start: np.ndarray
    length: np.ndarray

    @classmethod
    def from_lines(cls, path: Path, linenos: array) -> "TableRows":
        starts = line_starts(path)
        rows = np.frombuffer(linenos, dtype=np.int64) - 1
        return cls(LineFile(path), starts[rows], (starts[rows + 1] - starts[rows]).astype(np.int32))

    def line(self, i: int) -> str:
        return self.file.read(int(self.start[i]), int(self.length[i]))

    def value(self, i: int) -> str:
        """The line's value (everything after the key)."""
        return self.line(i).partition(" ")[2].strip()


def _aligned_tables(data: DataDir, names: list[str], numeric: str,
                    on_row: Callable[[str, str], None] | None) -> tuple[list[array], array] | None:
    """Fast path for the usual case (a formatted/filtered dir): every table lists the same sorted keys
    line by line. Returns what _join_tables would, or None at the first disagreement."""
    num_idx = names.index(numeric)
    values = array("q")
    prev = b""
    files = [open(data.file(n), "rb") for n in names]
    try:
        for lines in itertools.zip_longest(*files):
            if None in lines:
                return None
            first = lines[0]
            cut = first.find(b" ")
            key = first[:cut + 1] if cut > 0 else None
            if key is None or key[:-1] <= prev or any(line[:cut + 1] != key and line.rstrip(b"\r\n") != key[:-1]
                                                      for line in lines[1:]):  # `key` alone: an empty text
                return None
            prev = key[:-1]
            try:
                values.append(int(lines[num_idx][cut + 1:]))
            except ValueError:
                return None  # the general path reports it with file and line
            if on_row is not None:
                on_row(prev.decode("utf-8"), first[cut + 1:].decode("utf-8").strip())
    finally:
        for f in files:
            f.close()
    rows = array("q", range(1, len(values) + 1))
    return [rows] * len(names), values


def _join_tables(data: DataDir, names: list[str], numeric: str, on_row: Callable[[str, str], None] | None = None,
                 reset: Callable[[], None] | None = None) -> tuple[list[array], array, int]:
    """Inner join of sorted tables: per table the line numbers of the common keys, and `numeric` parsed.

    Also returns how many lines of the first table were left out (their key is missing elsewhere);
    `on_row(key, first_table_value)` is called for every joined key (`reset` undoes its calls).
    """
    fast = _aligned_tables(data, names, numeric, on_row)
    if fast is not None:
        return fast[0], fast[1], 0
    if reset is not None:
        reset()

    def rows(name: str):
        for k, v, ln in read_table(data.file(name), allow_empty_value=name.startswith("text"), check_sorted=True):
            yield k, [(ln, v)]

    first_lines = 0

    def counted(stream):
        nonlocal first_lines
        for item in stream:
            first_lines += 1
            yield item

    joined = counted(rows(names[0]))
    for name in names[1:]:
        joined = ((k, a + b) for k, a, b in join_sorted(joined, rows(name)) if a is not None and b is not None)
    linenos = [array("q") for _ in names]
    values = array("q")
    num_idx = names.index(numeric)
    for key, items in joined:
        for j, (ln, _v) in enumerate(items):
            linenos[j].append(ln)
        if on_row is not None:
            on_row(key, items[0][1])
        ln, v = items[num_idx]
        try:
            values.append(int(v))
        except ValueError:
            raise DataError(f"{data.file(numeric)}:{ln}: '{key}' needs an integer, got '{v}'") from None
    return linenos, values, first_lines - len(values)


class _RecordingLines:
    """Collects the wav.scp line of each joined segment's recording (called once per joined key)."""

    def __init__(self, data: DataDir):
        self.wav_scp, self.segments = data.file("wav.scp"), data.file("segments")
        self.line_of = {k: ln for k, _, ln in read_table(self.wav_scp, check_sorted=True)}  # recordings: few
        self.lines = array("q")

    def __call__(self, utt: str, seg_value: str) -> None:
        reco = seg_value.split(maxsplit=1)[0]
        if reco not in self.line_of:
            raise DataError(f"{self.segments}: recording '{reco}' of '{utt}' is not in {self.wav_scp}")
        self.lines.append(self.line_of[reco])

    def reset(self) -> None:
        del self.lines[:]


class UttIndex:
    """Utterances of a data dir in sorted-id order with their tables' line locations and lengths."""

    def __init__(self, data_dir: str, feats_type: str, tables: tuple[str, ...] = ("text",),
                 frames_of_samples: Callable[[np.ndarray], np.ndarray] | None = None):
        data = DataDir(data_dir)
        if feats_type == "fbank":
            if not data.has("feats.scp"):
                raise DataError(f"{data.file('feats.scp')}: missing; feats_type: fbank needs "
                                f"asrllm.bin.compute_fbank (or set feats_type: raw)")
            self.primary, numeric = "feats.scp", "utt2num_frames"
        else:
            self.primary = "segments" if data.has_segments else "wav.scp"
            numeric = "utt2num_samples"
        data.require(self.primary, numeric, *tables)
        names = [self.primary, numeric, *tables]
        recos = _RecordingLines(data) if self.primary == "segments" else None
        linenos, values, left_out = _join_tables(data, names, numeric, recos, recos.reset if recos else None)
        if left_out:
            logging.warning("%s: %d utterance(s) of %s are not in all of %s; left out", data_dir, left_out,
                            self.primary, ", ".join(names))
        if not len(values):
            raise DataError(f"{data_dir}: no utterance is present in all of {', '.join(names)}")
        self.data_dir = data_dir
        self.rows = {name: TableRows.from_lines(data.file(name), linenos[j])
                     for j, name in enumerate(names) if name != numeric}
        counts = np.frombuffer(values, dtype=np.int64)
        if feats_type == "fbank":
            self.lengths = counts.astype(np.int32)
        else:
            self.lengths = frames_of_samples(counts).astype(np.int32)
        self.reco_rows = TableRows.from_lines(data.file("wav.scp"), recos.lines) if recos is not None else None

    def __len__(self) -> int:
        return len(self.lengths)

    def uttid(self, i: int) -> str:
        return self.rows[self.primary].line(i).partition(" ")[0]

    def value(self, table: str, i: int) -> str:
        return self.rows[table].value(i)

    def audio(self, i: int) -> tuple[str, float | None, float | None]:
        """(wav.scp value, start s, end s) of utterance i (start/end None without segments)."""
        if self.reco_rows is None:
            return self.rows["wav.scp"].value(i), None, None
        _reco, start, end = self.rows["segments"].value(i).split()
        return self.reco_rows.value(i), float(start), float(end)
