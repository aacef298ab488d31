"""The shipped text LM (egs/mini/asr_llm/pretrained/text_lm): intact, current, and used only when current."""

import subprocess

import pytest

import asrllm.synth.text_lm_build as text_lm_build
from asrllm.synth.corpus import CorpusSize, plan_corpus, write_corpus
from asrllm.synth.text_lm_build import build_text_lm

SENTENCES = ["PLEASE MOVE THE RED BALL", "WHERE IS THE CUP", "请把红色的杯子放在桌子左边", "明天北京有小雨"]


def test_shipped_files_match_their_recorded_sha256(repo):
    pretrained = repo / "egs/mini/asr_llm/pretrained"
    proc = subprocess.run(["sha256sum", "--strict", "-c", "../SHA256SUMS"], cwd=pretrained / "text_lm",
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    listed = {line.split(maxsplit=1)[1] for line in (pretrained / "SHA256SUMS").read_text().splitlines()}
    present = {str(p.relative_to(pretrained / "text_lm")) for p in (pretrained / "text_lm").rglob("*") if p.is_file()}
    assert listed == present


@pytest.mark.slow  # a few seconds to a minute: make test only, not make check
def test_shipped_lm_was_built_from_the_current_demo_inputs(repo, tool_env, tmp_path):
    """The demo's corpus texts (no audio needed) give the shipped fingerprint, so stage 1 copies it."""
    recipe = tmp_path / "asr_llm"
    recipe.mkdir()
    for name in ("local", "conf", "utils", "path.sh", "pretrained"):
        (recipe / name).symlink_to(repo / "egs/mini/asr_llm" / name)
    write_corpus(plan_corpus(1, CorpusSize()), tmp_path / "no_audio", recipe / "data")
    proc = subprocess.run(["local/train_llm.sh", "--require_pretrained", "true"], cwd=recipe, env=tool_env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, ("the shipped text LM is stale: retrain it (pretrained/README.md)\n"
                                  + proc.stderr[-3000:])
    assert "using the pre-trained" in proc.stderr
    shipped = repo / "egs/mini/asr_llm/pretrained/text_lm/model.safetensors"
    assert (recipe / "data/text_lm/model.safetensors").read_bytes() == shipped.read_bytes()


@pytest.fixture(scope="module")
def texts(tmp_path_factory):
    d = tmp_path_factory.mktemp("texts")
    (d / "train.txt").write_text("\n".join(SENTENCES[:3]) + "\n", encoding="utf-8")
    (d / "dev.txt").write_text(SENTENCES[3] + "\n", encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def built(texts, repo):
    out = texts / "built"
    build_text_lm([texts / "train.txt"], out, repo / "egs/mini/asr_llm/conf/text_lm_smoke.yaml",
                  dev=[texts / "dev.txt"])
    return out


def _no_training(*args, **kwargs):
    raise AssertionError("trained although the pre-trained folder was current")


def test_a_current_pretrained_folder_is_copied_without_training(built, texts, repo, tmp_path, monkeypatch):
    monkeypatch.setattr(text_lm_build, "train", _no_training)
    out = tmp_path / "lm"
    metrics = build_text_lm([texts / "train.txt"], out, repo / "egs/mini/asr_llm/conf/text_lm_smoke.yaml",
                            dev=[texts / "dev.txt"], pretrained=built, require_pretrained=True)
    assert metrics["parameters"] > 0
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == sorted(p.relative_to(built) for p in built.rglob("*"))
    assert (out / "model.safetensors").read_bytes() == (built / "model.safetensors").read_bytes()
    assert not list(tmp_path.glob(".lm.tmp.*"))


class Trained(Exception):
    pass


def test_a_stale_pretrained_folder_is_refused_or_retrained(built, texts, repo, tmp_path, monkeypatch):
    other = tmp_path / "train.txt"
    other.write_text("\n".join(SENTENCES[:2]) + "\n", encoding="utf-8")
    config = repo / "egs/mini/asr_llm/conf/text_lm_smoke.yaml"
    with pytest.raises(ValueError, match=f"{built} was built from other inputs"):
        build_text_lm([other], tmp_path / "lm", config, dev=[texts / "dev.txt"], pretrained=built,
                      require_pretrained=True)

    def trained(*args, **kwargs):
        raise Trained

    monkeypatch.setattr(text_lm_build, "train", trained)
    with pytest.raises(Trained):
        build_text_lm([other], tmp_path / "lm", config, dev=[texts / "dev.txt"], pretrained=built)
    assert not (tmp_path / "lm").exists()


def test_two_builds_from_the_same_inputs_give_the_same_model(built, texts, repo, tmp_path):
    # the initial weights are seeded (train.seed) like the training that follows
    again = tmp_path / "again"
    build_text_lm([texts / "train.txt"], again, repo / "egs/mini/asr_llm/conf/text_lm_smoke.yaml",
                  dev=[texts / "dev.txt"])
    for f in ("model.safetensors", "speech_adapter/adapter.pt"):
        if (built / f).is_file():
            assert (again / f).read_bytes() == (built / f).read_bytes(), f
