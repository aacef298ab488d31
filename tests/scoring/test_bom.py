"""A UTF-8 byte-order mark at the start of a Kaldi table is dropped, with a warning naming the file."""

import json
import logging

import pytest

from asrllm.bin import score
from asrllm.kaldi.table import read_table

TEXT = "u1 the cat sat\nu2 on the mat\nu3 today\n"


@pytest.mark.parametrize("bom_in", ["ref", "hyp"])
def test_score_with_bom_is_zero_and_warns(tmp_path, caplog, bom_in):
    for name in ("ref", "hyp"):
        (tmp_path / name).write_bytes(("\ufeff" if name == bom_in else "").encode() + TEXT.encode())
    out = tmp_path / "s"
    with caplog.at_level(logging.WARNING):
        assert score.main(["--ref", str(tmp_path / "ref"), "--hyp", str(tmp_path / "hyp"),
                           "--unit", "word", "--normalizer", "none", "--out", str(out)]) == 0
    data = json.loads((out / "result.json").read_text(encoding="utf-8"))
    assert data["error_rate"] == 0.0 and data["num_utts"] == 3
    assert any(str(tmp_path / bom_in) in r.getMessage() and "byte-order mark" in r.getMessage()
               for r in caplog.records)


def test_table_reader_strips_only_a_leading_bom(tmp_path, caplog):
    path = tmp_path / "utt2spk"
    path.write_bytes(b"\xef\xbb\xbfa s1\nb \xef\xbb\xbfs2\n")
    with caplog.at_level(logging.WARNING):
        assert [(k, v) for k, v, _ in read_table(path)] == [("a", "s1"), ("b", "\ufeffs2")]
    assert [r.getMessage() for r in caplog.records if "byte-order mark" in r.getMessage()] == \
        [f"{path}: starts with a UTF-8 byte-order mark; ignoring it"]
