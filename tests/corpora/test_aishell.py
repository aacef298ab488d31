"""AISHELL-1 preparation on a tree in the release layout (per-speaker folders, one transcript)."""

import json

import pytest

from asrllm.corpora.aishell import prepare_aishell
from asrllm.kaldi.table import DataError, read_table_dict
from tests.corpora.fixtures import make_aishell  # packed variant


@pytest.fixture
def release(corpus):
    return corpus("aishell")


def test_data_dirs_follow_the_rules(release, tmp_path):
    root, expect = release
    prepare_aishell(root, tmp_path / "data")
    for split in ("train", "dev", "test"):
        d = tmp_path / "data" / split
        text = read_table_dict(d / "text")
        assert text == expect["text"][split]                       # both audio and transcript; no spaces
        assert read_table_dict(d / "utt2spk") == {u: expect["utt2spk"][u] for u in text}  # parent folder
        wavs = read_table_dict(d / "wav.scp")
        assert wavs.keys() == text.keys()
        assert all(w.startswith("/") and w.endswith(f"/{split}/{expect['utt2spk'][u]}/{u}.wav")
                   for u, w in wavs.items())
    assert read_table_dict(tmp_path / "data/train/text")["BAC009S0002W0122"] == "而对楼市成交抑制作用最大的限购"
    dropped = [line.split()[:2] for line in (tmp_path / "data/local/aishell/dropped.txt").read_text().splitlines()]
    assert sorted(dropped) == sorted([[u, "audio_without_transcript"] for u in expect["audio_without_transcript"]]
                                     + [[u, "transcript_without_audio"] for u in expect["transcript_without_audio"]])
    report = json.loads((tmp_path / "data/local/aishell/prep.json").read_text())
    assert report["sets"]["dev"] == {"utterances": 2, "characters": 20, "speakers": 1}


def test_one_split_does_not_call_other_transcripts_orphans(release, tmp_path):
    root, expect = release
    prepare_aishell(root / "data_aishell", tmp_path / "data", sets=("dev",))  # root may be data_aishell itself
    assert read_table_dict(tmp_path / "data/dev/text") == expect["text"]["dev"]
    assert not (tmp_path / "data/train").exists()
    assert "transcript_without_audio" not in (tmp_path / "data/local/aishell/dropped.txt").read_text()


def test_packed_speaker_archives_are_named(tmp_path):
    root, _ = make_aishell(tmp_path / "corpus", packed=True)
    with pytest.raises(DataError, match=r"per-speaker archives \(S0002.tar.gz"):
        prepare_aishell(root, tmp_path / "data")


def test_bad_transcript_lines_name_file_and_line(release, tmp_path):
    root, _ = release
    tr = root / "data_aishell/transcript/aishell_transcript_v0.8.txt"
    good = tr.read_bytes()
    tr.write_bytes(good + b"BAC009S0002W0300 \xff\xfe\n")
    with pytest.raises(DataError, match=r"aishell_transcript_v0\.8\.txt:11: not valid UTF-8"):
        prepare_aishell(root, tmp_path / "data")
    tr.write_bytes(good + b"BAC009S0002W0122 again\n")
    with pytest.raises(DataError, match=r":11: utterance 'BAC009S0002W0122' has a second transcript line"):
        prepare_aishell(root, tmp_path / "data")
    assert not (tmp_path / "data/train").exists()


def test_no_release_is_a_clear_error(tmp_path):
    with pytest.raises(DataError, match="no AISHELL-1 release here"):
        prepare_aishell(tmp_path, tmp_path / "data")
