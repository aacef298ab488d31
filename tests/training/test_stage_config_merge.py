"""The merge order of a stage's files (asrllm.training.stage_config.stage_config_data)."""

import pytest

from asrllm.config import ConfigError
from asrllm.training.stage_config import StageConfig, stage_config_data


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.fixture
def files(tmp_path):
    stage = write(tmp_path / "joint.yaml", "stage: joint\nmodel: {adapter: {stack: 4}}\n"
                                          "train: {trainable: [adapter], lr: 1.0e-5, max_steps: 10, log_every: 7}\n")
    model = write(tmp_path / "model.yaml", "model: {adapter: {stack: 2, hidden: 8}}\n")
    scale = write(tmp_path / "scale.yaml", "train: {amp: bf16, log_every: 100, accum_grad: 4}\n"
                                          "stages: {joint: {train: {lr: 1.0e-4}}, iasft: {train: {lr: 3.0}}}\n")
    return stage, model, scale


def test_scale_train_goes_under_the_stage_and_its_stage_entry_over_it(files):
    stage, model, scale = files
    data = stage_config_data(stage, model, scale, seed=5)
    cfg = StageConfig.from_dict(data, stage)
    assert data["model"]["adapter"] == {"stack": 4, "hidden": 8}  # the stage config over the model config
    assert cfg.train.log_every == 7  # the stage config's own key wins over the scale's train:
    assert (cfg.train.amp, cfg.train.accum_grad) == ("bf16", 4)  # the scale fills in what the stage leaves
    assert cfg.train.lr == 1e-4  # stages.joint goes over the stage config; stages.iasft does not apply
    assert (cfg.train.max_steps, cfg.train.seed) == (10, 5)


def test_without_a_scale_the_stage_config_is_unchanged(files):
    stage, model, _ = files
    cfg = StageConfig.from_dict(stage_config_data(stage, model), stage)
    assert (cfg.train.lr, cfg.train.log_every) == (1e-5, 7)


def test_a_model_config_with_training_settings_is_refused(files, tmp_path):
    stage, _, _ = files
    bad = write(tmp_path / "old_model.yaml", "model: {}\ntrain: {amp: bf16}\n")
    with pytest.raises(ConfigError, match=r"old_model.yaml.*unknown key 'train'"):
        stage_config_data(stage, bad)


def test_a_scale_entry_with_an_unknown_key_names_it(files, tmp_path):
    stage, model, _ = files
    bad = write(tmp_path / "bad_scale.yaml", "stages: {joint: {trian: {lr: 1.0}}}\n")
    with pytest.raises(ConfigError, match=r"bad_scale.yaml: stages.joint: unknown key 'trian'; did you mean 'train'"):
        stage_config_data(stage, model, bad)
