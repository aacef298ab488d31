"""Fixtures of the synth tests: a tiny tokenizer + Qwen3 text LM on given sentences."""

import pytest
import torch

from asrllm.llm.tiny import build_tiny_tokenizer
from asrllm.synth.text_lm import build_model

TINY_MODEL = {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
              "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 8}


@pytest.fixture(scope="module")
def make_tiny_lm(tmp_path_factory):
    """make_tiny_lm(sentences) -> (tokenizer, freshly initialised model), seeded."""
    def make(sentences: list[str]):
        tok = build_tiny_tokenizer(sentences * 3, tmp_path_factory.mktemp("tok"), vocab_size=300)
        torch.manual_seed(0)
        return tok, build_model(TINY_MODEL, tok)
    return make
