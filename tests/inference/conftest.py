"""A packed toy model (random weights, real tiny Qwen3), built once per session."""

import pytest
import torch

from asrllm.data.config import DataConfig
from asrllm.decode.config import DecodeConfig
from asrllm.testing.toy_model import build_toy_model, write_cmvn, write_toy_data_dir
from asrllm.inference.pack import pack_model

DECODE = DecodeConfig(max_new_tokens_factor=1.0, max_new_tokens_constant=3)


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def audio_dir(tmp_path_factory):
    return write_toy_data_dir(tmp_path_factory.mktemp("audio") / "test", [1.2, 2.0, 0.9])


@pytest.fixture(scope="session")
def packed(tmp_path_factory, audio_dir):
    root = tmp_path_factory.mktemp("pack")
    model = build_toy_model(root / "src")
    cmvn = write_cmvn(audio_dir, root / "cmvn.json")
    results = root / "RESULTS.md"
    results.write_text("<!-- generated -->\n# RESULTS: toy\n## Scores\n|test|3|10|90.00|\n")
    return pack_model(model, root / "packed", DataConfig(), cmvn, DECODE, results), model, cmvn
