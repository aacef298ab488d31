"""Resume equivalence: an interrupted run continues to the same weights and the same data order."""

import logging
import os
import signal
import subprocess
import sys
import time

import pytest
import torch

from asrllm.training import Trainer
from tests.training.toy import ToyData, ToyModel, ToySampler, config, make_loader, trainable_weights

# dropout makes the RNG restore matter; accum_grad 2 x 4 samples crosses an epoch (12 batches) at step 6
SETTINGS = dict(max_steps=10, accum_grad=2)
DROPOUT = 0.3


class StopAt:
    name = "stop_at"

    def __init__(self, step):
        self.step = step

    def __call__(self, trainer, step):
        if step == self.step:
            trainer.request_stop()


def _trainer(out, sampler, hooks=()):
    data = ToyData()
    return Trainer(ToyModel(dropout=DROPOUT), config(**SETTINGS), out, sampler, make_loader(data), hooks=hooks)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    sampler = ToySampler(len(ToyData()), 4)
    trainer = _trainer(tmp_path_factory.mktemp("full"), sampler)
    trainer.fit()
    return trainer_state(trainer), sampler.history


def trainer_state(trainer):
    return trainable_weights(trainer.module), trainer.optimizer.param_groups[0]["lr"], trainer.epoch


def test_stop_and_resume_gives_identical_weights(tmp_path, uninterrupted, caplog):
    (weights, lr, epoch), history = uninterrupted
    first = ToySampler(len(ToyData()), 4)
    t1 = _trainer(tmp_path, first, hooks=[StopAt(5)])
    t1.fit()
    assert t1.step == 5 and first.history == history[:10]
    second = ToySampler(len(ToyData()), 4)
    with caplog.at_level(logging.INFO):
        t2 = _trainer(tmp_path, second, hooks=[StopAt(5)])
        t2.fit()
    assert "resumed from" in caplog.text and t2.step == 10 and t2.epoch == epoch == 1
    assert first.history + second.history == history  # the sampler continued where it stopped
    got, got_lr, _ = trainer_state(t2)
    assert got_lr == lr
    for k, v in weights.items():
        assert torch.equal(got[k], v), k


def test_kill_9_then_resume_gives_identical_weights(tmp_path, uninterrupted, tool_env, repo, caplog):
    (weights, _, _), _ = uninterrupted
    cmd = [sys.executable, "-m", "tests.training.run_toy", str(tmp_path), "--dropout", str(DROPOUT),
           "--accum-grad", "2", "--norm", "--workers", "2", "--slow-after", "5"]
    log_file = tmp_path / "run.log"
    with open(log_file, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=repo, env={**tool_env, "OMP_NUM_THREADS": "1"}, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while not (tmp_path / "checkpoints" / "ckpt_5.pt").exists():
            assert proc.poll() is None, log_file.read_text()
            assert time.monotonic() < deadline, "no step-5 checkpoint in 90 s"
            time.sleep(0.02)
        time.sleep(0.3)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the training process and its loader workers
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    with caplog.at_level(logging.INFO):
        t = _trainer(tmp_path, ToySampler(len(ToyData()), 4))
        t.fit()
    assert "resumed from" in caplog.text and t.step == 10
    got = trainable_weights(t.module)
    for k, v in weights.items():
        assert torch.equal(got[k], v), k


def test_finished_run_does_nothing_more(tmp_path):
    t = _trainer(tmp_path, ToySampler(len(ToyData()), 4))
    t.fit()
    before = trainable_weights(t.module)
    t2 = _trainer(tmp_path, ToySampler(len(ToyData()), 4))
    t2.fit()
    assert t2.step == 10
    assert all(torch.equal(v, before[k]) for k, v in trainable_weights(t2.module).items())
