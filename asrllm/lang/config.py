"""Options of conf/lang.yaml (label units for stage 6), validated when loaded."""

import os
from dataclasses import asdict, dataclass, field

from asrllm.config import ConfigError, load_config
from asrllm.config_section import build_section

FALLBACKS = ("espeak", "spell")


@dataclass
class EnglishOptions:
    stress: str = "keep"  # keep | strip
    oov_fallback: list[str] = field(default_factory=lambda: ["espeak", "spell"])
    espeak_voice: str = "en-us"


@dataclass
class MandarinOptions:
    tone: str = "number"  # number | none
    zero_initial: str = "marked"  # marked | none
    apical_i: bool = False


@dataclass
class PhoneOptions:
    word_boundary: str | None = None
    other: str = "unk"  # unk | drop
    english: EnglishOptions = field(default_factory=EnglishOptions)
    mandarin: MandarinOptions = field(default_factory=MandarinOptions)


@dataclass
class CharOptions:
    space: str = "<space>"


@dataclass
class BpeOptions:
    size: int = 500
    model_type: str = "bpe"  # bpe | unigram
    character_coverage: float = 1.0
    input_sentence_size: int = 10_000_000


@dataclass
class LangConfig:
    phone: PhoneOptions = field(default_factory=PhoneOptions)
    char: CharOptions = field(default_factory=CharOptions)
    bpe: BpeOptions = field(default_factory=BpeOptions)

    @classmethod
    def from_yaml(cls, path: str | os.PathLike | None) -> "LangConfig":
        """Load conf/lang.yaml (or defaults when path is None), rejecting unknown keys and values."""
        return cls.from_dict(load_config(path) if path else {}, str(path))

    @classmethod
    def from_dict(cls, cfg: dict, where: str = "lang config") -> "LangConfig":
        out = build_section(cls, cfg, where)
        out.validate(where)
        return out

    def validate(self, where: str) -> None:
        """Fail on option values the code does not implement."""
        p = self.phone
        _choice(p.english.stress, ("keep", "strip"), f"{where}: phone.english.stress")
        _choice(p.other, ("unk", "drop"), f"{where}: phone.other")
        _choice(p.mandarin.tone, ("number", "none"), f"{where}: phone.mandarin.tone")
        _choice(p.mandarin.zero_initial, ("marked", "none"), f"{where}: phone.mandarin.zero_initial")
        if not isinstance(p.english.oov_fallback, list):
            raise ConfigError(f"{where}: phone.english.oov_fallback must be a list, e.g. [espeak, spell]")
        for m in p.english.oov_fallback:
            _choice(m, FALLBACKS, f"{where}: phone.english.oov_fallback")
        if p.word_boundary is not None and (not isinstance(p.word_boundary, str) or not p.word_boundary
                                            or any(c.isspace() for c in p.word_boundary)
                                            or p.word_boundary in ("<blank>", "<unk>")):
            raise ConfigError(f"{where}: phone.word_boundary must be null or a symbol without spaces "
                              f"other than <blank>/<unk>, got {p.word_boundary!r}")
        if not self.char.space or any(c.isspace() for c in self.char.space):
            raise ConfigError(f"{where}: char.space must be a symbol without spaces, got {self.char.space!r}")
        _choice(self.bpe.model_type, ("bpe", "unigram"), f"{where}: bpe.model_type")
        if int(self.bpe.size) < 2:
            raise ConfigError(f"{where}: bpe.size must be at least 2, got {self.bpe.size}")

    def to_dict(self) -> dict:
        return asdict(self)


def _choice(value, allowed: tuple, where: str) -> None:
    if value not in allowed:
        raise ConfigError(f"{where}: {value!r} is not one of {', '.join(map(str, allowed))}")
