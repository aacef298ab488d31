"""Stage 6 on a transcript that is empty (a non-speech training clip): an empty label sequence."""

import pytest

from asrllm.bin.prepare_lang import main
from asrllm.lang.espeak import espeak_available


def make_dir(path):
    path.mkdir()
    (path / "text").write_text("nonspeech-white-u1\nu2 HELLO 你好\n", encoding="utf-8")
    return path


def labels(path):
    return {line.partition(" ")[0]: line.partition(" ")[2].split()
            for line in path.read_text(encoding="utf-8").splitlines()}


@pytest.mark.parametrize("unit", ["char", pytest.param("phone", marks=pytest.mark.skipif(
    not espeak_available(), reason="espeak-ng not installed"))])
def test_an_empty_transcript_gets_an_empty_label_line(tmp_path, repo, unit):
    train = make_dir(tmp_path / "train")
    assert main(["--unit", unit, "--config", str(repo / "conf/lang.yaml"), "--train-dir", str(train),
                 "--lang-dir", str(tmp_path / f"lang_{unit}")]) == 0
    lines = (train / f"text.{unit}").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "nonspeech-white-u1"  # the id alone, like the text line
    got = labels(train / f"text.{unit}")
    assert got["nonspeech-white-u1"] == [] and len(got["u2"]) >= 4
