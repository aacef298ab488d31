"""CKA-triggered snapshots and IA-SFT hot-swaps (asrllm.training.hotswap), without a full trainer."""

import json

import torch
from torch import nn

from asrllm.training.hotswap import EncoderSwap, save_snapshot
from asrllm.training.swaps import first_snapshot, swap_queue
from asrllm.training.stage_config import SwapConfig


class Toy(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Linear(3, 3)
        self.adapter = nn.Linear(3, 2)


class FakeTrainer:
    """What the hooks use of asrllm.training.trainer.Trainer."""

    def __init__(self, module):
        self.model = self.module = module
        self.logged, self.saves = [], 0

    def log_scalars(self, prefix, values, step=None):
        self.logged.append((prefix, values, step))

    def request_checkpoint(self):
        self.saves += 1


def snapshot(tmp_path, name, value):
    m = Toy()
    with torch.no_grad():
        m.encoder.weight.fill_(value)
    save_snapshot(m, tmp_path / name)
    return str(tmp_path / name)


def write_swaps(path, triggers, final=None):
    path.write_text(json.dumps({"triggers": [{"step": i, "snapshot": s} for i, s in triggers],
                                "final": {"snapshot": final} if final else None}))


def test_queue_and_first_snapshot(tmp_path):
    a, b, f = (snapshot(tmp_path, n, v) for n, v in [("a.pt", 1.0), ("b.pt", 2.0), ("f.pt", 3.0)])
    write_swaps(tmp_path / "swaps.json", [(10, a), (20, b)], final=f)
    swaps = json.loads((tmp_path / "swaps.json").read_text())
    assert swap_queue(swaps) == [b, f]
    assert first_snapshot(tmp_path / "swaps.json") == a


def test_sequential_swaps_give_the_final_encoder_half_and_resume_reloads(tmp_path):
    a, b, f = (snapshot(tmp_path, n, v) for n, v in [("a.pt", 1.0), ("b.pt", 2.0), ("f.pt", 3.0)])
    write_swaps(tmp_path / "swaps.json", [(10, a), (20, b)], final=f)
    model = Toy()
    hook = EncoderSwap(SwapConfig(), tmp_path / "swaps.json", tmp_path / "iasft", max_steps=9, is_main=True)
    assert hook.schedule == {2: b, 4: f}  # the final encoder trains steps 5-9 (the paper's 1M / 1M / 2M)
    trainer = FakeTrainer(model)
    hook.bind(trainer)
    adapter_before = model.adapter.weight.clone()
    for step in range(1, 10):
        hook(trainer, step)
        if step == 2:
            assert torch.all(model.encoder.weight == 2.0)
    assert torch.all(model.encoder.weight == 3.0)
    assert torch.equal(model.adapter.weight, adapter_before)  # only the encoder is swapped
    assert [a_["step"] for a_ in hook.applied] == [2, 4] and trainer.saves == 2
    # a resumed run (fresh model, hook state from the checkpoint) gets the last swapped encoder back
    fresh = Toy()
    resumed = EncoderSwap(SwapConfig(), tmp_path / "swaps.json", tmp_path / "iasft", max_steps=9, is_main=True)
    resumed.bind(FakeTrainer(fresh))
    resumed.load_state_dict(hook.state_dict())
    assert torch.all(fresh.encoder.weight == 3.0)


def test_concurrent_mode_picks_up_a_snapshot_that_appears_mid_run(tmp_path):
    a = snapshot(tmp_path, "a.pt", 1.0)
    swaps = tmp_path / "swaps.json"
    write_swaps(swaps, [(10, a)])
    model = Toy()
    trainer = FakeTrainer(model)
    hook = EncoderSwap(SwapConfig(mode="concurrent"), swaps, tmp_path / "iasft", max_steps=100, is_main=True)
    hook.bind(trainer)
    for step in range(1, 5):
        hook(trainer, step)
    assert hook.applied == []  # the first trigger initialised alignment; nothing newer yet
    b = snapshot(tmp_path, "b.pt", 2.0)
    write_swaps(swaps, [(10, a), (20, b)])  # pre-training writes a new trigger
    hook(trainer, 5)
    assert torch.all(model.encoder.weight == 2.0)
    assert hook.applied == [{"step": 5, "snapshot": b}]
    recorded = json.loads((tmp_path / "iasft/swaps_applied.json").read_text())
    assert recorded["applied"] == hook.applied


def test_concurrent_mode_waits_for_the_final_encoder_then_swaps_it(tmp_path):
    import threading

    a = snapshot(tmp_path, "a.pt", 1.0)
    swaps = tmp_path / "swaps.json"
    write_swaps(swaps, [(10, a)])
    model = Toy()
    trainer = FakeTrainer(model)
    trainer.step = 8
    cfg = SwapConfig(mode="concurrent", final_steps=2, wait_timeout_s=60)
    hook = EncoderSwap(cfg, swaps, tmp_path / "iasft", max_steps=10, is_main=True)
    hook.bind(trainer)
    b, f = snapshot(tmp_path, "b.pt", 2.0), snapshot(tmp_path, "f.pt", 3.0)
    writer = threading.Timer(0.5, lambda: write_swaps(swaps, [(10, a), (20, b)], final=f))
    writer.start()
    hook(trainer, 8)  # blocks until pre-training records its final encoder
    writer.join()
    assert hook.applied == [{"step": 8, "snapshot": f}]  # the newest, not the older trigger b
    assert torch.all(model.encoder.weight == 3.0)


def test_default_swap_steps():
    from asrllm.training.hotswap import default_swap_steps, final_steps

    assert default_swap_steps(2, 4_000_000, True) == [1_000_000, 2_000_000]  # the paper's 1M / 1M / 2M
    assert default_swap_steps(1, 100, True) == [50]
    assert default_swap_steps(3, 100, False) == [25, 50, 75]  # no final encoder: evenly
    assert final_steps(SwapConfig(mode="concurrent"), 100) == 50
    assert final_steps(SwapConfig(mode="concurrent", final_steps=3), 100) == 3
