"""Trainer behaviour besides resume: validation and best-N, hooks with state, config checks, logs."""

import logging

import pytest
import torch

from asrllm.config import ConfigError
from asrllm.training import CheckpointManager, Trainer, WarmupCosine
from tests.training.toy import ToyData, ToyModel, ToySampler, config, make_loader


class Counter:
    """A stateful step hook (like the CKA monitor / hot-swap): its state rides in checkpoints."""

    name = "counter"

    def __init__(self):
        self.calls = 0

    def __call__(self, trainer, step):
        self.calls += 1
        if step == 3:
            trainer.request_stop()

    def state_dict(self):
        return {"calls": self.calls}

    def load_state_dict(self, state):
        self.calls = state["calls"]


def _valid(trainer):
    data = ToyData(n=16, seed=5)
    return trainer.evaluate(make_loader(data)(ToySampler(len(data), 8)))


def test_validation_keeps_best_and_writes_tensorboard(tmp_path, caplog):
    data = ToyData()
    with caplog.at_level(logging.INFO):
        metrics = Trainer(ToyModel(), config(max_steps=6, valid_every=2, save_every=None, keep_last=1, keep_best=1,
                                             log_every=2), tmp_path, ToySampler(len(data), 4), make_loader(data),
                          valid_fn=_valid).fit()
    assert set(metrics) == {"valid_loss", "valid_acc"}
    mgr = CheckpointManager(tmp_path / "checkpoints")
    best = mgr.best()
    assert len(best) == 1 and set(mgr.steps()) == {6, best[0]["step"]}
    assert "step 2 valid: " in caplog.text and "step 6/6 epoch 0" in caplog.text and "eta 0:00:00" in caplog.text
    assert list((tmp_path / "tensorboard").glob("events.out.tfevents.*"))


def test_hook_state_is_saved_and_restored(tmp_path):
    data = ToyData()

    def run(max_steps):
        hook = Counter()
        tr = Trainer(ToyModel(), config(max_steps=max_steps), tmp_path, ToySampler(len(data), 4),
                     make_loader(data), hooks=[hook])
        tr.fit()
        return tr, hook

    tr, hook = run(10)
    assert tr.step == 3 and hook.calls == 3  # stopped by the hook, checkpoint saved
    tr, hook = run(10)
    assert tr.step == 10 and hook.calls == 10


def test_config_wins_over_checkpoint_schedule(tmp_path, caplog):
    data = ToyData()
    Trainer(ToyModel(), config(max_steps=10), tmp_path, ToySampler(len(data), 4), make_loader(data),
            hooks=[Counter()]).fit()  # stops at 3
    with caplog.at_level(logging.WARNING):
        tr = Trainer(ToyModel(), config(max_steps=12, lr=0.01), tmp_path, ToySampler(len(data), 4),
                     make_loader(data), hooks=[Counter()])
        tr._start()
    assert "differs from the config" in caplog.text
    assert tr.optimizer.param_groups[0]["lr"] == pytest.approx(0.01 * WarmupCosine(2, 12)(3))


def test_contract_and_config_errors(tmp_path):
    data = ToyData()

    class NoCount(ToyModel):
        def forward(self, batch):
            return {"loss": super().forward(batch)["loss"]}

    with pytest.raises(TypeError, match="'loss', 'num_tokens'"):
        Trainer(NoCount(), config(max_steps=1), tmp_path, ToySampler(len(data), 4), make_loader(data)).fit()
    with pytest.raises(ConfigError, match="gradient_checkpointing_enable"):
        Trainer(ToyModel(), config(grad_checkpointing=True), tmp_path, ToySampler(len(data), 4), make_loader(data))
    with pytest.raises(ConfigError, match="train.optim: must be one of adam, adamw"):
        config(optim="sgd")


def test_loader_must_iterate_the_given_sampler(tmp_path):
    data = ToyData()
    own = make_loader(data)(ToySampler(len(data), 4))  # ignores the tracked batch sampler
    with pytest.raises(RuntimeError, match="must iterate the given batch sampler"):
        Trainer(ToyModel(), config(max_steps=1), tmp_path, ToySampler(len(data), 4), lambda bs: own).fit()


def test_position_tracker_with_prefetching_workers(tmp_path):
    """Workers draw batches ahead; the checkpoint records the position of what was trained on."""
    data = ToyData()
    sampler = ToySampler(len(data), 4)
    Trainer(ToyModel(), config(max_steps=3, save_every=3), tmp_path, sampler,
            make_loader(data, num_workers=2)).fit()
    state = torch.load(tmp_path / "checkpoints" / "ckpt_3.pt", weights_only=True)
    assert state["sampler"] == [{"epoch": 0, "position": 3}]
    assert sampler.position > 3  # the sampler itself ran ahead


def test_lr_scale_gives_a_module_its_own_peak_lr_through_schedule_and_resume(tmp_path):
    data = ToyData()
    cfg = dict(max_steps=10, lr=0.01, trainable=["*"], lr_scale={"body.0": 0.1, "body": 0.5})
    tr = Trainer(ToyModel(), config(**cfg), tmp_path, ToySampler(len(data), 4), make_loader(data),
                 hooks=[Counter()])
    tr.fit()  # the hook stops it at step 3
    by_param = {id(p): g for g in tr.optimizer.param_groups for p in g["params"]}
    model = tr.module
    factor = WarmupCosine(2, 10)(3)
    assert by_param[id(model.body[0].weight)]["lr"] == pytest.approx(0.001 * factor)  # longest prefix
    assert by_param[id(model.body[3].weight)]["lr"] == pytest.approx(0.005 * factor)
    assert by_param[id(model.frontend[0].weight)]["lr"] == pytest.approx(0.01 * factor)
    assert by_param[id(model.body[0].bias)]["weight_decay"] == 0.0
    resumed = Trainer(ToyModel(), config(**cfg), tmp_path, ToySampler(len(data), 4), make_loader(data),
                      hooks=[Counter()])
    resumed._start()
    assert [g["lr"] for g in resumed.optimizer.param_groups] == pytest.approx(
        [g["lr"] for g in tr.optimizer.param_groups])
    with pytest.raises(ConfigError, match="lr_scale: 'encoder' matches no trainable parameter"):
        Trainer(ToyModel(), config(max_steps=2, lr_scale={"encoder": 0.1}), tmp_path / "x",
                ToySampler(len(data), 4), make_loader(data))


def test_lr_scale_that_is_not_a_mapping_of_numbers_is_a_config_error():
    with pytest.raises(ConfigError, match="lr_scale: factors must be numbers"):
        config(lr_scale={"body": "fast"})
    with pytest.raises(ConfigError, match="lr_scale: must map module prefixes"):
        config(lr_scale=["body"])
    with pytest.raises(ConfigError, match="lr_scale: factors must be > 0"):
        config(lr_scale={"body": 0})
