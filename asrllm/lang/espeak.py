"""English out-of-vocabulary fallback: espeak-ng's phonemes mapped onto CMUdict's ARPAbet set.

`espeak-ng -q -x -v en-us` prints Kirshenbaum-like mnemonics ("h@l'oU" for "hello"). They are cut
by longest match against ESPEAK_TO_ARPABET; a stress mark (' primary, , secondary) applies to the
next vowel, every other vowel gets stress 0, as in CMUdict. Modifier characters that only pick an
allophone (# 2 ; ...) are skipped. The table is ours, written from espeak-ng's English phoneme
names and checked against CMUdict (see asrllm/lang/README.md for the measured agreement).
"""

import logging
import shutil
import subprocess
from typing import Iterable

from asrllm.errors import UserError


class EspeakError(UserError, RuntimeError):
    """espeak-ng failed on the words it was given (its own message follows)."""


logger = logging.getLogger(__name__)

# Mnemonic -> ARPAbet phones (stress-less). A leading "*" marks the phone that carries the
# syllable's stress (the vowel); sequences like "AY ER" stress the first vowel only.
ESPEAK_TO_ARPABET: dict[str, tuple[str, ...]] = {
    # r-coloured and centring diphthongs (longest first when matching)
    "aI@": ("*AY", "ER"), "aI3": ("*AY", "ER"), "aU@": ("*AW", "ER"), "OI@": ("*OY", "AH"),
    "i@3": ("*IH", "R"), "i@": ("*IY", "AH"), "e@": ("*EH", "R"), "A@": ("*AA", "R"),
    "O@": ("*AO", "R"), "o@": ("*AO", "R"), "U@": ("*UH", "R"), "3:": ("*ER",), "3": ("*ER",),
    "@L": ("*AH", "L"),
    # vowels and diphthongs
    "aI": ("*AY",), "aU": ("*AW",), "eI": ("*EY",), "OI": ("*OY",), "oU": ("*OW",),
    "A:": ("*AA",), "O:": ("*AO",), "i:": ("*IY",), "u:": ("*UW",),
    "aa": ("*AE",), "a#": ("*AH",), "a": ("*AE",), "A": ("*AA",), "0": ("*AA",), "O": ("*AO",),
    "o": ("*OW",), "V": ("*AH",), "U": ("*UH",), "u": ("*UW",), "E": ("*EH",), "e": ("*EH",),
    "i": ("*IY",), "I": ("*IH",), "@": ("*AH",), "y": ("*UW",), "Y": ("*UW",),
    # syllabic consonants
    "n-": ("*AH", "N"), "m-": ("*AH", "M"), "l-": ("*AH", "L"),
    # consonants
    "tS": ("CH",), "dZ": ("JH",), "T": ("TH",), "D": ("DH",), "S": ("SH",), "Z": ("ZH",),
    "N": ("NG",), "j": ("Y",), "h": ("HH",), "r-": ("R",), "r": ("R",), "w": ("W",),
    "x": ("K",), "?": ("T",), "C": ("HH",), "L": ("L",), "R": ("R",),
    "p": ("P",), "b": ("B",), "t": ("T",), "d": ("D",), "k": ("K",), "g": ("G",),
    "f": ("F",), "v": ("V",), "s": ("S",), "z": ("Z",), "m": ("M",), "n": ("N",), "l": ("L",),
}
# Characters that only refine a phone (allophone variants, length, syllable and pause marks).
SKIP = set("#2345;_-~!:=|^") | {" "}
STRESS = {"'": "1", ",": "2"}
_MAX_KEY = max(map(len, ESPEAK_TO_ARPABET))


def espeak_to_arpabet(mnemonics: str) -> tuple[list[str], set[str]]:
    """Convert one word's espeak mnemonics to ARPAbet with stress digits; also return unknown symbols."""
    phones: list[str] = []
    unknown: set[str] = set()
    pending_stress = "0"
    i = 0
    while i < len(mnemonics):
        ch = mnemonics[i]
        if ch in STRESS:
            pending_stress = STRESS[ch]
            i += 1
            continue
        for size in range(min(_MAX_KEY, len(mnemonics) - i), 0, -1):
            key = mnemonics[i:i + size]
            if key in ESPEAK_TO_ARPABET:
                break
        else:
            if ch not in SKIP:
                unknown.add(ch)
            i += 1
            continue
        i += size
        mapped = ESPEAK_TO_ARPABET[key]
        if mapped == ("R",) and phones and phones[-1].rstrip("012") in ("R", "ER"):
            continue  # an r after an r-coloured vowel (A@r, 3r-) adds nothing in ARPAbet
        for ph in mapped:
            if ph.startswith("*"):
                phones.append(ph[1:] + pending_stress)
                pending_stress = "0"
            elif ph in ("ER", "AH"):  # unstressed second element of a diphthong-like sequence
                phones.append(ph + "0")
            else:
                phones.append(ph)
    return phones, unknown


def espeak_available(binary: str = "espeak-ng") -> bool:
    """True when the espeak-ng binary is on PATH."""
    return shutil.which(binary) is not None


def espeak_phonemize(words: Iterable[str], voice: str = "en-us", binary: str = "espeak-ng",
                     batch: int = 2000) -> dict[str, str]:
    """Return espeak-ng's mnemonics for each word (one clause per word, batched process calls)."""
    words = list(dict.fromkeys(words))
    out: dict[str, str] = {}
    for start in range(0, len(words), batch):
        chunk = words[start:start + batch]
        # A full stop ends a clause, so espeak prints exactly one line per word.
        text = "".join(f"{w}.\n" for w in chunk)
        res = subprocess.run([binary, "-q", "-x", "-v", voice], input=text, capture_output=True,
                             text=True, encoding="utf-8", check=False)
        lines = res.stdout.splitlines()
        if res.returncode != 0:
            raise EspeakError(f"{binary} -v {voice} failed (exit {res.returncode}): {res.stderr.strip()}")
        if len(lines) != len(chunk):
            # Some input split into several clauses or none: fall back to one call per word.
            lines = [_phonemize_one(w, voice, binary) for w in chunk]
        out.update((w, line.strip()) for w, line in zip(chunk, lines))
    return out


def _phonemize_one(word: str, voice: str, binary: str) -> str:
    res = subprocess.run([binary, "-q", "-x", "-v", voice, word], capture_output=True, text=True,
                         encoding="utf-8", check=False)
    return " ".join(res.stdout.split())
