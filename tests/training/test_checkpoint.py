"""Atomic checkpoints: keep-last-K, keep-best-N, fallback from a corrupt latest file."""

import logging

import pytest
import torch

from asrllm.training import CheckpointManager, Trainer
from tests.training.toy import ToyData, ToyModel, ToySampler, config, make_loader


def _save(mgr, step, loss=None):
    return mgr.save({"epoch": 0, "model": {"w": torch.full((2,), float(step))}}, step,
                    None if loss is None else {"valid_loss": loss})


def test_keep_last_and_best(tmp_path):
    mgr = CheckpointManager(tmp_path, keep_last=2, keep_best=2)
    losses = {1: 5.0, 2: 1.0, 3: 4.0, 4: 0.5, 5: 3.0, 6: 2.0}
    for step, loss in losses.items():
        _save(mgr, step, loss)
    assert mgr.steps() == [2, 4, 5, 6]  # last two (5, 6) + best two (4, 2)
    assert [e["step"] for e in mgr.best()] == [4, 2]
    assert (tmp_path / "latest").read_text() == "ckpt_6.pt\n"
    _save(mgr, 7)  # no metrics: not ranked, and 5 leaves the last two
    assert mgr.steps() == [2, 4, 6, 7]
    assert not list(tmp_path.glob(".*tmp*"))


def test_corrupt_latest_falls_back_with_warning(tmp_path, caplog):
    mgr = CheckpointManager(tmp_path, keep_last=3)
    for step in (1, 2, 3):
        _save(mgr, step)
    path = mgr.path(3)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])  # truncated, as by a full disk
    with caplog.at_level(logging.WARNING):
        state = mgr.load_latest()
    assert state["step"] == 2 and torch.equal(state["model"]["w"], torch.full((2,), 2.0))
    assert "ckpt_3.pt cannot be loaded" in caplog.text
    (tmp_path / "ckpt_2.pt").write_bytes(b"garbage")
    assert mgr.load_latest()["step"] == 1
    mgr.discard_after(1)
    assert mgr.steps() == [1]
    assert sorted(p.name for p in tmp_path.glob("*.bad")) == ["ckpt_2.pt.bad", "ckpt_3.pt.bad"]
    assert (tmp_path / "latest").read_text() == "ckpt_1.pt\n"


def test_leftover_temporary_is_removed(tmp_path):
    (tmp_path / ".ckpt_9.pt.tmp.1234").write_bytes(b"half")
    mgr = CheckpointManager(tmp_path)
    assert not (tmp_path / ".ckpt_9.pt.tmp.1234").exists() and mgr.load_latest() is None


def test_trainer_resumes_from_previous_after_corruption(tmp_path, caplog):
    data = ToyData()

    def run(max_steps):
        tr = Trainer(ToyModel(), config(max_steps=max_steps, save_every=2), tmp_path, ToySampler(len(data), 4),
                     make_loader(data))
        tr.fit()
        return tr

    run(6)
    ckpt_dir = tmp_path / "checkpoints"
    (ckpt_dir / "ckpt_6.pt").write_bytes((ckpt_dir / "ckpt_6.pt").read_bytes()[:100])
    with caplog.at_level(logging.INFO):
        tr = run(8)
    assert "ckpt_6.pt cannot be loaded" in caplog.text and "resumed from" in caplog.text
    assert "step 4, epoch 0" in caplog.text
    assert tr.step == 8 and CheckpointManager(ckpt_dir).steps() == [4, 6, 8]
    assert (ckpt_dir / "ckpt_6.pt.bad").exists()


def test_checkpoint_holds_the_trainable_part_and_full_state(tmp_path):
    data = ToyData()
    Trainer(ToyModel(), config(max_steps=2, save_every=2), tmp_path, ToySampler(len(data), 4),
            make_loader(data)).fit()
    state = torch.load(tmp_path / "checkpoints" / "ckpt_2.pt", weights_only=True)
    assert sorted(state["model"]) == sorted(k for k in ToyModel().state_dict() if not k.startswith("frontend"))
    keys = {"optimizer", "scheduler", "grad_scaler", "rng", "sampler", "hooks", "epoch", "step", "config"}
    assert keys <= set(state)
    assert state["sampler"] == [{"epoch": 0, "position": 2}]
    params = [k for k in state["model"] if "running" not in k and "num_batches" not in k]
    assert sorted(state["optimizer"]["state"]) == sorted(params)


@pytest.mark.parametrize("key", ["trainable", "max_steps"])
def test_config_requires_keys(key):
    from asrllm.config import ConfigError
    from asrllm.training import TrainerConfig

    data = {"trainable": ["body"], "max_steps": 3}
    del data[key]
    with pytest.raises(ConfigError, match=f"missing required key '{key}'"):
        TrainerConfig.from_dict(data)
    with pytest.raises(ConfigError, match="did you mean 'accum_grad'"):
        TrainerConfig.from_dict({"trainable": ["body"], "max_steps": 3, "accum_grads": 2})
