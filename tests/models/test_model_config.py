"""asrllm.models.config: the `model:` section checked once, each error naming its key; SpeechLLM.from_config
builds what the config names and nothing else."""

import pytest

from asrllm.config import ConfigError
from asrllm.models.config import AdapterConfig, LoRAConfig, ModelConfig
from asrllm.models.speech_llm import SpeechLLM


def test_typed_sections_and_their_defaults(model_cfg):
    cfg = ModelConfig.from_dict({**model_cfg, "llm": {**model_cfg["llm"], "lora": {"r": 4}}})
    assert cfg.adapter == AdapterConfig(**{**AdapterConfig().__dict__, **(model_cfg.get("adapter") or {})})
    assert cfg.llm.lora == LoRAConfig(r=4) and cfg.llm.dtype == "float32"
    assert set(cfg.ctc_heads) == set(model_cfg["ctc_heads"]) and cfg.aed_decoder is None
    encoder_only = ModelConfig.from_dict({k: v for k, v in model_cfg.items() if k not in ("llm", "adapter")})
    assert encoder_only.llm is None and encoder_only.adapter is None


@pytest.mark.parametrize("change, key", [
    ({"adapter": {"stak": 4}}, "stak"),
    ({"adapter": {"init": "magic"}}, "model.adapter.init"),
    ({"llm": {"dtype": "int8"}}, "model.llm.dtype"),
    ({"llm": {"lora": {"rank": 4}}}, "rank"),
    ({"ctc_heads": {"phone": {"hidden": 8}}}, "model.ctc_heads.phone.units"),
    ({"aed_decoder": {"labels": "bpe"}}, "model.aed_decoder.labels"),
    ({"encoders": {}}, "encoders"),
])
def test_a_bad_key_is_named(model_cfg, change, key):
    cfg = {**model_cfg}
    for section, value in change.items():
        cfg[section] = {**(cfg.get(section) or {}), **value} if section == "llm" else value
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        ModelConfig.from_dict(cfg)


def test_from_config_builds_the_parts_it_names(model_cfg):
    model = SpeechLLM.from_config(ModelConfig.from_dict(model_cfg))
    assert model.llm is not None and model.adapter is not None and model.prompt is not None
    assert set(model.ctc_heads) == set(model_cfg["ctc_heads"]) and model.aed_decoder is None
    speech_only = SpeechLLM.from_config(ModelConfig.from_dict(model_cfg), with_llm=False)
    assert speech_only.llm is None and speech_only.adapter is None
