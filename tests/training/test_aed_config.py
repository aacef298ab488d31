"""The stage config's aed objective and its `aed:` section (asrllm/training/aed_config.py)."""

import pytest

from asrllm.config import ConfigError
from asrllm.training.stage_config import StageConfig


def aed_stage(**over) -> dict:
    data = {"stage": "pretrain", "objective": "aed", "ctc_head": "char",
            "model": {"ctc_heads": {"char": {"layers": 1}}, "aed_decoder": {"labels": "char", "conf": {}}},
            "train": {"max_steps": 10, "trainable": ["encoder", "ctc_heads", "aed_decoder"]}}
    data.update(over)
    return data


def test_defaults_are_espnets_recipe_values():
    cfg = StageConfig.from_dict(aed_stage(), "pretrain_aed.yaml")
    assert cfg.objective == "aed" and cfg.uses_labels
    assert (cfg.aed.ctc_weight, cfg.aed.lsm_weight) == (0.3, 0.1)
    cfg = StageConfig.from_dict(aed_stage(aed={"ctc_weight": 1, "lsm_weight": 0.0}), "x.yaml")
    assert (cfg.aed.ctc_weight, cfg.aed.lsm_weight) == (1.0, 0.0)


def test_the_shipped_stage_config_resolves(repo):
    from asrllm.config import deep_merge, load_config

    for model in ("toy", "single_gpu", "paper"):
        data = deep_merge(load_config(repo / f"conf/model/{model}.yaml"),
                          load_config(repo / "conf/train/pretrain_aed.yaml"))
        cfg = StageConfig.from_dict(data, "conf/train/pretrain_aed.yaml")
        assert cfg.objective == "aed" and cfg.ctc_head == "char" and cfg.aed.ctc_weight == 0.3
        assert cfg.model["aed_decoder"]["conf"]["num_blocks"] >= 2
    phone = load_config(repo / "conf/train/pretrain_phone.yaml")
    aed = load_config(repo / "conf/train/pretrain_aed.yaml")
    assert {k: aed["train"][k] for k in ("lr", "warmup_steps", "max_steps")} == \
        {k: phone["train"][k] for k in ("lr", "warmup_steps", "max_steps")}


@pytest.mark.parametrize("over, message", [
    ({"aed": {"ctc_weight": 1.5}}, "x.yaml: aed.ctc_weight must be a number from 0 to 1, got 1.5"),
    ({"aed": {"ctc_weight": True}}, "x.yaml: aed.ctc_weight: expected a number, got True"),
    ({"aed": {"lsm_weight": 1.0}}, "x.yaml: aed.lsm_weight must be a number from 0 up to"),
    ({"aed": {"lsm": 0.1}}, "x.yaml: aed: unknown key 'lsm'"),
    ({"aed": 0.3}, "x.yaml: aed: expected a mapping, got 0.3"),
    ({"ctc_weight": 0.3}, "x.yaml: ctc_weight does not apply to objective aed; its CTC weight is aed.ctc_weight"),
    ({"cr_ctc_weight": 0.2}, "x.yaml: cr_ctc_weight .CR-CTC. applies to objective ctc"),
    ({"stage": "align"}, "x.yaml: objective aed is encoder pre-training's"),
    ({"objective": "ctc", "aed": {}}, "x.yaml: aed: belongs to objective aed"),
    ({"objective": "att"}, "x.yaml: objective must be one of ctc, aed, llm"),
    ({"model": {"ctc_heads": {"char": {}}}}, "x.yaml: objective aed needs an attention decoder"),
    ({"model": {"ctc_heads": {"char": {}, "phone": {}}, "aed_decoder": {"labels": "phone"}}},
     r"model.aed_decoder.labels \('phone'\) must be the CTC head ctc_head \('char'\)"),
])
def test_a_bad_aed_config_is_named(over, message):
    with pytest.raises(ConfigError, match=message):
        StageConfig.from_dict(aed_stage(**over), "x.yaml")
