"""subset_data_dir.sh: every selection mode, tables kept consistent, Kaldi's argument order too."""

import pytest

from tests.kaldi.datadirs import keys, read_lines, utt_ids, write

UTTS = utt_ids()


def subset(run, *args):
    r = run("subset_data_dir.sh", *args)
    assert r.returncode == 0, r.stderr
    return r


def assert_consistent(run, d, want_utts):
    """The subset is valid, holds exactly `want_utts`, and only the recordings its segments use."""
    r = run("validate_data_dir.sh", d)
    assert r.returncode == 0, r.stderr
    for table in ("utt2spk", "text", "segments", "feats.scp", "utt2dur"):
        assert keys(d / table) == want_utts, table
    used = sorted({line.split()[1] for line in read_lines(d / "segments")})
    assert keys(d / "wav.scp") == keys(d / "reco2dur") == used
    assert keys(d / "spk2utt") == sorted({u.split("-")[0] for u in want_utts})


@pytest.mark.parametrize("args, want", [
    (["--first", "4"], UTTS[:4]),
    (["--last", "2"], UTTS[-2:]),
])
def test_first_and_last(run, data_dir, tmp_path, args, want):
    dest = tmp_path / "sub"
    subset(run, *args, data_dir, dest)
    assert_consistent(run, dest, want)


def test_kaldi_argument_order(run, data_dir, tmp_path):
    subset(run, "--first", data_dir, 4, tmp_path / "a")
    subset(run, "--first", 4, data_dir, tmp_path / "b")
    assert (tmp_path / "a" / "segments").read_text() == (tmp_path / "b" / "segments").read_text()
    subset(run, data_dir, 3, tmp_path / "even")  # Kaldi's default: spread over the list
    assert_consistent(run, tmp_path / "even", ["s1-u2", "s2-u2", "s3-u2"])


def test_random_is_seeded(run, data_dir, tmp_path):
    picks = {}
    for name, seed in (("a", 1), ("b", 1), ("c", 2), ("d", 3)):
        subset(run, "--random", 5, "--seed", seed, data_dir, tmp_path / name)
        picks[name] = keys(tmp_path / name / "utt2spk")
        assert len(picks[name]) == 5 and set(picks[name]) <= set(UTTS)
        assert_consistent(run, tmp_path / name, picks[name])
    assert picks["a"] == picks["b"]
    assert len({tuple(p) for p in picks.values()}) > 1


def test_utt_list_and_spk_list(run, data_dir, tmp_path):
    write(tmp_path / "utts", ["s3-u1", "s1-u3 extra fields are ignored", "unknown-utt"])
    subset(run, "--utt-list", tmp_path / "utts", data_dir, tmp_path / "u")
    assert_consistent(run, tmp_path / "u", ["s1-u3", "s3-u1"])
    write(tmp_path / "spks", ["s2"])
    subset(run, "--spk-list", tmp_path / "spks", data_dir, tmp_path / "s")
    assert_consistent(run, tmp_path / "s", ["s2-u1", "s2-u2", "s2-u3"])


def test_overwrites_stale_dest_tables(run, data_dir, tmp_path):
    dest = tmp_path / "sub"
    dest.mkdir()
    write(dest / "cmvn.scp", ["old 1"])
    write(dest / "notes.txt", ["kept"])
    subset(run, "--first", 2, data_dir, dest)
    assert not (dest / "cmvn.scp").exists()
    assert (dest / "notes.txt").exists()
    assert_consistent(run, dest, UTTS[:2])


@pytest.mark.parametrize("args, message", [
    (["--first", "10"], "asked for 10 utterances but there are only 9"),
    (["--first", "2", "--last", "2"], "choose one of"),
])
def test_bad_requests_fail(run, data_dir, tmp_path, args, message):
    r = run("subset_data_dir.sh", *args, data_dir, tmp_path / "x")
    assert r.returncode != 0
    assert message in r.stderr
    assert not (tmp_path / "x").exists()


def test_empty_selection_writes_nothing(run, data_dir, tmp_path):
    write(tmp_path / "spks", ["nobody"])
    r = run("subset_data_dir.sh", "--spk-list", tmp_path / "spks", data_dir, tmp_path / "x")
    assert r.returncode == 1 and "matches no utterance" in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "spks"]
