"""Text LM training pieces: shared-prompt loss, schedule, exclusion of dev/test text, config checks."""

import pytest
import torch

from asrllm.config import ConfigError
from asrllm.llm.prompt import PromptBuilder, PromptTemplate
from asrllm.synth.text_lm import TrainOptions, _forward_loss, full_sequence_loss, lr_at
from asrllm.synth.text_lm_build import build_text_lm, load_text_lm_config, training_sentences

SENTENCES = ["PLEASE MOVE THE RED BALL", "WHERE IS THE CUP", "请把红色的杯子放在桌子左边", "小王喝了一杯 COFFEE",
             "TURN ON THE LIGHTS IN THE KITCHEN", "明天北京有小雨"]


@pytest.fixture(scope="module")
def tiny(make_tiny_lm):
    return make_tiny_lm(SENTENCES)


def test_shared_prompt_loss_equals_full_sequence_loss(tiny):
    tok, model = tiny
    builder = PromptBuilder(tok, PromptTemplate())
    shared, n_shared = _forward_loss(model, builder, SENTENCES)
    full, n_full = full_sequence_loss(model, builder, SENTENCES)
    assert n_shared == n_full == sum(len(t) for t in builder.target_ids(SENTENCES))
    assert shared.item() == pytest.approx(full.item(), rel=1e-5)
    shared.backward()
    grads = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    full.backward()
    for g, p in zip(grads, model.parameters()):
        torch.testing.assert_close(g, p.grad, atol=1e-5, rtol=1e-4)
    model.zero_grad()


def test_lr_schedule():
    opts = TrainOptions(steps=100, lr=1e-3, warmup_steps=10, min_lr_ratio=0.1)
    assert lr_at(0, opts) == pytest.approx(1e-4)
    assert lr_at(9, opts) == pytest.approx(1e-3)
    assert lr_at(99, opts) == pytest.approx(1e-4, rel=0.01)
    assert all(lr_at(i, opts) >= lr_at(i + 1, opts) for i in range(10, 99))


def test_dev_and_test_sentences_are_removed(tmp_path):
    train, held = tmp_path / "train.txt", tmp_path / "held.txt"
    train.write_text("A B\n C  D \nE F\n\n", encoding="utf-8")
    held.write_text("C D\n", encoding="utf-8")
    assert training_sentences([train], [held]) == ["A B", "E F"]
    held.write_text("A B\nC D\nE F\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no training sentences left"):
        training_sentences([train], [held])


def test_dev_text_that_leaks_into_training_is_refused(tmp_path, repo):
    train, dev = tmp_path / "train.txt", tmp_path / "dev.txt"
    train.write_text("\n".join(SENTENCES) + "\n", encoding="utf-8")
    dev.write_text(SENTENCES[0] + "\n", encoding="utf-8")
    config = repo / "egs/mini/asr_llm/conf/text_lm_smoke.yaml"
    with pytest.raises(ValueError, match="pass the dev text to --exclude"):
        build_text_lm([train], tmp_path / "lm", config, dev=[dev])
    assert not (tmp_path / "lm").exists()


def test_recipe_configs_load_and_typos_are_named(tmp_path, repo):
    conf = repo / "egs/mini/asr_llm/conf"
    demo, smoke = load_text_lm_config(conf / "text_lm.yaml"), load_text_lm_config(conf / "text_lm_smoke.yaml")
    assert smoke["model"]["hidden_size"] == 32 and smoke["model"]["num_hidden_layers"] == 2
    assert demo["train"]["steps"] > smoke["train"]["steps"]  # smoke overrides, demo keeps its own
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"extends: {conf / 'text_lm.yaml'}\ntrain: {{stpes: 3}}\n")
    with pytest.raises(ConfigError, match="unknown key 'stpes'; did you mean 'steps'"):
        load_text_lm_config(bad)
