"""validate_data_dir.sh: valid dirs pass; each kind of breakage is reported by file and line."""

from pathlib import Path

import pytest

from tests.kaldi.datadirs import make_data_dir, read_lines, utt_ids, write


def edit(path: Path, fn) -> None:
    """Replace the lines of `path` by fn(lines)."""
    write(path, fn(read_lines(path)))


def test_valid_dir_with_segments(run, data_dir):
    r = run("validate_data_dir.sh", data_dir)
    assert r.returncode == 0, r.stderr
    assert "valid data dir; 9 utterances, 3 speakers, 3 recordings" in r.stdout
    assert len(r.stdout.splitlines()) == 1


def test_valid_dir_without_segments(run, tmp_path):
    d = make_data_dir(tmp_path / "d", segments=False, feats=False)
    assert run("validate_data_dir.sh", "--no-feats", d).returncode == 0


def test_feats_required_unless_no_feats(run, tmp_path):
    d = make_data_dir(tmp_path / "d", feats=False)
    r = run("validate_data_dir.sh", d)
    assert r.returncode == 1
    assert f"{d}/feats.scp: missing (use --no-feats" in r.stderr
    assert run("validate_data_dir.sh", "--no-feats", d).returncode == 0


def test_text_required_unless_no_text(run, data_dir):
    (data_dir / "text").unlink()
    assert f"{data_dir}/text: missing" in run("validate_data_dir.sh", data_dir).stderr
    assert run("validate_data_dir.sh", "--no-text", data_dir).returncode == 0


def swap(i: int, j: int):
    def fn(lines):
        lines[i - 1], lines[j - 1] = lines[j - 1], lines[i - 1]
        return lines
    return fn


BREAKAGES = {
    "unsorted ids": ("text", swap(2, 3), "text:3: 's1-u2' is not sorted (C locale) after 's1-u3'"),
    "duplicate id": ("text", lambda ls: ls[:2] + [ls[1]] + ls[2:], "text:3: duplicate id 's1-u2'"),
    "spk2utt not the inverse": ("spk2utt", lambda ls: [ls[0], "s2 s2-u1 s2-u2", ls[2]],
                                "spk2utt:2: speaker 's2' does not match utt2spk: lacks 's2-u3'"),
    "speaker only in spk2utt": ("spk2utt", lambda ls: ls + ["s4 s2-u1"], "spk2utt:4: speaker 's4' has no utterance"),
    "text lacks an utterance": ("text", lambda ls: ls[:4] + ls[5:], "utt2spk:5: utterance 's2-u2' is missing from text"),
    "utterance only in text": ("text", lambda ls: ls + ["s9-u1 hi"], "text:10: utterance 's9-u1' is not in utt2spk"),
    "empty transcript": ("text", lambda ls: ls[:3] + ["s2-u1"] + ls[4:], "text:4: empty transcript for 's2-u1'"),
    "empty line": ("utt2spk", lambda ls: ls[:2] + [""] + ls[2:], "utt2spk:3: empty line"),
    "segment past the recording end": ("segments", lambda ls: ls[:2] + ["s1-u3 s1-rec 9.00 10.50"] + ls[3:],
                                       "segments:3: segment 's1-u3' ends at 10.5 s, after the end of recording "
                                       "'s1-rec' (10 s in reco2dur)"),
    "segment with start >= end": ("segments", lambda ls: ls[:1] + ["s1-u2 s1-rec 3.00 3.00"] + ls[2:],
                                  "segments:2: segment 's1-u2' has start 3.00 >= end 3.00"),
    "segment of an unknown recording": ("segments", lambda ls: ls[:3] + ["s2-u1 nosuch 2.00 3.50"] + ls[4:],
                                        "segments:4: recording 'nosuch' of 's2-u1' is not in wav.scp"),
    "feats.scp lacks ids": ("feats.scp", lambda ls: ls[:8], "utt2spk:9: utterance 's3-u3' is missing from feats.scp"),
    "utt2dur disagrees with segments": ("utt2dur", lambda ls: ls[:5] + ["s2-u3 2.50"] + ls[6:],
                                        "utt2dur:6: 's2-u3' lasts 2.5 s but segments line 6 gives 1.5 s"),
    "reco2dur lacks a recording": ("reco2dur", lambda ls: ls[:2],
                                   "wav.scp:3: recording 's3-rec' is missing from reco2dur"),
    "bad duration": ("reco2dur", lambda ls: ["s1-rec -1"] + ls[1:], "reco2dur:1: duration of 's1-rec' must be a positive"),
    "speaker with a space": ("utt2spk", lambda ls: ["s1-u1 s1 x"] + ls[1:], "utt2spk:1: speaker id of 's1-u1' has a space"),
}


@pytest.mark.parametrize("name", list(BREAKAGES))
def test_breakage_reported_with_file_and_line(run, data_dir, name):
    table, fn, message = BREAKAGES[name]
    edit(data_dir / table, fn)
    r = run("validate_data_dir.sh", data_dir)
    assert r.returncode == 1
    assert f"{data_dir}/{message}" in r.stderr, r.stderr
    assert "problem(s)" in r.stderr.splitlines()[-1]


def test_non_utf8_line(run, data_dir):
    lines = (data_dir / "text").read_bytes().splitlines(keepends=True)
    lines[1] = b"s1-u2 caf\xe9\n"
    (data_dir / "text").write_bytes(b"".join(lines))
    r = run("validate_data_dir.sh", data_dir)
    assert r.returncode == 1
    assert f"{data_dir}/text:2: not valid UTF-8" in r.stderr


def test_empty_transcript_allowed_with_flag(run, data_dir):
    edit(data_dir / "text", lambda ls: ls[:3] + ["s2-u1"] + ls[4:])
    r = run("validate_data_dir.sh", "--allow-empty-text", data_dir)
    assert r.returncode == 0, r.stderr


def test_all_problems_reported_up_to_cap(run, tmp_path):
    d = make_data_dir(tmp_path / "d", speakers=[f"s{i}" for i in range(10)], n=5)
    edit(d / "text", lambda ls: [line.split()[0] for line in ls])  # 50 empty transcripts
    edit(d / "feats.scp", lambda ls: ls[:-1])
    r = run("validate_data_dir.sh", "--max-problems", 7, d)
    assert r.returncode == 1
    lines = r.stderr.splitlines()
    assert len([ln for ln in lines if ln.startswith(str(d))]) == 7
    assert lines[-1].endswith("51 problem(s), 44 not shown")


def test_speakers_not_prefixes_is_only_a_warning(run, tmp_path):
    d = make_data_dir(tmp_path / "d", feats=False)
    utts = utt_ids()
    spk_of = {u: ("b" if u.endswith("u1") else "a") for u in utts}
    write(d / "utt2spk", [f"{u} {spk_of[u]}" for u in utts])
    write(d / "spk2utt", [f"{s} " + " ".join(u for u in utts if spk_of[u] == s) for s in ("a", "b")])
    r = run("validate_data_dir.sh", "--no-feats", d)
    assert r.returncode == 0, r.stderr
    assert "utt2spk:2: speakers are not in sorted runs" in r.stderr


def test_missing_dir(run, tmp_path):
    r = run("validate_data_dir.sh", tmp_path / "nope")
    assert r.returncode == 1 and "no such data directory" in r.stderr
