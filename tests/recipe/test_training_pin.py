"""A pin on the training path: a seeded toy SpeechLLM (build_toy_model -> from_pretrained) and three
trainer updates of the joint objective (LLM CE + auxiliary phone CTC) on one fixed batch, one thread.
The weights' hash and the losses are recorded in pins/train_path.json: a refactor that changes what is
built or trained (construction order, initialisation, objective, optimizer step) changes them.

Bit-identical only on the CPU kind and torch it was recorded with (float rounding follows the vector
units); elsewhere the losses must agree to 1e-4. Re-record deliberately: ASRLLM_REPIN=1 pytest this file.
"""

import hashlib
import json
import os
from pathlib import Path

import pytest
import torch

from asrllm.models.build import from_pretrained
from asrllm.models.objective import Objective
from asrllm.testing.toy_model import build_toy_model
from asrllm.training.config import TrainerConfig
from asrllm.training.freeze import train_mode
from asrllm.training.trainer import Trainer

PIN = Path(__file__).parent / "pins" / "train_path.json"


def weights_sha256(model) -> str:
    h = hashlib.sha256()
    for name, p in sorted(model.state_dict().items()):
        h.update(name.encode())
        h.update(p.detach().contiguous().view(-1).view(torch.uint8).numpy().tobytes())
    return h.hexdigest()


def test_the_training_path_is_pinned(tmp_path, monkeypatch):
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        torch.manual_seed(0)
        folder = build_toy_model(tmp_path, seed=0)
        model, _ = from_pretrained(folder)
        model = type(model)(model.encoder, dict(model.ctc_heads), model.adapter, model.llm, model.prompt,
                            objective=Objective("llm", "phone", ctc_weight=0.3))
        trainer = Trainer(model, TrainerConfig(max_steps=3, trainable=["*"], lr=1e-3, amp="none", device="cpu",
                                               progress_bar=False, seed=0), tmp_path / "out")
        g = torch.Generator().manual_seed(1)
        batch = {"feats": torch.randn(2, 120, 80, generator=g), "feat_lens": torch.tensor([120, 100]),
                 "text": ["HELLO WORLD", "你好世界"], "phone_ids": torch.randint(2, 20, (2, 5), generator=g),
                 "phone_lens": torch.tensor([5, 3])}
        trainer.model.train()
        train_mode(trainer.module)
        losses = []
        for _ in range(3):
            sums, total, _ = trainer.update([batch])
            losses.append(sums["loss"] / total)
        got = {"cpu_capability": torch.backends.cpu.get_cpu_capability(), "torch": torch.__version__,
               "weights_sha256": weights_sha256(trainer.module), "losses": losses}
    finally:
        torch.set_num_threads(threads)
    if os.environ.get("ASRLLM_REPIN") == "1":
        PIN.write_text(json.dumps(got, indent=1) + "\n")
    want = json.loads(PIN.read_text())
    assert got["losses"] == pytest.approx(want["losses"], rel=1e-4)
    assert losses[-1] < losses[0]  # it trains
    if (got["cpu_capability"], got["torch"]) == (want["cpu_capability"], want["torch"]):
        assert got["weights_sha256"] == want["weights_sha256"] and got["losses"] == want["losses"]
