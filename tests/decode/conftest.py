"""A random toy SpeechLLM (real tiny Qwen3 + tokenizer), a raw-audio data dir and its CMVN, built once."""

import pytest
import torch

from asrllm.testing.toy_model import build_toy_model, write_cmvn, write_toy_data_dir

DURATIONS = [1.0, 2.6, 1.7, 3.3, 0.8, 2.1, 1.2]


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def toy_model_dir(tmp_path_factory):
    return build_toy_model(tmp_path_factory.mktemp("toy_model"))


@pytest.fixture(scope="session")
def toy_data(tmp_path_factory):
    d = write_toy_data_dir(tmp_path_factory.mktemp("toy_data") / "test", DURATIONS)
    return d, write_cmvn(d, d.parent / "cmvn.json")


@pytest.fixture(scope="session")
def toy_model(toy_model_dir):
    from asrllm.models.build import from_pretrained

    model, _ = from_pretrained(toy_model_dir)
    return model.eval()


@pytest.fixture(scope="session")
def toy_feats(toy_data):
    """[(feats [T, 80], uttid)] of the toy data dir, normalised as the decoder reads them."""
    from asrllm.data.config import DataConfig
    from asrllm.loading.dataset import SpeechDataset

    d, cmvn = toy_data
    ds = SpeechDataset(str(d), DataConfig(), "eval", cmvn, tables=())
    return [(ds[i]["feats"], ds[i]["uttid"]) for i in range(len(ds))]
