"""Transcript normalisers applied identically to references and hypotheses before scoring.

Each normaliser is a pure `str -> str` function registered by name in NORMALIZERS; the name is what
`--normalizer` takes and what result.json records. The decisions behind each one are written down
in asrllm/scoring/README.md.
"""

import re
from typing import Callable

from asrllm.text.chars import (
    clean_whitespace,
    collapse_spaces,
    fold_apostrophes,
    join_latin_words_only,
    strip_punctuation,
    to_halfwidth,
)

Normalizer = Callable[[str], str]

# Angle-bracket tags: <unk>, <noise>, <SIL>, <|endoftext|> ... (WeNet's compute-wer removes them).
_TAG = re.compile(r"<[^<>\s]*>")

# Official GigaSpeech scoring (SpeechColab/GigaSpeech utils/gigaspeech_scoring.py).
GIGASPEECH_FILLERS = frozenset(
    ["UH", "UHH", "UM", "EH", "MM", "HM", "AH", "HUH", "HA", "ER", "OOF", "HEE", "ACH", "EEE", "EW"]
)
GIGASPEECH_PUNCTUATION_TAGS = ("<COMMA>", "<PERIOD>", "<QUESTIONMARK>", "<EXCLAMATIONPOINT>")
GIGASPEECH_GARBAGE_TAGS = ("<SIL>", "<NOISE>", "<MUSIC>", "<OTHER>")
GIGASPEECH_UNK_TAGS = ("<UNK>",)
_GIGASPEECH_TAG = re.compile(
    "|".join(re.escape(t) for t in GIGASPEECH_PUNCTUATION_TAGS + GIGASPEECH_GARBAGE_TAGS + GIGASPEECH_UNK_TAGS)
)


def _prepare(text: str) -> str:
    """Common first steps: whitespace and invisible characters, full-width -> half-width,
    apostrophe look-alikes -> "'"."""
    return fold_apostrophes(to_halfwidth(clean_whitespace(text)))


def normalize_none(text: str) -> str:
    """Identity (whitespace is still only a separator for the tokenisers)."""
    return text


def normalize_zh(text: str, traditional_to_simplified: bool = False) -> str:
    """Mandarin (and code-switched Mandarin/English).

    Full-width -> half-width; optionally traditional -> simplified (zhconv, 'zh-hans': script only,
    no regional vocabulary); Latin letters upper-cased; Chinese and ASCII punctuation removed (an
    apostrophe inside an English word is kept); every space removed except a single one between
    two Latin-script words, so "我爱 I love you ！" -> "我爱I LOVE YOU".
    """
    text = _prepare(text)
    if traditional_to_simplified:
        import zhconv

        text = zhconv.convert(text, "zh-hans")
    text = strip_punctuation(text.upper())
    return join_latin_words_only(text)


def normalize_zh_t2s(text: str) -> str:
    """`zh` plus traditional -> simplified conversion."""
    return normalize_zh(text, traditional_to_simplified=True)


def normalize_en(text: str, case: str = "upper") -> str:
    """English: full-width -> half-width, punctuation -> space except word-internal apostrophes,
    case folded (upper by default, like the LibriSpeech references), spaces collapsed."""
    if case not in ("upper", "lower"):
        raise ValueError(f"case must be 'upper' or 'lower', got {case!r}")
    text = strip_punctuation(_prepare(text))
    text = text.upper() if case == "upper" else text.lower()
    return collapse_spaces(text)


def normalize_gigaspeech(text: str) -> str:
    """The official GigaSpeech scoring rules, made safe for cased, punctuated LLM output.

    Upper-case; drop the punctuation tags (<COMMA> ...), garbage tags (<SIL> <NOISE> <MUSIC>
    <OTHER>) and <UNK>; split hyphens ("E-COMMERCE" -> "E COMMERCE"); strip real punctuation as
    `en` does (a no-op on GigaSpeech references); drop the conversational fillers UH UHH UM EH MM
    HM AH HUH HA ER OOF HEE ACH EEE EW as whole words.
    """
    text = _prepare(text).upper()
    text = _GIGASPEECH_TAG.sub(" ", text)
    text = text.replace("-", " ")
    text = strip_punctuation(text)
    return " ".join(w for w in text.split() if w not in GIGASPEECH_FILLERS)


def normalize_aishell(text: str) -> str:
    """AISHELL-1 as its recipes score it: tags removed (WeNet compute-wer), then `zh`, then every
    space removed (ESPnet/WeNet data prep: `tr -d " "`; the reference is word-segmented)."""
    text = _TAG.sub(" ", text)
    return "".join(normalize_zh(text).split())


def normalize_wenetspeech(text: str) -> str:
    """WenetSpeech as WeNet scores it (compute-wer --char=1: upper case, <tags> removed,
    punctuation removed), i.e. tags removed then `zh`; spaces between English words are kept,
    so `mixed` scores each English word as one token."""
    return normalize_zh(_TAG.sub(" ", text))


NORMALIZERS: dict[str, Normalizer] = {
    "none": normalize_none,
    "en": normalize_en,
    "zh": normalize_zh,
    "zh_t2s": normalize_zh_t2s,
    "gigaspeech": normalize_gigaspeech,
    "aishell": normalize_aishell,
    "wenetspeech": normalize_wenetspeech,
}


def get_normalizer(name: str) -> Normalizer:
    """Look a normaliser up by name; an unknown name lists the valid ones."""
    try:
        return NORMALIZERS[name]
    except KeyError:
        raise ValueError(f"unknown normalizer '{name}'; choose one of: {', '.join(NORMALIZERS)}") from None
