"""The voice inventory of the synthetic corpus, and which voices are held out of training.

English: espeak-ng accents x variants, plus flite voices. Mandarin: espeak-ng's
cmn-latn-pinyin (it reads numbered pinyin) x the same variants; English words inside Mandarin
sentences are read by en-us with the same variant, so the timbre does not change mid-sentence.
A voice id is the speaker id of the data dirs (e.g. `en-us+f2`, `flite-slt`, `cmn-latn-pinyin+m3`).
"""

from dataclasses import dataclass

ESPEAK_EN = ["en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-gb-x-gbclan", "en-gb-x-gbcwmd",
             "en-us-nyc", "en-029"]
ESPEAK_ZH = "cmn-latn-pinyin"
ESPEAK_CODESWITCH = "en-us"  # reads the English words of Mandarin sentences
# espeak-ng variants (voices/!v/): formant voices m1..m7, f1..f5, and one Klatt-synthesiser voice,
# david, that only the unseen test sets use. The training voices are formant voices only: the
# Klatt variants and flite cost the demo's encoder the most phone errors (44% PER on flite, against
# about 20% overall, at 650 pre-training steps; docs/notes/mini_demo_tuning.md), more than they
# add as variety at this size.
VARIANTS = ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5", "david"]
# flite voice -> its approximate mean F0 in Hz (None: the voice ignores int_f0_target_mean); unseen only
FLITE = {"rms": None}
# One flite voice gets as many utterances as this many espeak voices in its split
FLITE_WEIGHT = 8.0

# Held out of training (the *_unseen test sets use only voices with one of these).
UNSEEN_VARIANTS = {"m6", "f4", "david"}
UNSEEN_ESPEAK_EN = {"en-029"}
UNSEEN_FLITE = {"rms"}


@dataclass(frozen=True)
class Voice:
    """One synthetic speaker."""

    id: str
    language: str  # en | zh
    engine: str  # espeak | flite
    name: str  # espeak voice or flite voice
    variant: str = ""  # espeak variant
    weight: float = 1.0  # relative share of utterances within its split
    f0: float | None = None  # flite mean F0 (Hz) if settable

    @property
    def espeak_voice(self) -> str:
        return f"{self.name}+{self.variant}" if self.variant else self.name


def all_voices(language: str) -> list[Voice]:
    """Every voice of a language, seen and unseen."""
    if language == "en":
        out = [Voice(f"{acc}+{var}", "en", "espeak", acc, var) for acc in ESPEAK_EN for var in VARIANTS]
        out += [Voice(f"flite-{v}", "en", "flite", v, weight=FLITE_WEIGHT, f0=f0) for v, f0 in FLITE.items()]
        return out
    if language == "zh":
        return [Voice(f"{ESPEAK_ZH}+{var}", "zh", "espeak", ESPEAK_ZH, var) for var in VARIANTS]
    raise ValueError(f"unknown language {language!r} (en or zh)")


def is_unseen(voice: Voice) -> bool:
    """Whether the voice is kept out of training (and dev and the seen-voice test sets)."""
    if voice.engine == "flite":
        return voice.name in UNSEEN_FLITE
    return voice.variant in UNSEEN_VARIANTS or voice.name in UNSEEN_ESPEAK_EN


def voices(language: str, unseen: bool) -> list[Voice]:
    """The seen (training) or unseen (held-out) voices of a language."""
    return [v for v in all_voices(language) if is_unseen(v) == unseen]
