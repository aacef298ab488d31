"""split_data.sh: parts are valid, their union is the source, speakers stay whole; re-runs are no-ops."""

import os

import pytest

from tests.kaldi.datadirs import keys, make_data_dir, read_lines, write


@pytest.fixture
def uneven_dir(tmp_path):
    """Speakers with 6, 1, 2, 3, 1 utterances, without segments; old mtimes so a split is newer."""
    d = make_data_dir(tmp_path / "train", speakers=["a"], n=6, segments=False)
    for spk, n in (("b", 1), ("c", 2), ("d", 3), ("e", 1)):
        other = make_data_dir(tmp_path / f"part_{spk}", speakers=[spk], n=n, segments=False)
        for table in ("utt2spk", "spk2utt", "text", "wav.scp", "utt2dur", "feats.scp"):
            write(d / table, read_lines(d / table) + read_lines(other / table))
    for p in d.iterdir():
        os.utime(p, (1e9, 1e9))
    return d


def parts(split_dir, n):
    return [split_dir / str(k) for k in range(1, n + 1)]


def test_split_by_speaker(run, uneven_dir):
    r = run("split_data.sh", uneven_dir, 3)
    assert r.returncode == 0, r.stderr
    dirs = parts(uneven_dir / "split3", 3)
    assert sorted(p.name for p in (uneven_dir / "split3").iterdir()) == ["1", "2", "3"]
    speakers = []
    for p in dirs:
        assert run("validate_data_dir.sh", p).returncode == 0
        speakers += keys(p / "spk2utt")
    assert sorted(speakers) == ["a", "b", "c", "d", "e"]  # each speaker in exactly one part
    # largest speaker first, each to the part with the fewest utterances: a | d+e | c+b
    assert [keys(p / "spk2utt") for p in dirs] == [["a"], ["d", "e"], ["b", "c"]]
    assert [len(keys(p / "utt2spk")) for p in dirs] == [6, 4, 3]
    union = sorted(line for p in dirs for line in read_lines(p / "text"))
    assert union == read_lines(uneven_dir / "text")


def test_split_per_utterance(run, uneven_dir):
    r = run("split_data.sh", "--per-utt", uneven_dir, 4)
    assert r.returncode == 0, r.stderr
    dirs = parts(uneven_dir / "split4utt", 4)
    assert [len(keys(p / "utt2spk")) for p in dirs] == [4, 3, 3, 3]
    for p in dirs:
        assert run("validate_data_dir.sh", p).returncode == 0
    assert [u for p in dirs for u in keys(p / "feats.scp")] == keys(uneven_dir / "feats.scp")


def test_split_with_segments_keeps_recordings(run, data_dir):
    for p in data_dir.iterdir():
        os.utime(p, (1e9, 1e9))
    assert run("split_data.sh", "--per-utt", data_dir, 2).returncode == 0
    one, two = parts(data_dir / "split2utt", 2)
    assert keys(one / "wav.scp") == ["s1-rec", "s2-rec"]  # s2-rec is cut across both parts
    assert keys(two / "wav.scp") == keys(two / "reco2dur") == ["s2-rec", "s3-rec"]
    for p in (one, two):
        assert run("validate_data_dir.sh", p).returncode == 0


def test_rerun_is_a_noop_until_the_source_changes(run, uneven_dir):
    assert run("split_data.sh", uneven_dir, 2).returncode == 0
    target = uneven_dir / "split2" / "1" / "text"
    os.utime(target, (2e9, 2e9))
    write(target, ["marker"])  # changed by hand: a real re-split would overwrite it
    r = run("split_data.sh", uneven_dir, 2)
    assert r.returncode == 0 and "is up to date" in r.stderr
    assert read_lines(target) == ["marker"]
    os.utime(uneven_dir / "text", (3e9, 3e9))  # the source is now newer than the split
    assert run("split_data.sh", uneven_dir, 2).returncode == 0
    assert read_lines(target) != ["marker"]


def test_too_many_parts(run, uneven_dir):
    r = run("split_data.sh", uneven_dir, 6)
    assert r.returncode == 1
    assert "5 speakers cannot fill 6 parts" in r.stderr
    assert not (uneven_dir / "split6").exists()
    assert run("split_data.sh", "--per-utt", uneven_dir, 13).returncode == 0
    assert "13 utterances cannot fill 14 parts" in run("split_data.sh", "--per-utt", uneven_dir, 14).stderr
