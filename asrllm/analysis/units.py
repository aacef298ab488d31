"""Which text unit each phone token of `text.phone` belongs to (CSAI's target).

The transcript is run through the same G2P that wrote `text.phone` (asrllm.lang.phone, with the
options stage 6 recorded in <lang_dir>/lang.yaml): a Mandarin phone belongs to its character, an
English phone to its word, an <unk> phone to the run it stands for. Word-boundary symbols belong to
no unit. When the G2P's phones differ from the stored ones (e.g. a different espeak-ng), the
utterance gets no units and is left out of CSAI, never guessed.
"""

import logging
import os
from collections.abc import Iterable
from pathlib import Path

from asrllm.config import ConfigError, load_config
from asrllm.lang.config import LangConfig
from asrllm.lang.phone import PhoneLabeler

log = logging.getLogger(__name__)


class PhoneUnitMapper:
    """units(text, phones) -> the text unit of every phone token, or None when they disagree."""

    def __init__(self, lang_dir: str | os.PathLike):
        path = Path(lang_dir) / "lang.yaml"
        info = load_config(path)
        if info.get("unit") != "phone" or "phone" not in info:
            raise ConfigError(f"{path}: not a phone lang dir written by prepare_lang --unit phone")
        self.config = LangConfig.from_dict({"phone": info["phone"]}, str(path))
        self.labeler = PhoneLabeler(self.config.phone)
        self.boundary = self.config.phone.word_boundary

    def prepare(self, texts: Iterable[str]) -> None:
        """Resolve the English words CMUdict lacks, all at once (one espeak-ng call)."""
        words = {w for t in texts for w in self.labeler.english_words(t) if self.labeler.needs_resolving(w)}
        if words:
            self.labeler.prepare(sorted(words))

    def units(self, text: str, phones: list[str]) -> list[str | None] | None:
        """One entry per phone token (None for a boundary symbol); None when the G2P disagrees."""
        out: list[str | None] = []
        expected: list[str] = []
        for i, word in enumerate(self.labeler.words(text)):
            if self.boundary and i > 0:
                out.append(None)
                expected.append(self.boundary)
            for unit in word:
                out.extend([unit.word] * len(unit.phones))
                expected.extend(unit.phones)
        return out if expected == phones else None
