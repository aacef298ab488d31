"""The one naming rule of label sets: unit `phone` lives in lang_phone/ and labels each data dir's
text.phone; `bpe` of size N in lang_bpe_N/ and text.bpe_N. The driver asks for the names through
`python -m asrllm.bin.label_sets`; Python code calls these functions."""

import os
from pathlib import Path

from asrllm.errors import UserError

UNITS = ("phone", "char", "bpe")


class LabelSetError(UserError, ValueError):
    """A label set that has no name: an unknown unit, or bpe without its size."""


def set_name(unit: str, bpe_size: int | None = None) -> str:
    """`phone`, `char`, or `bpe_<size>`: the suffix shared by the lang dir and the label table."""
    if unit not in UNITS:
        raise LabelSetError(f"unknown label set '{unit}' ({', '.join(UNITS)})")
    if unit == "bpe":
        if not bpe_size:
            raise LabelSetError("the bpe label set needs its vocabulary size")
        return f"bpe_{int(bpe_size)}"
    return unit


def lang_dir_name(unit: str, bpe_size: int | None = None) -> str:
    return f"lang_{set_name(unit, bpe_size)}"


def label_table_name(unit: str, bpe_size: int | None = None) -> str:
    return f"text.{set_name(unit, bpe_size)}"


def label_table_of(lang_dir: str | os.PathLike, unit: str | None = None) -> str:
    """The label table of a lang dir: text.<suffix> of lang_<suffix>; a dir not named that way
    gives text.<unit> (and needs the unit)."""
    name = Path(lang_dir).name
    if name.startswith("lang_") and len(name) > len("lang_"):
        return "text." + name[len("lang_"):]
    if unit is None:
        raise LabelSetError(f"{lang_dir}: not named lang_<set>: give the unit")
    return f"text.{unit}"
