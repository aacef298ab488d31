"""What a training run checks or cleans up when it starts: an unwritable checkpoint folder, no
loadable checkpoint at all, and the CKA log an earlier run left behind."""

import logging
import os
import subprocess

import pytest
import torch
from torch import nn

from asrllm.training import CheckpointManager, Trainer
from asrllm.training.hotswap import CKAMonitor
from asrllm.training.stage_config import CKAConfig
from asrllm.utils.atomic import NotWritableError
from tests.training.toy import ToyData, ToyModel, ToySampler, config, make_loader


@pytest.fixture
def read_only_dir(tmp_path):
    """An existing checkpoint folder this process cannot write to, even as root (a read-only tmpfs
    mount): creating it succeeds, only a write fails."""
    d = tmp_path / "checkpoints"
    d.mkdir()
    if os.geteuid() != 0:
        d.chmod(0o555)
        yield d
        d.chmod(0o755)
        return
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro", "tmpfs", str(d)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"running as root and cannot mount a read-only tmpfs: {r.stderr.strip()}")
    yield d
    subprocess.run(["umount", str(d)], check=True)


def test_unwritable_checkpoint_folder_fails_before_the_first_step(read_only_dir):
    data = ToyData()
    with pytest.raises(NotWritableError, match="is not writable"):
        Trainer(ToyModel(), config(max_steps=4, save_every=2), read_only_dir.parent, ToySampler(len(data), 4),
                make_loader(data))


def test_no_loadable_checkpoint_says_so_and_starts_from_step_0(tmp_path, caplog):
    mgr = CheckpointManager(tmp_path / "checkpoints")
    for step in (2, 4):
        mgr.path(step).write_bytes(b"not a checkpoint")
    data = ToyData()
    tr = Trainer(ToyModel(), config(max_steps=2), tmp_path, ToySampler(len(data), 4), make_loader(data))
    with caplog.at_level(logging.WARNING):
        tr.fit()
    assert "no loadable checkpoint" in caplog.text and "starting from step 0" in caplog.text
    assert tr.step == 2


class Enc(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Linear(3, 3)


class Trainerish:
    def __init__(self):
        self.module = Enc()

    def log_scalars(self, *a, **k):
        pass

    def request_checkpoint(self):
        pass


def _cka_rows(out):
    return [int(line.split("\t")[0]) for line in (out / "cka.tsv").read_text().splitlines()[1:]]


def test_cka_log_keeps_only_the_history_before_a_resumed_step(tmp_path, monkeypatch):
    import asrllm.training.hotswap as hotswap

    monkeypatch.setattr(hotswap, "encoder_outputs", lambda module, batches: [torch.randn(8, 3)])
    cfg = CKAConfig(start_step=1, interval=1, threshold=-1.0, max_utts=1)
    hook = CKAMonitor(cfg, tmp_path, [], is_main=True)
    trainer = Trainerish()
    for step in range(1, 7):
        hook(trainer, step)
    assert _cka_rows(tmp_path) == [2, 3, 4, 5, 6]
    # a run killed after step 6 that resumes from a checkpoint at step 4 repeats steps 5 and 6
    resumed = CKAMonitor(cfg, tmp_path, [], is_main=True)
    resumed.load_state_dict(hook.state_dict())
    for step in (5, 6):
        resumed(trainer, step)
    assert _cka_rows(tmp_path) == [2, 3, 4, 5, 6]
    # a restart from scratch keeps none of the old rows, and its swaps.json starts empty
    fresh = CKAMonitor(cfg, tmp_path, [], is_main=True)
    fresh(trainer, 1)
    assert not (tmp_path / "cka.tsv").exists()
    assert '"triggers": []' in (tmp_path / "swaps.json").read_text()
