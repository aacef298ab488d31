"""filter_scp.pl, utt2spk_to_spk2utt.pl, spk2utt_to_utt2spk.pl, and the table reader they share."""

import pytest

from asrllm.kaldi.table import DataError, read_table
from tests.kaldi.datadirs import write

SCP = "u1 a.wav\nu2 b.wav\nu3 c.wav\nu4 d.wav\n"


@pytest.fixture
def files(tmp_path):
    (tmp_path / "in.scp").write_text(SCP)
    write(tmp_path / "ids", ["u3 whatever", "u1", "nope"])
    return tmp_path


def test_filter_scp_keeps_listed_ids_in_input_order(run, files):
    r = run("filter_scp.pl", files / "ids", files / "in.scp")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "u1 a.wav\nu3 c.wav\n"


def test_filter_scp_exclude_and_stdin(run, files):
    r = run("filter_scp.pl", "--exclude", files / "ids", stdin=SCP)
    assert r.stdout == "u2 b.wav\nu4 d.wav\n"


def test_filter_scp_on_another_field(run, files):
    write(files / "spks", ["s2"])
    r = run("filter_scp.pl", "-f", 2, files / "spks", stdin="u1 s1\nu2 s2\nu3 s2\n")
    assert r.stdout == "u2 s2\nu3 s2\n"
    r = run("filter_scp.pl", "-f", 3, files / "spks", stdin="u1 s1\n")
    assert r.returncode == 1 and "<stdin>:1: expected at least 3 fields, got 2" in r.stderr


def test_filter_scp_usage_errors(run, files):
    assert run("filter_scp.pl").returncode == 1
    assert run("filter_scp.pl", "-f", "x", files / "ids").returncode == 1
    r = run("filter_scp.pl", files / "ids", files / "missing.scp")
    assert r.returncode == 1 and "missing.scp: cannot open" in r.stderr


def test_utt2spk_to_spk2utt_and_back(run, files):
    utt2spk = "a-1 b\na-2 a\nb-1 b\nb-2 a\n"  # speakers not in sorted runs
    (files / "utt2spk").write_text(utt2spk)
    for args, stdin in (([files / "utt2spk"], None), ([], utt2spk)):
        r = run("utt2spk_to_spk2utt.pl", *args, stdin=stdin)
        assert r.returncode == 0, r.stderr
        assert r.stdout == "a a-2 b-2\nb a-1 b-1\n"
    r = run("spk2utt_to_utt2spk.pl", stdin="a a-2 b-2\nb a-1 b-1\n")
    assert r.stdout == "a-2 a\nb-2 a\na-1 b\nb-1 b\n"  # spk2utt order, as Kaldi
    r = run("utt2spk_to_spk2utt.pl", stdin="a-1 b\nbad line here\n")
    assert r.returncode == 1 and "<stdin>:2: expected exactly 2 fields, got 3" in r.stderr


def test_read_table_still_reports_file_and_line(tmp_path):
    (tmp_path / "t").write_bytes(b"a 1\n\xff 2\n")
    with pytest.raises(DataError, match=r"/t:2: not valid UTF-8"):
        list(read_table(tmp_path / "t"))
    (tmp_path / "t").write_bytes(b"b 1\na 2\n")
    with pytest.raises(DataError, match=r"/t:2: 'a' is not sorted"):
        list(read_table(tmp_path / "t", check_sorted=True))
