"""Unit lists (`units.txt`, `phones.txt`): `<symbol> <id>` per line, `<blank> 0`, `<unk> 1`, then units."""

import os
from pathlib import Path
from typing import Iterable

from asrllm.kaldi.table import DataError
from asrllm.utils.atomic import atomic_write

BLANK = "<blank>"
BLANK_ID = 0  # and <unk> 1: every units.txt starts with SPECIALS
UNK = "<unk>"
SPECIALS = (BLANK, UNK)


def write_units(path: str | os.PathLike, units: Iterable[str]) -> list[str]:
    """Write <blank>, <unk>, then `units` in the given order (duplicates dropped); return the list."""
    symbols = list(dict.fromkeys([*SPECIALS, *units]))
    for s in symbols:
        if not s or any(c.isspace() for c in s):
            raise DataError(f"unit {s!r} is empty or contains whitespace")
    with atomic_write(path) as f:
        for i, s in enumerate(symbols):
            f.write(f"{s} {i}\n")
    return symbols


def read_units(path: str | os.PathLike) -> dict[str, int]:
    """Read a unit list; ids must be 0..N-1 in order with <blank> 0 and <unk> 1."""
    path = Path(path)
    units: dict[str, int] = {}
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            fields = line.split()
            if len(fields) != 2 or not fields[1].isdigit():
                raise DataError(f"{path}:{lineno}: expected '<symbol> <id>', got {line.rstrip()!r}")
            sym, idx = fields[0], int(fields[1])
            if idx != len(units) or sym in units:
                raise DataError(f"{path}:{lineno}: '{sym} {idx}': ids must run 0, 1, 2, ... without "
                                f"duplicate symbols")
            units[sym] = idx
    if units.get(BLANK) != 0 or units.get(UNK) != 1:
        raise DataError(f"{path}: must start with '{BLANK} 0' and '{UNK} 1'")
    return units


def tokens_to_ids(tokens: Iterable[str], units: dict[str, int]) -> list[int]:
    """Map label tokens to ids; tokens not in the list become <unk>."""
    unk = units[UNK]
    return [units.get(t, unk) for t in tokens]
