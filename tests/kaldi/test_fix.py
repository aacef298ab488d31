"""fix_data_dir.sh: repairs mismatched, unsorted, duplicated tables; backs up; refuses what it cannot fix."""

from tests.kaldi.datadirs import keys, make_data_dir, read_lines, utt_ids, write


def originals(d):
    return {p.name: p.read_bytes() for p in d.iterdir() if p.is_file()}


def test_fix_repairs_mismatched_ids(run, data_dir):
    d = data_dir
    utts = utt_ids()
    text = read_lines(d / "text")
    write(d / "text", text[:4] + text[5:])  # s2-u2 has no transcript
    write(d / "feats.scp", read_lines(d / "feats.scp") + ["s9-u9 /feats/x.ark:1"])  # not in utt2spk
    u2s = read_lines(d / "utt2spk")
    write(d / "utt2spk", [u2s[2], u2s[0], u2s[1], u2s[1], ""] + u2s[3:])  # unsorted, a duplicate, an empty line
    seg = read_lines(d / "segments")
    write(d / "segments", seg[:6] + ["s3-u1 lost-rec 0.00 1.50"] + seg[7:])  # recording not in wav.scp
    write(d / "wav.scp", read_lines(d / "wav.scp") + ["s4-rec /corpus/s4-rec.wav"])  # used by no segment
    write(d / "reco2dur", read_lines(d / "reco2dur") + ["s4-rec 10.00"])
    write(d / "spk2utt", ["s1 s1-u1"])  # stale
    before = originals(d)

    r = run("fix_data_dir.sh", d)
    assert r.returncode == 0, r.stderr
    assert "kept 7 of 10 utterances" in r.stderr
    for kind in ("2 missing from text", "1 missing from utt2spk", "1 recording not in wav.scp",
                 "1 duplicate lines in utt2spk", "1 empty lines in utt2spk", "1 recordings no kept segment uses"):
        assert kind in r.stderr
    assert "text 8->7" in r.stderr

    kept = [u for u in utts if u not in ("s2-u2", "s3-u1")]
    for table in ("utt2spk", "text", "segments", "feats.scp", "utt2dur"):
        assert keys(d / table) == kept, table
    assert keys(d / "wav.scp") == keys(d / "reco2dur") == ["s1-rec", "s2-rec", "s3-rec"]
    assert read_lines(d / "spk2utt")[1] == "s2 s2-u1 s2-u3"
    assert run("validate_data_dir.sh", d).returncode == 0

    backup = d / ".backup"
    assert {name: (backup / name).read_bytes() for name in before} == before
    dropped = dict(line.split(" ", 1) for line in read_lines(backup / "dropped_ids"))
    assert dropped["s2-u2"] == "missing from text"
    assert dropped["s3-u1"] == "recording 'lost-rec' not in wav.scp reco2dur"
    assert dropped["s9-u9"] == "missing from utt2spk text segments utt2dur"
    assert dropped["s4-rec"] == "recording used by no kept segment"
    assert dropped["s1-u2"] == "duplicate line in utt2spk (kept the first)"


def test_fix_drops_speakers_missing_from_spk2gender(run, tmp_path):
    d = make_data_dir(tmp_path / "d", feats=False)
    write(d / "spk2gender", ["s1 f", "s3 m", "s7 m"])
    r = run("fix_data_dir.sh", d)
    assert r.returncode == 0, r.stderr
    assert [u.split("-")[0] for u in keys(d / "utt2spk")] == ["s1"] * 3 + ["s3"] * 3
    assert read_lines(d / "spk2gender") == ["s1 f", "s3 m"]
    assert "speaker 's2' not in spk2gender" in (d / ".backup" / "dropped_ids").read_text()


def test_fix_on_a_valid_dir_changes_nothing(run, data_dir):
    before = originals(data_dir)
    r = run("fix_data_dir.sh", data_dir)
    assert r.returncode == 0, r.stderr
    assert "kept 9 of 9 utterances; no file lost lines" in r.stderr
    assert originals(data_dir) == before
    assert (data_dir / ".backup" / "dropped_ids").read_text() == ""


def test_fix_refuses_non_utf8_and_leaves_dir_alone(run, data_dir):
    (data_dir / "text").write_bytes((data_dir / "text").read_bytes() + b"s3-u4 \xff\n")
    before = originals(data_dir)
    r = run("fix_data_dir.sh", data_dir)
    assert r.returncode == 1
    assert f"{data_dir}/text:10: not valid UTF-8" in r.stderr
    assert originals(data_dir) == before
    assert not (data_dir / ".backup").exists()
    assert [p.name for p in data_dir.parent.iterdir()] == ["train"]  # no work dir left behind


def test_fix_refuses_to_empty_a_dir(run, data_dir):
    write(data_dir / "text", ["other-u1 hello"])
    r = run("fix_data_dir.sh", data_dir)
    assert r.returncode == 1
    assert "no utterance is in every table" in r.stderr
    assert len(read_lines(data_dir / "utt2spk")) == 9
