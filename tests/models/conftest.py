"""Toy-sized model fixtures: a real tiny tokenizer + Qwen3 saved to a folder, a phone unit list."""

import pytest

TEXTS = ["HELLO WORLD", "PLEASE MOVE THE RED BALL", "你好世界", "请把红色的球放在左边", "GOOD MORNING"] * 20


@pytest.fixture(scope="session")
def tiny_llm_dir(tmp_path_factory):
    from asrllm.llm.tiny import build_tiny_qwen3, build_tiny_tokenizer

    d = tmp_path_factory.mktemp("tiny_llm")
    tok = build_tiny_tokenizer(TEXTS, d, vocab_size=300)
    build_tiny_qwen3(tok, d, hidden=32, layers=2, heads=4, kv_heads=2)
    return d


@pytest.fixture(scope="session")
def phone_units(tmp_path_factory):
    from asrllm.lang.units import write_units

    path = tmp_path_factory.mktemp("lang") / "units.txt"
    write_units(path, [f"p{i}" for i in range(20)])
    return path


@pytest.fixture
def model_cfg(tiny_llm_dir, phone_units):
    return {
        "encoder": {"type": "conformer", "input_size": 80, "subsampling": {"type": "light", "channels": 8},
                    "conf": {"output_size": 16, "attention_heads": 2, "linear_units": 32, "num_blocks": 1,
                             "dropout_rate": 0.0, "positional_dropout_rate": 0.0, "attention_dropout_rate": 0.0}},
        "ctc_heads": {"phone": {"units": str(phone_units), "hidden": 16, "layers": 3, "dropout": 0.0}},
        "adapter": {"stack": 4, "hidden": 32},
        "llm": {"path": str(tiny_llm_dir)},
    }


@pytest.fixture
def toy_batch():
    return make_toy_batch


def make_toy_batch(b=2, t=120, seed=0):
    import torch

    g = torch.Generator().manual_seed(seed)
    feats = torch.randn(b, t, 80, generator=g)
    lens = torch.tensor([t - 10 * i for i in range(b)])
    ids = torch.randint(2, 22, (b, 5), generator=g)
    return {"feats": feats, "feat_lens": lens, "text": ["HELLO WORLD", "你好世界"][:b] * (b // 2 or 1),
            "phone_ids": ids, "phone_lens": torch.tensor([5, 3][:b] * (b // 2 or 1))}
