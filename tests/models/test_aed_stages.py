"""asrllm.bin.train around the aed objective: stage 7 builds the attention decoder (and no LLM side),
the alignment stage starts from the AED-pre-trained model without it, saying so in the log."""

import logging

import torch
import yaml

from asrllm.recipe.train_stage import StageArgs, initial_weights, resolve_stage, stage_objective, start_model_config
from asrllm.models.objective import Objective
from asrllm.models.build import build_model, save_pretrained
from asrllm.training.stage_config import StageConfig

DECODER = {"conf": {"attention_heads": 2, "linear_units": 32, "num_blocks": 1}}


def args(**kw):
    return StageArgs(**{"config": "align.yaml", **kw})


def test_stage_7_builds_the_decoder_and_takes_the_loss_weights(model_cfg, phone_units, repo, tmp_path):
    model = {**model_cfg, "aed_decoder": DECODER}
    model["ctc_heads"] = {"phone": {k: v for k, v in model_cfg["ctc_heads"]["phone"].items() if k != "units"}}
    (tmp_path / "model.yaml").write_text(yaml.safe_dump({"model": model}))
    (tmp_path / "stage.yaml").write_text(yaml.safe_dump({
        "stage": "pretrain", "objective": "aed", "ctc_head": "phone", "aed": {"ctc_weight": 0.5, "lsm_weight": 0.2},
        "model": {"aed_decoder": {"labels": "phone"}},
        "train": {"max_steps": 1, "trainable": ["encoder", "ctc_heads", "aed_decoder"]}}))
    cfg, data_cfg, model_cfg, heads = resolve_stage(args(
        config=str(tmp_path / "stage.yaml"), model_config=str(tmp_path / "model.yaml"),
        data_config=str(repo / "conf/data.yaml"), lang=[f"phone={phone_units.parent}"]))
    assert "llm" not in model_cfg and "adapter" not in model_cfg and model_cfg["aed_decoder"]["labels"] == "phone"
    assert heads == {"phone": ("text.phone", str(phone_units))}  # a lang dir not named lang_<set>: the head's
    objective, specaug, _ = stage_objective(cfg, data_cfg)
    model = build_model(model_cfg, objective=objective, specaug=specaug)
    assert model.aed_decoder is not None and model.llm is None and specaug is None
    assert model.objective == Objective("aed", "phone", aed_ctc_weight=0.5, aed_lsm_weight=0.2)


def test_alignment_starts_from_an_aed_model_without_its_decoder(model_cfg, tmp_path, caplog):
    pre_cfg = {k: v for k, v in model_cfg.items() if k not in ("adapter", "llm")}
    pre_cfg["aed_decoder"] = {"labels": "phone", **DECODER}
    torch.manual_seed(0)
    pretrained = build_model(pre_cfg, with_llm=False)
    save_pretrained(pretrained, pre_cfg, tmp_path / "pretrain_final")
    # the alignment stage's model config: the model-size config (with its aed_decoder size) under align
    align = {k: v for k, v in model_cfg.items() if k != "ctc_heads"}
    cfg = StageConfig.from_dict({"stage": "align", "model": {**align, "aed_decoder": DECODER},
                                 "train": {"max_steps": 1, "trainable": ["adapter"]}}, "align.yaml")
    a = args(init_model=str(tmp_path / "pretrain_final"))
    stage_cfg = start_model_config(a, cfg)
    assert "aed_decoder" not in stage_cfg and set(stage_cfg["ctc_heads"]) == {"phone"}
    with caplog.at_level(logging.INFO, logger="asrllm.train"):
        model = initial_weights(a, cfg, stage_cfg, Objective())
    assert model.aed_decoder is None and model.llm is not None
    assert "its attention decoder" in caplog.text and "dropped" in caplog.text
    want = pretrained.state_dict()
    got = model.state_dict()
    assert all(torch.equal(got[k], want[k]) for k in want if k.startswith(("encoder.", "ctc_heads.")))
