"""asrllm.corpora.builder: lines in any order -> a sorted, checked data dir installed atomically."""

import pytest

from asrllm.corpora.builder import build_data_dir
from asrllm.kaldi.table import DataError
from asrllm.kaldi.validate import validate_data_dir, Options


def lines(path):
    return path.read_text(encoding="utf-8").splitlines()


def test_tables_are_sorted_in_c_locale_and_spk2utt_is_derived(tmp_path):
    dest = tmp_path / "data" / "train"
    utts = [("b-2", "spkB"), ("B-1", "spkA"), ("a-1", "spkA"), ("a", "spkC"), ("é-1", "spkB")]
    with build_data_dir(dest, "test source") as sink:
        for utt, spk in utts:
            sink.add("wav.scp", utt, f"/x/{utt}.wav")
            sink.add("text", utt, f"text of {utt}")
            sink.add("utt2spk", utt, spk)
    keys = [line.split()[0] for line in lines(dest / "text")]
    assert keys == sorted((u for u, _ in utts), key=lambda k: k.encode())  # B-1 a a-1 b-2 é-1
    assert lines(dest / "spk2utt") == ["spkA B-1 a-1", "spkB b-2 é-1", "spkC a"]
    assert validate_data_dir(str(dest), Options(require_feats=False)).ok


def test_identity_speakers(tmp_path):
    dest = tmp_path / "d"
    with build_data_dir(dest, "src") as sink:
        for utt in ["u2", "u1"]:
            sink.add("wav.scp", utt, "/x.wav")
            sink.add("text", utt, "t")
            sink.add("utt2spk", utt, utt)
    assert lines(dest / "spk2utt") == ["u1 u1", "u2 u2"]


def test_duplicate_id_fails_and_leaves_the_old_dir(tmp_path):
    dest = tmp_path / "d"
    dest.mkdir()
    (dest / "text").write_text("old 1\n")
    with pytest.raises(DataError, match=r"manifest\.json: utterance id 'u1' occurs more than once"):
        with build_data_dir(dest, "manifest.json") as sink:
            for utt in ["u1", "u2", "u1"]:
                sink.add("text", utt, "t")
                sink.add("utt2spk", utt, utt)
                sink.add("wav.scp", utt, "/x.wav")
    assert (dest / "text").read_text() == "old 1\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d"]  # no staging dir left behind


def test_stale_tables_are_removed_other_files_kept(tmp_path):
    dest = tmp_path / "d"
    dest.mkdir()
    (dest / "segments").write_text("u1 r1 0 1\n")
    (dest / "notes.md").write_text("mine\n")
    with build_data_dir(dest, "src") as sink:
        sink.add("wav.scp", "u1", "/x.wav")
        sink.add("text", "u1", "t")
        sink.add("utt2spk", "u1", "s")
    assert not (dest / "segments").exists()
    assert (dest / "notes.md").read_text() == "mine\n"


def test_bad_keys_and_values_are_errors(tmp_path):
    with pytest.raises(DataError, match="has whitespace"):
        with build_data_dir(tmp_path / "d", "src") as sink:
            sink.add("text", "a b", "t")
    with pytest.raises(DataError, match="line break"):
        with build_data_dir(tmp_path / "d", "src") as sink:
            sink.add("text", "a", "t\nu")
    with pytest.raises(DataError, match="no utterance was kept"):
        with build_data_dir(tmp_path / "d", "src"):
            pass
    assert not (tmp_path / "d").exists()


def test_invalid_result_is_not_installed(tmp_path):
    with pytest.raises(DataError, match="not be a valid data dir"):
        with build_data_dir(tmp_path / "d", "src") as sink:
            sink.add("text", "u1", "t")
            sink.add("utt2spk", "u1", "s")
            sink.add("utt2spk", "u2", "s")  # u2 has no text, no audio
            sink.add("wav.scp", "u1", "/x.wav")
    assert not (tmp_path / "d").exists()
