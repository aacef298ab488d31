"""Read and write Kaldi-style tables: one `<key> <value>` per line, keys sorted (C locale).

A value may be empty only where a table allows it: a `text` line with an empty transcript (a
non-speech clip) is the key alone, read with allow_empty_value=True (DataDir does for `text`;
utils/validate_data_dir.sh needs --allow-empty-text). Every error names the file and the 1-based
line number.
"""

import logging
import os
from pathlib import Path
from typing import Iterable, Iterator

from asrllm.errors import UserError
from asrllm.utils.atomic import atomic_write


BOM = b"\xef\xbb\xbf"
log = logging.getLogger(__name__)


class DataError(UserError, ValueError):
    """A problem with an input file, located by file and line (or utterance id)."""


def strip_bom(raw: bytes, lineno: int, path: str | os.PathLike) -> bytes:
    """Drop a UTF-8 byte-order mark from line 1 (with a warning naming the file): it would stick to the
    first key, e.g. the first utterance id of a hyp `text` saved by a Windows editor."""
    if lineno == 1 and raw.startswith(BOM):
        log.warning("%s: starts with a UTF-8 byte-order mark; ignoring it", path)
        return raw[len(BOM):]
    return raw


def parse_line(raw: bytes, allow_empty_value: bool = False) -> tuple[str, str]:
    """Split one raw table line into (key, value); ValueError says what is wrong (no location)."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(f"not valid UTF-8 ({e.reason} at byte {e.start})") from None
    line = line.rstrip("\r\n")
    if not line.strip():
        raise ValueError("empty line")
    key, _, value = line.partition(" ")
    if not key or key != key.strip():
        raise ValueError("line starts with whitespace")
    value = value.strip()
    if not value and not allow_empty_value:
        raise ValueError(f"'{key}' has an empty value")
    return key, value


def read_table(
    path: str | os.PathLike,
    allow_empty_value: bool = False,
    check_sorted: bool = False,
    check_unique: bool = True,
) -> Iterator[tuple[str, str, int]]:
    """Yield (key, value, line_number) lazily; never holds the file in memory."""
    path = Path(path)
    prev = None
    seen: set[str] | None = set() if check_unique and not check_sorted else None
    with open(path, "rb") as f:
        for lineno, raw in enumerate(f, 1):
            try:
                key, value = parse_line(strip_bom(raw, lineno, path), allow_empty_value)
            except ValueError as e:
                raise DataError(f"{path}:{lineno}: {e}") from None
            if check_sorted and prev is not None:
                if key.encode() < prev.encode():
                    raise DataError(f"{path}:{lineno}: '{key}' is not sorted (C locale) after '{prev}'; "
                                    f"run utils/fix_data_dir.sh")
                if key == prev and check_unique:
                    raise DataError(f"{path}:{lineno}: duplicate id '{key}'")
            if seen is not None:
                if key in seen:
                    raise DataError(f"{path}:{lineno}: duplicate id '{key}'")
                seen.add(key)
            prev = key
            yield key, value, lineno


def read_table_dict(path: str | os.PathLike, allow_empty_value: bool = False) -> dict[str, str]:
    """Read a small table (e.g. spk2utt, a test set's text) into a dict."""
    return {k: v for k, v, _ in read_table(path, allow_empty_value=allow_empty_value)}


def write_table(path: str | os.PathLike, items: Iterable[tuple[str, str]], sort: bool = True) -> None:
    """Write `key value` lines atomically, sorted by key in C-locale byte order."""
    rows = sorted(items, key=lambda kv: kv[0].encode()) if sort else items
    with atomic_write(path) as f:
        for key, value in rows:
            f.write(table_line(key, value))


def table_line(key: str, value: str) -> str:
    """One table line: `key value\n`, or `key\n` when the value is empty (an empty transcript)."""
    return f"{key} {value}\n" if value != "" else f"{key}\n"
