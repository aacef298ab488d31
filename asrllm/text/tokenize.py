"""Split a normalised transcript into scoring units: char, word or mixed.

- word:  whitespace-separated words.
- char:  every non-whitespace character is one token; whitespace is only a separator and is not
         scored. English inside Mandarin is therefore counted letter by letter under `char`.
- mixed: every CJK character is one token and every maximal run of other non-whitespace
         characters is one token ("我用iPhone12手机" -> 我 用 iPhone12 手 机), which is how WeNet's
         compute-wer --char=1 counts code-switched Mandarin (mixed error rate).
"""

from asrllm.text.chars import is_cjk

UNITS = ("char", "word", "mixed")


def tokenize_words(text: str) -> list[str]:
    return text.split()


def tokenize_chars(text: str) -> list[str]:
    return [c for c in text if not c.isspace()]


def tokenize_mixed(text: str) -> list[str]:
    tokens: list[str] = []
    word: list[str] = []
    for c in text:
        if c.isspace() or is_cjk(c):
            if word:
                tokens.append("".join(word))
                word = []
            if not c.isspace():
                tokens.append(c)
        else:
            word.append(c)
    if word:
        tokens.append("".join(word))
    return tokens


_TOKENIZERS = {"char": tokenize_chars, "word": tokenize_words, "mixed": tokenize_mixed}


def tokenize(text: str, unit: str) -> list[str]:
    """Tokens of `text` for `unit` in UNITS."""
    try:
        return _TOKENIZERS[unit](text)
    except KeyError:
        raise ValueError(f"unknown unit '{unit}'; choose one of: {', '.join(UNITS)}") from None
