"""Reading a data dir's `text` and writing its label files (`text.phone`, `text.char`, `text.bpe_N`)."""

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from asrllm.kaldi.table import read_table
from asrllm.utils.atomic import atomic_write


def iter_text(data_dir: str | os.PathLike) -> Iterator[tuple[str, str]]:
    """Stream (utterance id, transcript) from <data_dir>/text; empty transcripts are allowed.

    The file must be sorted (as every Kaldi data dir is): that is how duplicate ids are caught
    without holding millions of ids in memory.
    """
    path = Path(data_dir) / "text"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file (is {data_dir} a data dir?)")
    for key, value, _ in read_table(path, allow_empty_value=True, check_sorted=True):
        yield key, value


def write_labels(path: str | os.PathLike, rows: Iterable[tuple[str, list[str]]]) -> int:
    """Write `<uttid> <tok> <tok> ...` lines in the given order (atomically); return the empty count."""
    empty = 0
    with atomic_write(path) as f:
        for key, tokens in rows:
            empty += not tokens
            f.write(f"{key} {' '.join(tokens)}\n" if tokens else f"{key}\n")
    return empty


def unique_dirs(train_dir: str | os.PathLike, dirs: Iterable[str | os.PathLike]) -> list[Path]:
    """The train dir first, then the others, each once."""
    out: list[Path] = []
    for d in (train_dir, *dirs):
        p = Path(d)
        if p.resolve() not in [q.resolve() for q in out]:
            out.append(p)
    return out
