"""Character classes shared by the normalisers and the tokenisers.

Everything here is a pure function of one character (or one string) and does not depend on the
locale: full-width -> half-width folding, what counts as punctuation, what counts as CJK, and what
counts as a character of a Latin-script word.
"""

import string
import unicodedata
from functools import lru_cache

ASCII_PUNCTUATION = frozenset(string.punctuation)

# Apostrophe look-alikes folded to "'" before punctuation is stripped, so that an LLM's "don’t"
# and a reference's "DON'T" end up identical. (U+FF07 is folded by the full-width rule.)
APOSTROPHES = {"\u2018": "'", "\u2019": "'", "\u02bc": "'", "\u2032": "'"}

# Code points scored one per token under `mixed`, and treated as "not Latin" by the zh space rule.
_CJK_RANGES = (
    (0x2E80, 0x2FDF),  # CJK radicals supplement, Kangxi radicals
    (0x3005, 0x3007),  # 々 〆 〇 (ideographic iteration mark, closing mark, number zero)
    (0x3021, 0x3029),  # Hangzhou numerals
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x3100, 0x312F),  # Bopomofo
    (0x31A0, 0x31BF),  # Bopomofo extended
    (0x31F0, 0x31FF),  # Katakana phonetic extensions
    (0x3400, 0x4DBF),  # CJK unified ideographs extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xAC00, 0xD7AF),  # Hangul syllables
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0x20000, 0x323AF),  # CJK unified ideographs extensions B-H, compatibility supplement
)


def is_cjk(ch: str) -> bool:
    """True for a CJK ideograph (or kana / Hangul / Bopomofo), the unit of Mandarin CER."""
    cp = ord(ch)
    if cp < 0x2E80:
        return False
    return any(lo <= cp <= hi for lo, hi in _CJK_RANGES)


@lru_cache(maxsize=65536)
def is_latin_word_char(ch: str) -> bool:
    """True for a character of a Latin-script word: ASCII letters and digits, Latin letters with
    diacritics (é, ñ, ß ...). Spaces between two such characters survive the `zh` normaliser."""
    if ch.isascii():
        return ch.isalnum()
    return ch.isalpha() and "LATIN" in unicodedata.name(ch, "")


@lru_cache(maxsize=65536)
def is_punctuation(ch: str) -> bool:
    """Unicode punctuation (categories P*: Chinese 。，、《》“” ... included) or ASCII punctuation
    (which also counts the ASCII symbols $ + < = > ^ ` | ~)."""
    return ch in ASCII_PUNCTUATION or unicodedata.category(ch).startswith("P")


def to_halfwidth(text: str) -> str:
    """Fold full-width ASCII variants (U+FF01-U+FF5E) to ASCII and the ideographic space to ' '.

    Only the width is changed: no NFKC, so ① or ㎏ are left alone.
    """
    out = []
    for ch in text:
        cp = ord(ch)
        if 0xFF01 <= cp <= 0xFF5E:
            out.append(chr(cp - 0xFEE0))
        elif cp == 0x3000:
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def clean_whitespace(text: str) -> str:
    """Map every whitespace character to ' ' and drop invisible format/control characters
    (zero-width space, BOM, soft hyphen, ...)."""
    out = []
    for ch in text:
        if ch.isspace():
            out.append(" ")
        elif unicodedata.category(ch) in ("Cf", "Cc"):
            continue
        else:
            out.append(ch)
    return "".join(out)


def strip_punctuation(text: str, keep_internal_apostrophe: bool = True) -> str:
    """Replace punctuation by spaces (so "HELLO,WORLD" stays two words).

    With keep_internal_apostrophe, an apostrophe between two Latin-script word characters is kept
    ("DON'T", "ROCK'N'ROLL"); any other apostrophe is punctuation. Apostrophe look-alikes
    (’ ‘ ʼ ′ and full-width ＇) should be folded to "'" before (see fold_apostrophes).
    """
    out = []
    n = len(text)
    for i, ch in enumerate(text):
        if ch == "'" and keep_internal_apostrophe:
            if 0 < i < n - 1 and is_latin_word_char(text[i - 1]) and is_latin_word_char(text[i + 1]):
                out.append(ch)
            else:
                out.append(" ")
        elif is_punctuation(ch):
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def fold_apostrophes(text: str) -> str:
    """Map typographic apostrophes and right single quotes to ASCII "'"."""
    if not any(c in APOSTROPHES for c in text):
        return text
    return "".join(APOSTROPHES.get(c, c) for c in text)


def collapse_spaces(text: str) -> str:
    """Single spaces between words, none at either end."""
    return " ".join(text.split())


def join_latin_words_only(text: str) -> str:
    """Remove every space except one between two Latin-script words.

    "我 爱 I LOVE YOU 中 国" -> "我爱I LOVE YOU中国". A space survives only where the characters on
    both sides of it are Latin-script word characters (letters, digits; see is_latin_word_char).
    """
    parts = text.split()
    if not parts:
        return ""
    out = [parts[0]]
    for prev, cur in zip(parts, parts[1:]):
        if is_latin_word_char(prev[-1]) and is_latin_word_char(cur[0]):
            out.append(" ")
        out.append(cur)
    return "".join(out)
