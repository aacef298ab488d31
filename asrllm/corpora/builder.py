"""Write a Kaldi data dir from lines added in any order: sorted on disk, checked, validated, installed.

Lines go to one unsorted file per table in a staging dir next to the destination; `LC_ALL=C sort`
(which spills to disk, with a bounded buffer) orders them, duplicates are an error, spk2utt is
derived from utt2spk, the result is validated and only then moved into place. Memory stays flat
in the number of utterances.
"""

import contextlib
import os
import shutil
import subprocess
from pathlib import Path
from typing import IO, Iterator

from asrllm.kaldi.datadir import RECO_TABLES, SPK_TABLES, UTT_TABLES
from asrllm.kaldi.speakers import write_spk2utt
from asrllm.kaldi.staging import staged_dir
from asrllm.kaldi.table import DataError
from asrllm.kaldi.validate import Options, ensure_valid

DEFAULT_SORT_BUFFER = "256M"
KNOWN_TABLES = UTT_TABLES + RECO_TABLES + SPK_TABLES + ("spk2utt",)


def sort_table(src: Path, dst: Path, buffer_size: str = DEFAULT_SORT_BUFFER) -> None:
    """Stable sort of table lines by key (C-locale bytes) with `sort -S buffer_size`, temp files next to dst."""
    env = {**os.environ, "LC_ALL": "C"}
    cmd = ["sort", "-s", "-t", " ", "-k1,1", "-S", buffer_size, "-T", str(dst.parent), "-o", str(dst), str(src)]
    proc = subprocess.run(cmd, env=env, stderr=subprocess.PIPE, text=True)
    if proc.returncode:
        raise DataError(f"{src}: sort failed: {proc.stderr.strip()}")


def check_unique_keys(path: Path, source: str, what: str) -> int:
    """Count the lines of a sorted table; a key seen twice is an error naming it and `source`."""
    prev, n = None, 0
    with open(path, "rb") as f:
        for raw in f:
            key = raw.split(b" ", 1)[0].rstrip(b"\n")
            if key == prev:
                raise DataError(f"{source}: {what} id '{key.decode()}' occurs more than once")
            prev, n = key, n + 1
    return n


class TableSink:
    """Collects `key value` lines per table, unsorted, in a staging dir."""

    def __init__(self, tmp: Path, source: str):
        self.tmp, self.source = tmp, source
        self.files: dict[str, IO[str]] = {}
        self.identity_speakers = True  # every utt2spk line so far maps an utterance to itself

    def add(self, table: str, key: str, value: str) -> None:
        """Add one line; keys must be single tokens and values single lines."""
        if not key or " " in key or "\t" in key or "\n" in key:
            raise DataError(f"{self.source}: id {key!r} is empty or has whitespace ({table})")
        if "\n" in value or "\r" in value:
            raise DataError(f"{self.source}: the {table} value of '{key}' has a line break")
        if table == "utt2spk" and key != value:
            self.identity_speakers = False
        f = self.files.get(table)
        if f is None:
            f = self.files[table] = open(self.tmp / f"{table}.unsorted", "w", encoding="utf-8")
        f.write(f"{key} {value}\n")

    def close(self) -> None:
        for f in self.files.values():
            f.close()

    def finalize(self, sort_buffer: str) -> int:
        """Sort and check every table, derive spk2utt, validate; return the number of utterances."""
        counts = {}
        for table in self.files:
            src, dst = self.tmp / f"{table}.unsorted", self.tmp / table
            sort_table(src, dst, sort_buffer)
            src.unlink()
            what = "speaker" if table in SPK_TABLES else "recording" if table in RECO_TABLES else "utterance"
            counts[table] = check_unique_keys(dst, self.source, what)
        if "utt2spk" in self.files and self.identity_speakers:
            shutil.copyfile(self.tmp / "utt2spk", self.tmp / "spk2utt")  # each utterance its own speaker
        elif "utt2spk" in self.files:
            write_spk2utt(self.tmp / "utt2spk", self.tmp / "spk2utt")
        return counts.get("utt2spk", 0)


@contextlib.contextmanager
def build_data_dir(dest: str | os.PathLike, source: str, sort_buffer: str = DEFAULT_SORT_BUFFER,
                   validate: bool = True) -> Iterator[TableSink]:
    """Yield a TableSink; on success the data dir is sorted, validated and installed at `dest`.

    On an exception nothing is installed and `dest` stays as it was. `source` names the corpus
    file(s) in error messages. `validate=False` skips utils/validate_data_dir.sh's checks (the recipe
    driver runs them right after stage 1; they cost about as much as the preparation itself).
    """
    dest = Path(dest)
    with staged_dir(dest, known_names=KNOWN_TABLES) as tmp:
        sink = TableSink(tmp, source)
        try:
            yield sink
        finally:
            sink.close()
        if not sink.files:
            raise DataError(f"{source}: nothing to write to {dest} (no utterance was kept)")
        sink.finalize(sort_buffer)
        if validate:
            ensure_valid(tmp, dest, Options(require_feats=False))
