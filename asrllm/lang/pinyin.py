"""Mandarin G2P: characters -> pinyin initials + finals with tone (pypinyin, in context).

A run of characters is converted as a whole, so pypinyin's phrase dictionary picks the reading of
polyphonic characters (银行 hang2, 行走 xing2). Each syllable is then split into an initial and a
final: ü is written v (lv3, j v3), y/w spellings are restored to their finals (you -> iu,
wei -> ui, yuan -> van), and the tone (1-5, 5 = neutral) goes on the final. Zero-initial
syllables may get a marker initial (aa ee ii oo uu vv, from the final's first letter).
"""

from pypinyin import Style, lazy_pinyin

INITIALS = ("zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x",
            "r", "z", "c", "s")
# zero_initial: marked puts one of these before a syllable without an initial (its final's first letter, doubled)
ZERO_INITIAL_MARKERS = ("aa", "ee", "ii", "oo", "uu", "vv")
# y/w spellings -> the final they stand for (the rest: y+X -> i+X, w+X -> u+X).
_Y = {"yi": "i", "yin": "in", "ying": "ing", "you": "iu", "yu": "v", "yue": "ve", "yuan": "van",
      "yun": "vn"}
_W = {"wu": "u", "wei": "ui", "wen": "un"}
# Syllabic nasals of interjections (嗯 n, 呣 m, 哼 hng) and a bare erhua r -> an initial/final pair.
_SPECIAL = {"n": ("", "en"), "ng": ("", "eng"), "m": ("m", "u"), "hm": ("h", "en"), "hng": ("h", "eng"),
            "r": ("", "er")}


class MandarinG2P:
    """Characters -> phones; None for a character pypinyin has no reading for."""

    def __init__(self, tone: str = "number", zero_initial: str = "marked", apical_i: bool = False):
        self.tone = tone
        self.zero_initial = zero_initial
        self.apical_i = apical_i

    def syllables(self, run: str) -> list[str | None]:
        """Numbered pinyin per character of a CJK run (None where there is none)."""
        out = lazy_pinyin(run, style=Style.TONE3, neutral_tone_with_five=True, v_to_u=False,
                          errors=lambda chunk: [None] * len(chunk))
        if len(out) != len(run):  # never seen; keep the one-per-character contract regardless
            out = [lazy_pinyin(ch, style=Style.TONE3, neutral_tone_with_five=True,
                               errors=lambda c: [None])[0] for ch in run]
        return out

    def convert(self, run: str) -> list[tuple[str, list[str] | None]]:
        """(character, phones) for each character of a CJK run."""
        return [(ch, self.split(syl) if syl else None) for ch, syl in zip(run, self.syllables(run))]

    def split(self, syllable: str) -> list[str] | None:
        """'zhong1' -> ['zh', 'ong1']; 'yu2' -> ['vv', 'v2'] (zero_initial=marked)."""
        tone = syllable[-1] if syllable[-1] in "12345" else "5"
        base = syllable.rstrip("12345").lower().replace("ü", "v").replace("u:", "v").replace("ê", "e")
        if not base or not base.isascii() or not base.isalpha():
            return None
        initial, final = self._initial_final(base)
        if not final:
            return None
        if self.apical_i and final == "i":
            final = {"zh": "ix", "ch": "ix", "sh": "ix", "r": "ix", "z": "iy", "c": "iy", "s": "iy"}.get(
                initial, final)
        phones = [initial] if initial else ([final[0] * 2] if self.zero_initial == "marked" else [])
        phones.append(final + tone if self.tone == "number" else final)
        return phones

    @staticmethod
    def _initial_final(base: str) -> tuple[str, str]:
        if base in _SPECIAL:
            return _SPECIAL[base]
        if base.startswith("y"):
            return "", _Y.get(base, "i" + base[1:])
        if base.startswith("w"):
            return "", _W.get(base, "u" + base[1:])
        for ini in INITIALS:
            if base.startswith(ini) and len(base) > len(ini):
                final = base[len(ini):]
                if ini in ("j", "q", "x") and final.startswith("u"):
                    final = "v" + final[1:]
                return ini, final
        return "", base
