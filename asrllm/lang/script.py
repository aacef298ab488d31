"""Split a transcript into runs by script, the unit the G2P decides on.

Kinds: `cjk` (a run of CJK characters: pinyin, converted with its context), `latin` (an English
word: letters with internal hyphens and apostrophes, leading/trailing apostrophes included as in
"'EM" or "FATHERS'"), `digit` (a run of digits), `tag` (a whole token like <unk> or [noise]),
`other` (a run of anything else that is not punctuation). Punctuation is a separator and is dropped.
A new word starts at whitespace, at punctuation and wherever the kind changes.
"""

import re
from dataclasses import dataclass

from asrllm.text.chars import is_cjk, is_latin_word_char, is_punctuation

_TAG = re.compile(r"<[^<>\s]+>|\[[^\[\]\s]+\]")


@dataclass(frozen=True)
class Run:
    text: str
    kind: str  # cjk | latin | digit | tag | other


def _is_letter(ch: str) -> bool:
    return is_latin_word_char(ch) and not ch.isdigit()


def _char_kind(token: str, i: int) -> str | None:
    ch = token[i]
    if is_cjk(ch):
        return "cjk"
    if ch.isdigit():
        return "digit"
    if _is_letter(ch):
        return "latin"
    prev_letter = i > 0 and _is_letter(token[i - 1])
    next_letter = i + 1 < len(token) and _is_letter(token[i + 1])
    if ch == "'" and (prev_letter or next_letter):
        return "latin"
    if ch == "-" and prev_letter and next_letter:
        return "latin"
    if is_punctuation(ch) or ch.isspace():
        return None
    return "other"


def split_runs(text: str) -> list[Run]:
    """Split one transcript into runs; each run is one word (a CJK run is one word of characters)."""
    runs: list[Run] = []
    for token in text.split():
        if _TAG.fullmatch(token):
            runs.append(Run(token, "tag"))
            continue
        start, kind = 0, None
        for i in range(len(token) + 1):
            k = _char_kind(token, i) if i < len(token) else None
            if i < len(token) and k == kind:
                continue
            if kind is not None:
                runs.append(Run(token[start:i], kind))
            start, kind = i, k
    return runs
