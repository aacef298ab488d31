"""asrllm.config: extends-chains, merging, typo errors; and stage markers built on it."""

import pytest

from asrllm.config import ConfigError, check_keys, load_config
from asrllm.recipe.stage_marker import StageState, check, write


def test_extends_merges_nested_overrides(tmp_path):
    (tmp_path / "base.yaml").write_text("a: 1\nb: {x: 1, y: 2}\nc: [1, 2]\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub/over.yaml").write_text("extends: ../base.yaml\nb: {y: 3}\nc: [9]\n")
    assert load_config(tmp_path / "sub/over.yaml") == {"a": 1, "b": {"x": 1, "y": 3}, "c": [9]}


def test_extends_cycle_and_missing_file(tmp_path):
    (tmp_path / "a.yaml").write_text("extends: b.yaml\n")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\n")
    with pytest.raises(ConfigError, match="cycle"):
        load_config(tmp_path / "a.yaml")
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yaml")


def test_bad_yaml_names_the_file(tmp_path):
    (tmp_path / "bad.yaml").write_text("a: [1, 2\n")
    with pytest.raises(ConfigError, match="bad.yaml"):
        load_config(tmp_path / "bad.yaml")


def test_check_keys_suggests_the_near_key():
    with pytest.raises(ConfigError, match="did you mean 'max_duration'"):
        check_keys({"max_durration": 3}, {"max_duration", "min_duration"}, "conf/data.yaml: filter")


def test_stage_marker_names_each_change(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("filter: {max_duration: 20}\n")
    inp = tmp_path / "text"
    inp.write_text("u1 a\n")
    marker = tmp_path / ".stages/s.done"
    state = StageState.collect(["nj=4"], [str(cfg)], [str(inp)])
    assert check(marker, state) == []
    write(marker, state, "4 filter")
    assert check(marker, StageState.collect(["nj=4"], [str(cfg)], [str(inp)])) is None
    cfg.write_text("# a comment changes nothing\nfilter: {max_duration: 20}\n")
    assert check(marker, StageState.collect(["nj=4"], [str(cfg)], [str(inp)])) is None
    cfg.write_text("filter: {max_duration: 15}\n")
    inp.write_text("u1 b\n")
    diffs = check(marker, StageState.collect(["nj=8"], [str(cfg)], [str(inp)]))
    assert "option --nj changed: '4' -> '8'" in diffs
    assert any("filter.max_duration changed: 20 -> 15" in d for d in diffs)
    assert any(d.startswith(f"input {inp} changed") for d in diffs)
