import pytest

from asrllm.config import ConfigError
from asrllm.lang.config import LangConfig


def test_repo_config_loads(repo):
    cfg = LangConfig.from_yaml(repo / "conf" / "lang.yaml")
    assert cfg.phone.english.stress == "keep" and cfg.phone.mandarin.tone == "number"
    assert cfg.phone.english.oov_fallback == ["espeak", "spell"] and cfg.bpe.size == 500


@pytest.mark.parametrize("cfg, message", [
    ({"phone": {"english": {"stres": "keep"}}}, "did you mean 'stress'"),
    ({"phones": {}}, "did you mean 'phone'"),
    ({"phone": {"english": {"stress": "maybe"}}}, "phone.english.stress"),
    ({"phone": {"english": {"oov_fallback": ["g2p_en"]}}}, "oov_fallback"),
    ({"phone": {"mandarin": {"tone": "mark"}}}, "phone.mandarin.tone"),
    ({"phone": {"word_boundary": "<blank>"}}, "word_boundary"),
    ({"bpe": {"model_type": "wordpiece"}}, "bpe.model_type"),
])
def test_bad_configs_are_rejected(cfg, message):
    with pytest.raises(ConfigError, match=message):
        LangConfig.from_dict(cfg)
