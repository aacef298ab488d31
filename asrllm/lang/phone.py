"""Transcript -> phone labels for code-switched Mandarin/English text.

Each run of the transcript (asrllm.lang.script) is converted by its script: CJK characters by
pinyin (one lexicon unit per character), Latin words by CMUdict and its fallbacks (one unit per
word), digits, tags (<unk>, [noise]) and other symbols by the `other` policy: one <unk> phone per
run, or dropped. Mandarin phones are lower case (initials, finals with tone), English phones upper
case ARPAbet, so the two sets never collide. An optional boundary symbol goes between words
(runs); a CJK run counts as one word because the text carries no word segmentation.
"""

from dataclasses import dataclass
from typing import Iterable

from asrllm.lang.config import PhoneOptions
from asrllm.lang.english import EnglishG2P
from asrllm.lang.pinyin import MandarinG2P
from asrllm.lang.script import split_runs
from asrllm.lang.units import UNK

# Methods that mean "found in the dictionary": anything else is listed in the OOV report.
IN_VOCABULARY = ("cmudict", "pinyin")


@dataclass(frozen=True)
class Unit:
    """One lexicon entry as used in a transcript: the word, its phones, how they were found."""

    word: str
    phones: tuple[str, ...]
    method: str


class PhoneLabeler:
    """Builds phone sequences; call prepare() with the corpus's English words before labelling."""

    def __init__(self, opts: PhoneOptions):
        self.opts = opts
        en, zh = opts.english, opts.mandarin
        self.english = EnglishG2P(en.stress, en.oov_fallback, en.espeak_voice)
        self.mandarin = MandarinG2P(zh.tone, zh.zero_initial, zh.apical_i)

    @staticmethod
    def english_words(text: str) -> list[str]:
        """The Latin-script words of a transcript (what prepare() needs to see)."""
        return [r.text for r in split_runs(text) if r.kind == "latin"]

    def needs_resolving(self, word: str) -> bool:
        return not self.english.in_dictionary(word)

    def prepare(self, english_words: Iterable[str]) -> None:
        """Resolve every English word CMUdict lacks in one batch (espeak-ng is called once)."""
        self.english.resolve(english_words)

    def words(self, text: str) -> list[list[Unit]]:
        """The transcript as words, each a list of lexicon units."""
        out: list[list[Unit]] = []
        for run in split_runs(text):
            if run.kind == "cjk":
                word = []
                for ch, phones in self.mandarin.convert(run.text):
                    word.append(Unit(ch, tuple(phones), "pinyin") if phones else Unit(ch, (UNK,), "unk"))
                out.append(word)
            elif run.kind == "latin":
                method, phones = self.english.lookup(run.text)
                out.append([Unit(run.text, tuple(phones) if phones else (UNK,), method)])
            elif self.opts.other == "unk":
                out.append([Unit(run.text, (UNK,), "unk")])
        return out

    def phones(self, text: str) -> tuple[list[str], list[Unit]]:
        """(phone sequence with optional word boundaries, the units used)."""
        seq: list[str] = []
        units: list[Unit] = []
        boundary = self.opts.word_boundary
        for i, word in enumerate(self.words(text)):
            if boundary and i > 0:
                seq.append(boundary)
            for unit in word:
                seq.extend(unit.phones)
                units.append(unit)
        return seq, units
