import shutil

import pytest

from asrllm.llm.loading import LLMNotFoundError, load_llm, load_llm_config, load_tokenizer


def test_local_folder_loads(tiny_llm_dir):
    tok = load_tokenizer(str(tiny_llm_dir))
    cfg = load_llm_config(str(tiny_llm_dir))
    assert cfg.model_type == "qwen3" and cfg.vocab_size == len(tok)
    assert load_llm(str(tiny_llm_dir)).config.hidden_size == 32


def test_missing_folder_names_path_and_remedy(tmp_path):
    missing = tmp_path / "models" / "Qwen3-1.7B"
    with pytest.raises(LLMNotFoundError) as e:
        load_tokenizer(str(missing))
    msg = str(e.value)
    assert str(missing) in msg and "does not exist" in msg
    assert "--local-dir" in msg and "--allow-download" in msg


def test_hub_id_not_in_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf" / "hub"))
    with pytest.raises(LLMNotFoundError) as e:
        load_llm_config("no-such-org/no-such-model")
    msg = str(e.value)
    assert "'no-such-org/no-such-model'" in msg and "downloads are off" in msg and "--allow-download" in msg


def test_incomplete_folders(tiny_llm_dir, tmp_path):
    only_config = tmp_path / "only_config"
    only_config.mkdir()
    shutil.copy(tiny_llm_dir / "config.json", only_config)
    with pytest.raises(LLMNotFoundError, match="has no tokenizer files"):
        load_tokenizer(str(only_config))
    with pytest.raises(LLMNotFoundError, match="has no weights"):
        load_llm(str(only_config))
    no_config = tmp_path / "no_config"
    shutil.copytree(tiny_llm_dir, no_config)
    (no_config / "config.json").unlink()
    with pytest.raises(LLMNotFoundError, match="has no config.json"):
        load_llm_config(str(no_config))
