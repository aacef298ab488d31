"""Warm-up + cosine learning-rate schedule."""

import math

import pytest
import torch

from asrllm.training import WarmupCosine, warmup_cosine


def test_warmup_then_cosine_to_floor():
    f = WarmupCosine(warmup_steps=4, max_steps=14, min_lr_ratio=0.1)
    assert [f(s) for s in range(4)] == [0.25, 0.5, 0.75, 1.0]
    assert f(4) == 1.0
    assert f(9) == pytest.approx(0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * 0.5)))
    assert f(14) == pytest.approx(0.1) and f(100) == pytest.approx(0.1)
    assert all(f(s) >= f(s + 1) for s in range(4, 20))


def test_scheduler_state_round_trips():
    def make():
        opt = torch.optim.AdamW([torch.nn.Parameter(torch.zeros(2))], lr=1.0)
        return opt, warmup_cosine(opt, 3, 10, 0.0)

    opt, sched = make()
    for _ in range(5):
        opt.step()
        sched.step()
    opt2, sched2 = make()
    sched2.load_state_dict(sched.state_dict())
    opt2.load_state_dict(opt.state_dict())
    for a, b in ((opt, sched), (opt2, sched2)):
        a.step()
        b.step()
    assert opt.param_groups[0]["lr"] == opt2.param_groups[0]["lr"] == pytest.approx(WarmupCosine(3, 10)(6))


def test_bad_arguments():
    with pytest.raises(ValueError):
        WarmupCosine(-1, 10)
    with pytest.raises(ValueError):
        WarmupCosine(0, 10, min_lr_ratio=1.5)
