"""Two gloo ranks (torchrun, CPU) on the same global batch match one process: loss and weights."""

import json
import os
import signal
import subprocess
import sys

import pytest
import torch

from asrllm.training import Trainer, read_model_state
from tests.training.toy import ToyData, ToyModel, ToySampler, config, make_loader, trainable_weights

STEPS = 4
PER_RANK = 4


def _single_process(out, batch_size, accum_grad):
    data = ToyData()
    losses = []
    trainer = Trainer(ToyModel(norm=False), config(max_steps=STEPS, accum_grad=accum_grad, trainable=["body"]),
                      out, ToySampler(len(data), batch_size), make_loader(data),
                      hooks=[lambda tr, step: losses.append(tr.last_update["loss"])])
    trainer.fit()
    return losses, trainable_weights(trainer.module)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    return _single_process(tmp_path_factory.mktemp("one"), 2 * PER_RANK, 1)


def test_halves_of_a_global_batch_hold_different_token_counts():
    """Else averaging per-rank means would pass the tests below by accident."""
    data, sampler = ToyData(), ToySampler(len(ToyData()), 2 * PER_RANK)
    batch = next(iter(sampler))
    halves = [data.mask[batch[:PER_RANK]].sum(), data.mask[batch[PER_RANK:]].sum()]
    assert halves[0] != halves[1]


def test_accumulation_matches_one_big_batch(tmp_path, reference):
    losses, weights = _single_process(tmp_path, PER_RANK, 2)
    ref_losses, ref_weights = reference
    assert losses == pytest.approx(ref_losses, rel=1e-6)
    for k, v in ref_weights.items():
        torch.testing.assert_close(weights[k], v, rtol=1e-5, atol=1e-6)


@pytest.mark.slow  # a few seconds to a minute: make test only, not make check
def test_two_ranks_match_one_process(tmp_path, reference, tool_env, repo):
    """DDP and FSDP (FSDP2 on gloo), each with 2 micro-batches of PER_RANK / 2 per rank and update,
    stopped after 2 updates and resumed by a new Trainer (checkpoint round trip under each)."""
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
           "-m", "tests.training.run_toy", str(tmp_path), "--max-steps", str(STEPS), "--stop-at", "2",
           "--batch-size", str(PER_RANK // 2), "--accum-grad", "2", "--parallel", "ddp", "fsdp"]
    proc = subprocess.Popen(cmd, cwd=repo, env={**tool_env, "OMP_NUM_THREADS": "1"}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        _, stderr = proc.communicate(timeout=240)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # torchrun and both ranks (a hung collective)
        _, stderr = proc.communicate()
        pytest.fail(f"torchrun did not finish in 240 s: {stderr[-4000:]}")
    assert proc.returncode == 0, stderr[-4000:]
    ref_losses, ref_weights = reference
    for parallel in ("ddp", "fsdp"):
        losses = json.loads((tmp_path / parallel / "losses.json").read_text())
        assert losses == pytest.approx(ref_losses, rel=1e-5), parallel
        weights = read_model_state(tmp_path / parallel / "checkpoints" / f"ckpt_{STEPS}.pt")
        assert sorted(weights) == sorted(ref_weights)
        for k, v in ref_weights.items():
            torch.testing.assert_close(weights[k], v, rtol=1e-5, atol=1e-6, msg=f"{parallel} {k}")
