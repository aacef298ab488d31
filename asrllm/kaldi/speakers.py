"""utt2spk <-> spk2utt.

spk2utt lists speakers in C-locale order, each with its utterances in utt2spk order. When speaker
ids are prefixes of utterance ids (Kaldi's convention) the speakers of a sorted utt2spk come in
sorted runs and spk2utt is written streaming; otherwise the grouping is held in memory.
"""

import itertools
import os
from typing import Iterable, Iterator

from asrllm.kaldi.table import read_table, table_line
from asrllm.utils.atomic import atomic_write


def speakers_in_order(utt2spk: Iterable[tuple[str, str]]) -> bool:
    """True when the speakers of (utt, spk) pairs never decrease, i.e. come in sorted runs."""
    prev = None
    for _, spk in utt2spk:
        if prev is not None and spk < prev:
            return False
        prev = spk
    return True


def group_by_speaker(utt2spk: Iterable[tuple[str, str]], in_order: bool = False) -> Iterator[tuple[str, list[str]]]:
    """(spk, [utt, ...]) in speaker order; `in_order=True` (see speakers_in_order) streams."""
    if in_order:
        for spk, run in itertools.groupby(utt2spk, key=lambda pair: pair[1]):
            yield spk, [utt for utt, _ in run]
        return
    groups: dict[str, list[str]] = {}
    for utt, spk in utt2spk:
        groups.setdefault(spk, []).append(utt)
    for spk in sorted(groups):
        yield spk, groups[spk]


def write_spk2utt(utt2spk_path: str | os.PathLike, spk2utt_path: str | os.PathLike) -> None:
    """Write spk2utt (atomically) for a sorted utt2spk file; two streaming passes when possible."""
    def pairs() -> Iterator[tuple[str, str]]:
        return ((utt, spk) for utt, spk, _ in read_table(utt2spk_path, check_sorted=True))

    in_order = speakers_in_order(pairs())
    with atomic_write(spk2utt_path) as f:
        for spk, utts in group_by_speaker(pairs(), in_order):
            f.write(table_line(spk, " ".join(utts)))
