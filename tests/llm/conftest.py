"""A real (tiny) HF tokenizer and Qwen3, built offline once per session."""

import pytest

from asrllm.llm.tiny import build_tiny_qwen3, build_tiny_tokenizer

CORPUS = [
    "You are a Multilingual Speech Recognition Model.",
    "Transcribe the speech into text",
    "HELLO WORLD THE SPEECH IS HERE AND THERE",
    "hello world the quick brown fox jumps over the lazy dog",
    "我们一起去旅游 你好世界 今天天气很好",
    "我想买IPHONE手机 OK",
]


@pytest.fixture(scope="session")
def tiny_llm_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny_llm")
    tok = build_tiny_tokenizer(CORPUS * 20, root / "tokenizer", vocab_size=400)
    return build_tiny_qwen3(tok, root / "llm", hidden=32, layers=1, heads=2, kv_heads=1)


@pytest.fixture
def tokenizer(tiny_llm_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_llm_dir, local_files_only=True)
