"""Encoder drift (asrllm.training.drift): CKA to the stage's first encoder every `interval` updates,
with the encoder's summed learning rate from the schedule; a resumed run writes the same rows."""

import pytest
import torch
from torch import nn

import asrllm.training.drift as drift
from asrllm.training.config import TrainerConfig
from asrllm.training.drift import EncoderDrift
from asrllm.training.stage_config import DriftConfig
from asrllm.training.schedule import warmup_cosine


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Linear(6, 6)
        self.llm = nn.Linear(6, 6)


class FakeTrainer:
    """What the hook reads: module, config, scheduler, log_scalars."""

    def __init__(self, cfg: TrainerConfig):
        self.module, self.config = Model(), cfg
        opt = torch.optim.SGD(self.module.parameters(), lr=cfg.lr)
        self.scheduler = warmup_cosine(opt, cfg.warmup_steps, cfg.max_steps, cfg.min_lr_ratio)

    def log_scalars(self, *args, **kwargs):
        pass


def rows(path):
    return [line.split("\t") for line in path.read_text().splitlines()[1:]]


def run(tmp_path, steps, reference, trainer):
    hook = EncoderDrift(DriftConfig(interval=2, max_utts=1), tmp_path, [], reference, is_main=True)
    for step in steps:
        with torch.no_grad():  # an "update": the encoder moves a little
            trainer.module.encoder.weight.add_(0.05 * torch.sin(torch.arange(36.0).reshape(6, 6) * step))
        hook(trainer, step)


def test_rows_hold_the_summed_encoder_lr_and_a_falling_cka(tmp_path, monkeypatch):
    monkeypatch.setattr(drift, "encoder_outputs", lambda module, batches: [module.encoder.weight.detach().clone()])
    cfg = TrainerConfig(trainable=["*"], lr=1e-3, lr_scale={"encoder": 0.1}, warmup_steps=2, max_steps=10, min_lr_ratio=0.1)
    trainer = FakeTrainer(cfg)
    reference = [trainer.module.encoder.weight.detach().clone()]
    run(tmp_path, range(1, 11), reference, trainer)
    table = rows(tmp_path / "drift.tsv")
    assert [int(r[0]) for r in table] == [2, 4, 6, 8, 10]
    fn = trainer.scheduler.lr_lambdas[0]
    assert float(table[-1][1]) == pytest.approx(1e-4 * sum(fn(k) for k in range(10)), rel=1e-5)
    cka = [float(r[2]) for r in table]
    assert cka[0] < 1.0 and cka[-1] < cka[0]
    # killed after step 10, resumed from a checkpoint at step 6: steps 7-10 again, the same rows
    monkeypatch.setattr(drift, "encoder_outputs", lambda module, batches: [module.encoder.weight.detach().clone()])
    again = FakeTrainer(cfg)
    again.module.load_state_dict(trainer.module.state_dict())
    with torch.no_grad():  # back to the encoder at step 6
        for step in range(10, 6, -1):
            again.module.encoder.weight.sub_(0.05 * torch.sin(torch.arange(36.0).reshape(6, 6) * step))
    run(tmp_path, range(7, 11), reference, again)
    assert [r[:2] for r in rows(tmp_path / "drift.tsv")] == [r[:2] for r in table]
    assert [float(r[2]) for r in rows(tmp_path / "drift.tsv")] == pytest.approx(cka, abs=1e-5)


def test_a_bad_drift_section_is_named():
    from asrllm.config import ConfigError
    from asrllm.training.stage_config import StageConfig

    base = {"stage": "joint", "model": {}, "train": {"trainable": ["*"], "max_steps": 4}}
    assert StageConfig.from_dict({**base, "drift": {"interval": 3}}, "j.yaml").drift.interval == 3
    for bad, match in (({"interval": 0}, "drift.interval"), ({"every": 3}, "drift")):
        with pytest.raises(ConfigError, match=match):
            StageConfig.from_dict({**base, "drift": bad}, "j.yaml")
