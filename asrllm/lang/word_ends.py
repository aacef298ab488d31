"""Which CTC units end a word: the word boundary, and every Mandarin syllable's last unit.

Phone units: a Mandarin syllable is an optional initial and one final (asrllm.lang.pinyin), so its
final ends it (one character); English words need the boundary symbol between them
(lang phone.word_boundary, asrllm.lang.phone). Lower-case phones are Mandarin, upper-case
ARPAbet, so the rule needs only the unit names. Character units: each Chinese character is a
word, and English words end at `<space>` (asrllm.lang.char). Used to group CTC-compressed
posteriors into words (asrllm.models.word_stack).
"""

import unicodedata

from asrllm.lang.pinyin import INITIALS, ZERO_INITIAL_MARKERS
from asrllm.lang.units import SPECIALS

CHAR_SPACE = "<space>"  # asrllm.lang.char's word separator (char.space)


def is_mandarin_final(unit: str) -> bool:
    return (unit not in SPECIALS and unit[:1].isascii() and unit[:1].isalpha() and unit[:1].islower()
            and unit not in INITIALS and unit not in ZERO_INITIAL_MARKERS)


def is_cjk_character(unit: str) -> bool:
    return len(unit) == 1 and unicodedata.name(unit, "").startswith("CJK UNIFIED IDEOGRAPH")


def word_end_flags(units: list[str], boundary: str) -> tuple[list[bool], int]:
    """(per unit in id order: does it end a word?, the id of the boundary unit, which carries no sound).
    The boundary is `boundary` (phone units) or, for character units without it, `<space>`."""
    symbol = boundary if boundary in units else CHAR_SPACE if CHAR_SPACE in units else None
    if symbol is None:
        raise ValueError(f"the word boundary {boundary!r} is not one of the units: label the phones with "
                         f"lang phone.word_boundary: {boundary!r}")
    flags = [u == symbol or is_mandarin_final(u) or is_cjk_character(u) for u in units]
    return flags, units.index(symbol)
