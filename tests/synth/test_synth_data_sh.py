"""local/data.sh --smoke true end to end: valid data dirs, cached re-run, a loadable text LLM."""

import json
import os
import subprocess
from pathlib import Path

import pytest
import soundfile as sf

from asrllm.kaldi.table import read_table, read_table_dict

pytestmark = pytest.mark.slow  # synthesises a small corpus and trains a toy LM: make test only

SETS = ["train", "dev", "test_en", "test_zh", "test_en_unseen", "test_zh_unseen"]


def make_recipe_dir(repo: Path, where: Path) -> Path:
    """A throw-away recipe folder: the mini recipe's scripts by symlink, outputs local to it."""
    recipe = where / "asr_llm"
    recipe.mkdir()
    for name in ("local", "conf", "utils", "path.sh"):
        (recipe / name).symlink_to(repo / "egs/mini/asr_llm" / name)
    return recipe


def run_data_sh(recipe: Path, tool_env: dict) -> str:
    proc = subprocess.run(["local/data.sh", "--smoke", "true", "--datadir", "data_smoke", "--cache_dir", "cache"],
                          cwd=recipe, env=tool_env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stderr


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory, tool_env_module):
    repo = Path(__file__).resolve().parents[2]
    recipe = make_recipe_dir(repo, tmp_path_factory.mktemp("recipe"))
    first = run_data_sh(recipe, tool_env_module)
    return recipe, first


@pytest.fixture(scope="module")
def tool_env_module():
    repo = Path(__file__).resolve().parents[2]
    env = dict(os.environ)
    env["PATH"] = f"{repo / 'tools/venv/bin'}:{repo / 'utils'}:{env['PATH']}"
    env["PYTHONPATH"] = str(repo)
    env["HF_HUB_OFFLINE"] = "1"
    env["LC_ALL"] = "C.UTF-8"
    return env


def test_data_dirs_are_valid_sorted_and_point_at_16k_audio(smoke_run, tool_env_module):
    recipe, _ = smoke_run
    data = recipe / "data_smoke"
    sizes = {}
    for name in SETS:
        d = data / name
        proc = subprocess.run(["utils/validate_data_dir.sh", "--no-feats", str(d)], cwd=recipe, env=tool_env_module,
                              capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        wavs = {k: v for k, v, _ in read_table(d / "wav.scp", check_sorted=True)}
        utt2spk = read_table_dict(d / "utt2spk")
        sizes[name] = len(wavs)
        for utt, path in wavs.items():
            assert utt.startswith(utt2spk[utt] + "-")
            assert Path(path).is_absolute() and Path(path).is_relative_to(recipe / "cache")
        info = sf.info(next(iter(wavs.values())))
        assert (info.samplerate, info.channels, info.subtype) == (16000, 1, "PCM_16")
    assert sizes == {"train": 60, "dev": 10, "test_en": 8, "test_zh": 8, "test_en_unseen": 8, "test_zh_unseen": 8}
    texts = {name: set(read_table_dict(data / name / "text").values()) for name in SETS}
    for i, a in enumerate(SETS):
        for b in SETS[i + 1:]:
            assert not texts[a] & texts[b], (a, b)
    lm_text = set((data / "local/lm_text/train.txt").read_text(encoding="utf-8").splitlines())
    assert texts["train"] <= lm_text and not lm_text & set().union(*(texts[s] for s in SETS[1:]))


def test_noise_corpus_has_babble_of_training_talkers_and_synthesized_kinds(smoke_run):
    recipe, _ = smoke_run
    noise = recipe / "data_smoke/noise"
    settings = json.loads((noise / "nonspeech.json").read_text())
    assert settings["train_dir"].endswith("data_smoke/train") and settings["seed"] != 0  # not the stage-11 set
    kinds = read_table_dict(noise / "utt2spk")
    assert sorted(set(kinds.values())) == ["babble", "brown", "chord", "pink", "tone", "white"]
    for utt, path in read_table_dict(noise / "wav.scp").items():
        x, sr = sf.read(path)
        assert sr == 16000 and 2.0 <= len(x) / sr <= 8.0 and x.any(), utt


def test_text_llm_loads_offline_and_learned(smoke_run):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from asrllm.llm.prompt import PromptBuilder, PromptTemplate

    recipe, _ = smoke_run
    llm = recipe / "data_smoke/text_lm"
    tok = AutoTokenizer.from_pretrained(llm, local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(llm, local_files_only=True)
    assert model.config.model_type == "qwen3" and model.config.hidden_size == 32
    assert model.config.vocab_size == len(tok)
    for marker in ("<|im_start|>", "<|im_end|>", "<|endoftext|>"):
        assert len(tok(marker, add_special_tokens=False)["input_ids"]) == 1
    metrics = json.loads((llm / "metrics.json").read_text())
    assert metrics["last_train_loss"] < metrics["first_train_loss"] - 0.3
    assert 1.0 < metrics["dev"]["perplexity"] < len(tok) and metrics["dev"]["sentences"] == 10
    # the recipe's own prompt code drives it like any Qwen3
    builder = PromptBuilder(tok, PromptTemplate())
    batch = builder.build([3], None)
    out = model.generate(input_ids=batch.input_ids, attention_mask=batch.attention_mask, max_new_tokens=5,
                         do_sample=False)
    assert out.shape[1] > batch.input_ids.shape[1]


def test_rerun_is_cached(smoke_run, tool_env_module):
    recipe, first = smoke_run
    assert "0 cached, synthesising 102" in first
    model_file = recipe / "data_smoke/text_lm/model.safetensors"
    before = model_file.stat().st_mtime_ns
    wav_scp = (recipe / "data_smoke/train/wav.scp").read_text()
    second = run_data_sh(recipe, tool_env_module)
    assert "102 cached, synthesising 0" in second
    assert "is up to date" in second and model_file.stat().st_mtime_ns == before
    assert (recipe / "data_smoke/train/wav.scp").read_text() == wav_scp


def test_script_still_builds_the_shipped_lms_layout_and_architecture_at_smoke_size(smoke_run, repo):
    """local/train_llm.sh at smoke size vs the shipped demo folder (pretrained/text_lm): the same files,
    and config.json the same except for what conf/text_lm_smoke.yaml sizes differently."""
    from asrllm.synth.text_lm_build import load_text_lm_config

    recipe, _ = smoke_run
    smoke, shipped = recipe / "data_smoke/text_lm", repo / "egs/mini/asr_llm/pretrained/text_lm"
    files = [sorted(p.relative_to(d) for p in d.rglob("*") if p.is_file()) for d in (smoke, shipped)]
    assert files[0] == files[1]
    conf = repo / "egs/mini/asr_llm/conf"
    resized = set(load_text_lm_config(conf / "text_lm_smoke.yaml")["model"]) | {"vocab_size", "layer_types"}
    configs = [json.loads((d / "config.json").read_text()) for d in (smoke, shipped)]
    assert set(configs[0]["layer_types"]) == set(configs[1]["layer_types"])  # one per layer
    assert {k: v for k, v in configs[0].items() if k not in resized} == \
        {k: v for k, v in configs[1].items() if k not in resized}
    assert json.loads((shipped / "text_lm_config.json").read_text())["config"] == \
        load_text_lm_config(conf / "text_lm.yaml")
    adapters = [json.loads((d / "speech_adapter/config.json").read_text()) for d in (smoke, shipped)]
    assert {k for k in adapters[0]} == {k for k in adapters[1]}
