"""Each corpus recipe runs stages 1-6 on its fixture tree (corpus root from the environment, as db.sh
allows), in a fresh copy of the recipe folder; the data dirs validate and hold what the rules say."""

import json
import os
import subprocess
import sys

import pytest

from asrllm.config import load_config
from asrllm.data.config import load_data_config
from asrllm.kaldi.table import read_table_dict
from asrllm.kaldi.validate import Options, validate_data_dir
from asrllm.training.stage_config import StageConfig, stage_config_data
from tests.corpora.conftest import REPO, recipe_copy, run_recipe

pytestmark = pytest.mark.slow
RECIPES = {  # corpus: (root variable in db.sh, training set, evaluation sets)
    "aishell": ("AISHELL", "train", ["dev", "test"]),
    "librispeech": ("LIBRISPEECH", "train_960", ["dev", "dev_clean", "dev_other", "test_clean", "test_other"]),
    "wenetspeech": ("WENETSPEECH", "train_l", ["dev", "test_net", "test_meeting"]),
    "gigaspeech": ("GIGASPEECH", "train_xl", ["dev", "test"]),
}
EXPECTED_TEXT = {  # one training utterance per corpus: the target text the LLM learns to emit
    "aishell": ("BAC009S0003W0121", "自六月底呼和浩特市率先宣布取消限购后"),
    "librispeech": ("100-121669-0000", "TOM THE PIPER'S SON"),
    "wenetspeech": ("Y0000000000_--5llN02F84_S00001", "挺好的 谢谢"),
    "gigaspeech": ("POD0000000001_S0000000", "AS THEY'RE LEAVING, CAN KASH PULL ZAHRA ASIDE REALLY QUICKLY?"),
}
COUNTS = {  # utterances per data dir, by the rules (see tests/corpora/fixtures.py)
    "aishell": {"train": 4, "dev": 2, "test": 2},
    "librispeech": {"train_960": 5, "dev": 3, "dev_clean": 2, "dev_other": 1, "test_clean": 2, "test_other": 1},
    "wenetspeech": {"train_l": 5, "dev": 2, "test_net": 2, "test_meeting": 2},
    "gigaspeech": {"train_xl": 4, "dev": 2, "test": 2},
}


@pytest.mark.parametrize("name", list(RECIPES))
def test_stages_1_to_6_on_the_fixture(name, corpus, tiny_llm, tmp_path):
    var, train, evals = RECIPES[name]
    root, _ = corpus(name)
    recipe = recipe_copy(name, tmp_path)
    env = {**os.environ, var: str(root)}
    run_recipe(recipe, env, "--stop_stage", "6", "--llm", str(tiny_llm), "--nj", "1")
    for n, stage in enumerate(["data_prep", "speed_perturb", "format_audio", "filter", "features", "labels"], 1):
        if name in ("wenetspeech", "gigaspeech") and n == 2:
            continue  # opus: speed perturbation is online (conf/data.yaml), stage 2 has nothing to do
        assert (recipe / f"dump/.stages/stage{n}.{stage}.done").is_file(), stage
    for d, count in COUNTS[name].items():
        assert validate_data_dir(str(recipe / "data" / d), Options(require_feats=False)).ok, d
        assert len(read_table_dict(recipe / "data" / d / "text")) == count, d
    utt, text = EXPECTED_TEXT[name]
    assert read_table_dict(recipe / "data" / train / "text")[utt] == text
    train_dump = train if name in ("wenetspeech", "gigaspeech") else f"{train}_sp"
    filtered = recipe / "dump/filtered" / train_dump
    n_train = COUNTS[name][train] * (1 if train_dump == train else 3)   # x3: speed perturbation 0.9/1.0/1.1
    assert len(read_table_dict(filtered / "text")) == n_train
    phones = read_table_dict(filtered / "text.phone")
    assert len(phones) == n_train and all(p.split() for p in phones.values())
    for d in evals:
        assert (recipe / "dump/filtered" / d / "text.char").is_file()
    assert json.loads((recipe / "data/llm_check.json").read_text())
    if name in ("wenetspeech", "gigaspeech"):   # long opus recordings: referenced in place, one entry each
        wavs = read_table_dict(recipe / "dump/raw" / train / "wav.scp")
        assert all(w.endswith(".opus") for w in wavs.values())
        assert (recipe / "dump/raw" / train / "segments").is_file()


@pytest.mark.parametrize("name", list(RECIPES))
def test_configs_resolve(name):
    conf = REPO / "egs" / name / "asr_llm" / "conf"
    lrs = {"pretrain_phone": 5e-4, "pretrain_aed": 5e-4, "pretrain_char": 5e-4, "align": 1e-3, "align_long": 1e-3,
           "iasft": 1e-5, "joint": 1e-5}                        # the paper's stage learning rates
    def stage_config(scale: str, stage: str) -> StageConfig:  # as asrllm.bin.train merges them
        path = conf / "train" / f"{stage}.yaml"
        return StageConfig.from_dict(stage_config_data(str(path), str(conf / "model" / f"{scale}.yaml"),
                                                       str(REPO / "conf" / "scale" / f"{scale}.yaml")), str(path))

    for stage in ["pretrain_phone", "pretrain_aed", "pretrain_char", "align", "align_long", "iasft", "joint",
                  "joint_single"]:
        paper, single = stage_config("paper", stage), stage_config("single_gpu", stage)
        assert paper.train.warmup_steps < paper.train.max_steps == single.train.max_steps
        if stage in lrs:
            assert paper.train.lr == lrs[stage]
            # LoRA's learning rate on the LLM side at single_gpu scale; every other stage as at paper scale
            assert single.train.lr == (1e-4 if stage in ("iasft", "joint") else lrs[stage])
        assert (paper.train.amp, paper.train.parallel, single.train.amp, single.train.accum_grad) == \
            ("bf16", "fsdp", "bf16", 4)
        if paper.cka is not None:
            assert paper.cka.start_step < paper.train.max_steps
    # conventional's AED pre-training: the phone run's steps, characters (stage 6 prepares them: run.sh)
    for scale in ("paper", "single_gpu"):
        aed, phone = (stage_config(scale, s) for s in ("pretrain_aed", "pretrain_phone"))
        assert aed.objective == "aed" and aed.train.max_steps == phone.train.max_steps and aed.ctc_head == "char"
    assert "char" in (REPO / "egs" / name / "asr_llm" / "run.sh").read_text().split('token_types="')[1].split('"')[0]
    paper = load_config(conf / "model" / "paper.yaml")["model"]
    assert paper["encoder"]["conf"]["output_size"] == 1280 and paper["llm"]["lora"] is None
    assert load_config(conf / "model" / "single_gpu.yaml")["model"]["llm"]["lora"]["r"] > 0
    data = load_data_config(conf / "data.yaml")
    assert data.speed_perturb.online == (name in ("wenetspeech", "gigaspeech"))


def test_prepare_corpus_cli_errors_are_one_line(tmp_path, tool_env):
    r = subprocess.run([sys.executable, "-m", "asrllm.bin.prepare_corpus", "aishell", "--root", str(tmp_path)],
                       env=tool_env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and f"{tmp_path}: no AISHELL-1 release here" in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("name", ["wenetspeech", "gigaspeech"])
def test_data_sh_without_a_corpus_root(name, tmp_path):
    recipe = recipe_copy(name, tmp_path)
    env = {k: v for k, v in os.environ.items() if k != name.upper()}
    r = subprocess.run(["local/data.sh"], cwd=recipe, env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and f"{name.upper()} is not set" in r.stderr
