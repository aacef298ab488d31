"""The one loader of typed config sections (asrllm.config_section.build_section)."""

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from asrllm.config import ConfigError
from asrllm.config_section import build_section


@dataclass
class Inner:
    size: int = 2
    rates: tuple[float, float] = (0.1, 0.2)


@dataclass
class Outer:
    name: str
    inner: Inner = field(default_factory=Inner)
    scale: dict[str, float] = field(default_factory=dict)
    limit: int | None = None
    tags: list[str] = field(default_factory=list)


def test_nested_sections_are_built_and_numbers_coerced():
    out = build_section(Outer, {"name": Path("a/b"), "inner": {"rates": [1, "1e-3"]}, "scale": {"enc": 1},
                                "limit": None}, "f.yaml")
    assert out == Outer("a/b", Inner(2, (1.0, 1e-3)), {"enc": 1.0}, None, [])
    assert isinstance(out.inner.rates[0], float) and isinstance(out.scale["enc"], float)


@pytest.mark.parametrize("data, message", [
    ({}, "f.yaml: missing required key 'name'"),
    ({"name": "x", "inner": {"szie": 3}}, "f.yaml: inner: unknown key 'szie'; did you mean 'size'"),
    ({"name": "x", "inner": {"size": 2.5}}, "f.yaml: inner.size: expected an integer, got 2.5"),
    ({"name": "x", "inner": {"rates": [1.0]}}, r"f.yaml: inner.rates: expected 2 values, got \[1.0\]"),
    ({"name": "x", "inner": 3}, "f.yaml: inner: expected a mapping, got 3"),
    ({"name": "x", "limit": "many"}, "f.yaml: limit: expected an integer, got 'many'"),
    ({"name": "x", "tags": ["a", 1]}, r"f.yaml: tags\[1\]: expected a string, got 1"),
    ({"name": "x", "scale": {"enc": True}}, "f.yaml: scale.enc: expected a number, got True"),
])
def test_errors_name_the_file_and_the_key(data, message):
    with pytest.raises(ConfigError, match=message):
        build_section(Outer, data, "f.yaml")
