"""conf/decode.yaml: the shipped file loads, unknown keys and bad values are errors naming them."""

import pytest

from asrllm.config import ConfigError
from asrllm.decode.config import DecodeConfig, load_decode_config


def test_shipped_config_is_the_defaults(repo):
    assert load_decode_config(repo / "conf/decode.yaml") == DecodeConfig()


@pytest.mark.parametrize("override,message", [
    ({"beam_siz": 2}, "did you mean 'beam_size'"),
    ({"beam_size": 0}, "beam_size must be >= 1"),
    ({"beam_size": 2.0}, "beam_size: expected an integer"),
    ({"repetition_penalty": 0}, "repetition_penalty must be > 0"),
    ({"max_new_tokens_factor": 0, "max_new_tokens_constant": 0}, "nothing could be generated"),
    ({"ctc_heads": "phone"}, "expected a list"),
    ({"dtype": "int8"}, "dtype 'int8'"),
])
def test_bad_values_are_named(tmp_path, override, message):
    with pytest.raises(ConfigError, match=message):
        load_decode_config(None, override)


def test_extends_and_limit(tmp_path):
    base = tmp_path / "base.yaml"
    base.write_text("beam_size: 4\nmax_new_tokens_factor: 2.0\n")
    (tmp_path / "recipe.yaml").write_text("extends: base.yaml\nmax_new_tokens_constant: 5\n")
    cfg = load_decode_config(tmp_path / "recipe.yaml")
    assert (cfg.beam_size, cfg.max_new_tokens_factor, cfg.max_new_tokens_constant) == (4, 2.0, 5)
    assert cfg.max_new_tokens(10) == 25 and cfg.max_new_tokens(0) == 5
