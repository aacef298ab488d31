"""Template grammars: a closed text domain a tiny LLM can learn but not guess.

A grammar file (YAML) has `language`, `templates` (each `{text, weight}`) and `slots` (name ->
list of values). Template texts and slot values may reference slots as `{name}`, so the grammar
is a small context-free grammar (no recursion). Every `{name}` is an independent draw; an empty
value drops the slot. Sampling is deterministic given a `random.Random`.
"""

import math
import random
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml

from asrllm.errors import UserError

GRAMMAR_DIR = Path(__file__).parent
SLOT = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
ASCII_WORD = re.compile(r"[A-Z][A-Z']*")
CJK = re.compile(r"[\u3400-\u9fff]")


class GrammarError(UserError, ValueError):
    """A grammar file that cannot be used as written."""


def normalize(text: str, language: str) -> str:
    """Canonical transcript: English upper case single-spaced; Mandarin without spaces except
    around embedded English words."""
    if language == "en":
        return " ".join(text.upper().split())
    joined = "".join(text.split())
    return " ".join(p for p in re.split(r"([A-Z][A-Z']*)", joined) if p)


def tokens(text: str) -> list[str]:
    """Vocabulary units of a transcript: English words and single Chinese characters."""
    out: list[str] = []
    for word in text.split():
        out.extend(list(word) if CJK.match(word) else [word])
    return out


@dataclass(frozen=True)
class Template:
    text: str
    weight: float


class Grammar:
    """A weighted template grammar over slot word lists."""

    def __init__(self, language: str, templates: list[Template], slots: dict[str, list[str]],
                 source: str = "<memory>"):
        self.language, self.templates, self.slots, self.source = language, templates, slots, source
        if language not in ("en", "zh"):
            raise GrammarError(f"{source}: language must be 'en' or 'zh', got {language!r}")
        if not templates:
            raise GrammarError(f"{source}: no templates")
        for where, text in [(f"template {t.text!r}", t.text) for t in templates] + \
                [(f"slot '{k}'", v) for k, vs in slots.items() for v in vs]:
            for ref in SLOT.findall(text):
                if ref not in slots:
                    raise GrammarError(f"{source}: {where} references unknown slot '{{{ref}}}'")
        for name, values in slots.items():
            if not values:
                raise GrammarError(f"{source}: slot '{name}' has no values")
        self._check_acyclic()
        used = {ref for text in [t.text for t in templates] + [v for vs in slots.values() for v in vs]
                for ref in SLOT.findall(text)}
        if set(slots) - used:
            raise GrammarError(f"{source}: slots never used: {', '.join(sorted(set(slots) - used))}")

    @classmethod
    def from_yaml(cls, path: str | Path) -> "Grammar":
        """Load a grammar file (see the module docstring for the format)."""
        path = Path(path)
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not {"language", "templates", "slots"} <= set(data):
            raise GrammarError(f"{path}: needs the keys language, templates, slots")
        templates = []
        for i, t in enumerate(data["templates"]):
            if not isinstance(t, dict) or "text" not in t:
                raise GrammarError(f"{path}: template {i + 1} needs a 'text'")
            templates.append(Template(str(t["text"]), float(t.get("weight", 1.0))))
        slots: dict[str, list[str]] = {}
        for name, values in data["slots"].items():
            if not isinstance(values, list):
                raise GrammarError(f"{path}: slot '{name}' must be a list of strings")
            for v in values:
                if v is not None and not isinstance(v, str):  # e.g. YAML reads a bare ON as true
                    raise GrammarError(f"{path}: slot '{name}': value {v!r} is not a string; quote it")
            slots[str(name)] = ["" if v is None else v for v in values]
        return cls(str(data["language"]), templates, slots, source=str(path))

    @classmethod
    def builtin(cls, language: str) -> "Grammar":
        """The mini recipe's grammar for `en` or `zh` (asrllm/synth/grammar_<lang>.yaml)."""
        return cls.from_yaml(GRAMMAR_DIR / f"grammar_{language}.yaml")

    def _check_acyclic(self) -> None:
        state: dict[str, int] = {}

        def visit(name: str, path: tuple[str, ...]) -> None:
            if state.get(name) == 2:
                return
            if state.get(name) == 1:
                raise GrammarError(f"{self.source}: slots refer to each other in a cycle: "
                                   f"{' -> '.join(path + (name,))}")
            state[name] = 1
            for value in self.slots[name]:
                for ref in SLOT.findall(value):
                    visit(ref, path + (name,))
            state[name] = 2

        for name in self.slots:
            visit(name, ())

    def _count(self, text: str) -> int:
        return math.prod(self.slot_size(ref) for ref in SLOT.findall(text))

    def slot_size(self, name: str) -> int:
        """Number of expansions of a slot (counting derivations, not distinct strings)."""
        return self._sizes[name]

    @cached_property
    def _sizes(self) -> dict[str, int]:
        sizes: dict[str, int] = {}

        def size(name: str) -> int:
            if name not in sizes:
                sizes[name] = sum(math.prod(size(r) for r in SLOT.findall(v)) for v in self.slots[name])
            return sizes[name]

        for name in self.slots:
            size(name)
        return sizes

    def size(self) -> int:
        """Number of derivations of the whole grammar (an upper bound on distinct sentences)."""
        return sum(self._count(t.text) for t in self.templates)

    def _expand(self, text: str, rng: random.Random) -> str:
        return SLOT.sub(lambda m: self._expand(rng.choice(self.slots[m.group(1)]), rng), text)

    def sample(self, rng: random.Random) -> str:
        """One sentence: a template by weight, then every slot uniformly."""
        template = rng.choices(self.templates, weights=[t.weight for t in self.templates])[0]
        return normalize(self._expand(template.text, rng), self.language)

    def sample_distinct(self, n: int, rng: random.Random, max_tries_per_sentence: int = 50) -> list[str]:
        """`n` distinct sentences in sampling order; fails if the grammar is too small for `n`."""
        seen: set[str] = set()
        out: list[str] = []
        tries = 0
        while len(out) < n:
            tries += 1
            if tries > max_tries_per_sentence * n:
                raise GrammarError(f"{self.source}: could only draw {len(out)} distinct sentences "
                                   f"of the {n} asked for; add templates or slot values")
            s = self.sample(rng)
            if s not in seen:
                seen.add(s)
                out.append(s)
        return out

    def vocabulary(self) -> set[str]:
        """Every word (English) or character (Mandarin) the grammar can produce."""
        vocab: set[str] = set()
        for text in [t.text for t in self.templates] + [v for vs in self.slots.values() for v in vs]:
            vocab.update(tokens(normalize(SLOT.sub(" ", text), self.language)))
        return vocab
