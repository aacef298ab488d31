"""`python -m asrllm.bin.score`: the interface other tools rely on."""

import json
import subprocess
import sys

import pytest

from asrllm.bin import score

REQUIRED_KEYS = {"num_utts", "num_ref_tokens", "correct", "substitutions", "deletions", "insertions",
                 "error_rate", "sentence_error_rate", "unit", "normalizer"}


def write_texts(tmp_path, ref: str, hyp: str):
    (tmp_path / "ref").write_bytes(ref.encode("utf-8") if isinstance(ref, str) else ref)
    (tmp_path / "hyp").write_bytes(hyp.encode("utf-8") if isinstance(hyp, str) else hyp)
    return str(tmp_path / "ref"), str(tmp_path / "hyp")


def test_cli_subprocess_writes_every_output(tmp_path, tool_env, repo):
    ref, hyp = write_texts(tmp_path, "u1 今天天气很好\nu2 我爱 I love you\nu3 你好\n",
                           "u1 今天天气很好。\nu2 我爱I LOVE YOU！\nu9 多余\n")
    out = tmp_path / "score"
    argv = ["--ref", ref, "--hyp", hyp, "--unit", "mixed", "--normalizer", "zh", "--out", str(out)]
    proc = subprocess.run([sys.executable, "-m", "asrllm.bin.score", *argv], capture_output=True, text=True,
                          cwd=repo, env=tool_env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    # missing hypothesis named in a warning; extra id reported
    assert "WARNING" in proc.stderr and "u3" in proc.stderr and "u9" in proc.stderr
    data = json.loads((out / "result.json").read_text(encoding="utf-8"))
    assert REQUIRED_KEYS <= set(data)
    assert (data["num_utts"], data["num_ref_tokens"], data["correct"], data["deletions"]) == (3, 13, 11, 2)
    assert data["unit"] == "mixed" and data["normalizer"] == "zh" and data["metric"] == "MER"
    assert data["command"] == ["python", "-m", "asrllm.bin.score", *argv]
    assert {"date", "python", "torch", "transformers", "git"} <= set(data["environment"])
    for name in ("result.txt", "ref.trn", "hyp.trn", "per_utt.jsonl"):
        assert (out / name).is_file()
    txt = (out / "result.txt").read_text(encoding="utf-8")
    assert "id: (u2)" in txt and "REF:  我 爱 I LOVE YOU" in txt
    assert "missing hypotheses (scored as all deletions): 1: u3" in txt
    assert "extra hypotheses (not in the reference, ignored): 1: u9" in txt
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]  # no temporary files left


def test_corpus_defaults(tmp_path):
    ref, hyp = write_texts(tmp_path, "u1 而 对 楼市\n", "u1 而对楼市。\n")
    assert score.main(["--ref", ref, "--hyp", hyp, "--corpus", "aishell", "--out", str(tmp_path / "s")]) == 0
    data = json.loads((tmp_path / "s" / "result.json").read_text(encoding="utf-8"))
    assert (data["unit"], data["normalizer"], data["correct"], data["error_rate"]) == ("char", "aishell", 4, 0.0)


def test_unit_and_normalizer_required_without_corpus(tmp_path, capsys):
    ref, hyp = write_texts(tmp_path, "u1 a\n", "u1 a\n")
    with pytest.raises(SystemExit) as e:
        score.main(["--ref", ref, "--hyp", hyp, "--unit", "word", "--out", str(tmp_path / "s")])
    assert e.value.code == 2
    assert "--normalizer" in capsys.readouterr().err


@pytest.mark.parametrize("ref,hyp,message", [
    ("u1 a\nu1 b\n", "u1 a\n", "ref:2: duplicate id 'u1'"),
    ("u1 a\n", b"u1 \xff\n", "hyp:1: not valid UTF-8"),
    ("u1 a\n\nu2 b\n", "u1 a\n", "ref:2: empty line"),
    ("", "u1 a\n", "the reference has no utterances"),
])
def test_bad_input_names_file_and_line(tmp_path, caplog, ref, hyp, message):
    ref_path, hyp_path = write_texts(tmp_path, ref, hyp)
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "result.json").write_text("{}")  # a stale result must not survive a failed run
    assert score.main(["--ref", ref_path, "--hyp", hyp_path, "--unit", "word", "--normalizer", "en",
                       "--out", str(tmp_path / "s")]) == 1
    assert message in caplog.text
    assert not (tmp_path / "s" / "result.json").exists()


def test_normalizer_applied_to_both_sides(tmp_path):
    """A cased, punctuated reference and hypothesis score 0% once both are normalised."""
    ref, hyp = write_texts(tmp_path, "u1 Hello, World!\n", "u1 HELLO WORLD\n")
    score.main(["--ref", ref, "--hyp", hyp, "--unit", "word", "--normalizer", "en", "--out", str(tmp_path / "a")])
    score.main(["--ref", ref, "--hyp", hyp, "--unit", "word", "--normalizer", "none", "--out", str(tmp_path / "b")])
    a = json.loads((tmp_path / "a" / "result.json").read_text())
    b = json.loads((tmp_path / "b" / "result.json").read_text())
    assert (a["correct"], a["error_rate"]) == (2, 0.0)
    assert (b["substitutions"], b["error_rate"]) == (2, 100.0)
