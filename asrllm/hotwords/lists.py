"""Hotword lists: one entry per line, `TEXT` or `TEXT<TAB>PHONE PHONE ...`.

Without phones an entry is phonemised by the recipe's own labeler (asrllm.lang.phone.PhoneLabeler:
pinyin for Mandarin, CMUdict with the project's OOV handling for English), so that its phones are the
units the phone-CTC head emits. Bad input gets a clear message naming the line:
- a line that is not UTF-8, or an empty list: HotwordError;
- an entry that cannot be phonemised (a unit the CTC head lacks, an unknown word): reported by line in
  HotwordList.rejected and logged, never dropped silently;
- a duplicate (same text): the first line is kept, the later ones are listed in HotwordList.duplicates;
- more than max_entries entries: HotwordError (the limit says how big a list the caller meant to load).
"""

import logging
import os
from dataclasses import dataclass, field

from asrllm.errors import UserError
from asrllm.lang.units import UNK

log = logging.getLogger(__name__)
MAX_ENTRIES = 10_000_000


class HotwordError(UserError, ValueError):
    """A hotword list that cannot be used as written."""


@dataclass(frozen=True)
class Hotword:
    text: str
    phone_ids: tuple[int, ...]
    line: int


@dataclass
class HotwordList:
    entries: list[Hotword] = field(default_factory=list)
    rejected: list[tuple[int, str, str]] = field(default_factory=list)   # (line, text, why)
    duplicates: list[tuple[int, str, int]] = field(default_factory=list)  # (line, text, first line)


def read_hotwords(path: str | os.PathLike, units: list[str], labeler=None, max_entries: int = MAX_ENTRIES
                  ) -> HotwordList:
    """Entries of a hotword file with their phone ids in `units` (the phone-CTC head's unit list)."""
    out, rows = HotwordList(), _read_rows(path, max_entries)
    unknown = [text for _, text, given in rows if not given]
    if unknown:
        if labeler is None:
            n = next(n for n, _, given in rows if not given)
            raise HotwordError(f"{path}:{n}: {unknown[0]!r} has no phones and no labeler was given to make them")
        labeler.prepare(w for text in unknown for w in labeler.english_words(text))  # espeak-ng once
    unit_id = {u: i for i, u in enumerate(units)}
    first: dict[str, int] = {}
    for n, text, given in rows:
        if text in first:
            out.duplicates.append((n, text, first[text]))
            continue
        first[text] = n
        phones = given or labeler.phones(text)[0]
        if UNK in phones:
            out.rejected.append((n, text, "no pronunciation for part of it (<unk>)"))
        elif not phones or any(p not in unit_id for p in phones):
            missing = sorted({p for p in phones if p not in unit_id})
            out.rejected.append((n, text, f"phones {' '.join(missing)} are not units of the CTC head" if missing
                                 else "no phones"))
        else:
            out.entries.append(Hotword(text, tuple(unit_id[p] for p in phones), n))
    if not out.entries:
        raise HotwordError(f"{path}: no usable hotword" + (f" ({len(out.rejected)} rejected, e.g. line "
                                                          f"{out.rejected[0][0]}: {out.rejected[0][2]})"
                                                          if out.rejected else " (the list is empty)"))
    for n, text, why in out.rejected[:10]:
        log.warning("%s:%d: hotword %r left out: %s", path, n, text, why)
    if len(out.rejected) > 10:
        log.warning("%s: %d more hotwords left out (HotwordList.rejected lists them)", path, len(out.rejected) - 10)
    if out.duplicates:
        n, text, was = out.duplicates[0]
        log.warning("%s: %d duplicate hotword(s) ignored, e.g. line %d %r (first at line %d)", path,
                    len(out.duplicates), n, text, was)
    return out


def _read_rows(path, max_entries: int) -> list[tuple[int, str, list[str]]]:
    """(line, text, given phones or []) of every non-empty line."""
    rows = []
    with open(path, "rb") as f:
        for n, raw in enumerate(f, start=1):
            try:
                line = raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as e:
                raise HotwordError(f"{path}:{n}: not UTF-8 ({e.reason} at byte {e.start})") from None
            text, _, given = line.partition("\t")
            text = " ".join(text.split())
            if text:
                rows.append((n, text, given.split()))
                if len(rows) > max_entries:
                    raise HotwordError(f"{path}: more than {max_entries} hotwords (at line {n}); raise "
                                       f"max_entries if a list this size is meant")
    return rows
