"""What a TTS engine is given to read for a transcript.

English is passed in lower case (espeak-ng spells out some all-caps words). Mandarin goes
through pypinyin to numbered pinyin (Style.TONE3, neutral tone 5), which espeak-ng's
cmn-latn-pinyin voice reads; its own character reading is broken in the Debian version.
An English word inside a Mandarin sentence becomes its own segment, read by an English voice.
"""

import re
from xml.sax.saxutils import escape

from pypinyin import Style, lazy_pinyin

ENGLISH_WORD = re.compile(r"([A-Z][A-Z']*)")


def segments(text: str, language: str) -> list[tuple[str, str]]:
    """Split a transcript into (language, engine text) segments."""
    if language == "en":
        return [("en", text.lower())]
    out: list[tuple[str, str]] = []
    for part in ENGLISH_WORD.split(text):
        part = part.strip()
        if not part:
            continue
        if ENGLISH_WORD.fullmatch(part):
            out.append(("en", part.lower()))
        else:
            out.append(("zh", to_pinyin(part)))
    return out


def to_pinyin(text: str) -> str:
    """Chinese characters -> space-separated numbered pinyin, e.g. '你好' -> 'ni3 hao3'."""
    syllables = lazy_pinyin(text.replace(" ", ""), style=Style.TONE3, neutral_tone_with_five=True)
    bad = [s for s in syllables if not re.fullmatch(r"[a-z]+[1-5]", s)]
    if bad:
        raise ValueError(f"cannot convert {text!r} to pinyin: {bad} are not Chinese characters")
    return " ".join(syllables)


def espeak_ssml(parts: list[tuple[str, str]], voice_by_language: dict[str, str]) -> str:
    """One SSML document that switches espeak-ng voices per segment (rate and pitch carry over)."""
    body = " ".join(f'<voice name="{voice_by_language[lang]}">{escape(t)}</voice>' for lang, t in parts)
    return f"<speak>{body}</speak>"
