"""combine_data.sh: merges back what subset split apart; fails on duplicate ids; Kaldi's rules for
files only some sources have; segments and shared recordings stay consistent."""

from tests.kaldi.datadirs import keys, make_data_dir, read_lines, write


def test_combine_undoes_a_split_by_speaker(run, data_dir, tmp_path):
    write(tmp_path / "a", ["s1", "s3"])
    write(tmp_path / "b", ["s2"])
    for name in "ab":
        assert run("subset_data_dir.sh", "--spk-list", tmp_path / name, data_dir, tmp_path / f"d{name}").returncode == 0
    r = run("combine_data.sh", tmp_path / "all", tmp_path / "db", tmp_path / "da")
    assert r.returncode == 0, r.stderr
    assert "9 utterances from 2 data dirs" in r.stderr
    for p in data_dir.iterdir():
        assert (tmp_path / "all" / p.name).read_text() == p.read_text(), p.name


def test_duplicate_ids_fail_naming_them(run, data_dir, tmp_path):
    assert run("subset_data_dir.sh", "--first", 4, data_dir, tmp_path / "x").returncode == 0
    assert run("subset_data_dir.sh", "--last", 6, data_dir, tmp_path / "y").returncode == 0
    r = run("combine_data.sh", tmp_path / "all", tmp_path / "x", tmp_path / "y")
    assert r.returncode == 1
    assert (f"1 utterance ids in more than one source: 's2-u1' ({tmp_path}/x/utt2spk:4, {tmp_path}/y/utt2spk:1)"
            in r.stderr)
    assert not (tmp_path / "all").exists()


def test_file_in_only_some_sources_is_left_out(run, tmp_path):
    a = make_data_dir(tmp_path / "a", speakers=["s1"])
    b = make_data_dir(tmp_path / "b", speakers=["s2"], feats=False)
    write(a / "utt2uniq", [f"{u} {u}-orig" for u in keys(a / "utt2spk")])
    r = run("combine_data.sh", tmp_path / "all", a, b)
    assert r.returncode == 0, r.stderr
    assert f"not combining feats.scp: missing in {b}" in r.stderr
    assert not (tmp_path / "all" / "feats.scp").exists()
    assert read_lines(tmp_path / "all" / "utt2uniq") == [f"{u} {u}-orig" for u in keys(a / "utt2spk")] + \
        [f"{u} {u}" for u in keys(b / "utt2spk")]  # filled with the identity map, as Kaldi does
    assert run("validate_data_dir.sh", "--no-feats", tmp_path / "all").returncode == 0


def test_mixing_dirs_with_and_without_segments(run, tmp_path):
    a = make_data_dir(tmp_path / "a", speakers=["s1"])
    b = make_data_dir(tmp_path / "b", speakers=["s2"], segments=False)
    r = run("combine_data.sh", tmp_path / "all", a, b)
    assert r.returncode == 0, r.stderr
    c = tmp_path / "all"
    assert read_lines(c / "segments")[-1] == "s2-u3 s2-u3 0 1.500"
    assert keys(c / "wav.scp") == keys(c / "reco2dur") == ["s1-rec", "s2-u1", "s2-u2", "s2-u3"]
    assert run("validate_data_dir.sh", c).returncode == 0
    (b / "utt2dur").unlink()
    r = run("combine_data.sh", tmp_path / "all2", a, b)
    assert r.returncode == 1 and "neither segments nor utt2dur/reco2dur" in r.stderr


def test_shared_recordings_are_merged_or_rejected(run, data_dir, tmp_path):
    assert run("subset_data_dir.sh", "--first", 5, data_dir, tmp_path / "x").returncode == 0
    assert run("subset_data_dir.sh", "--last", 4, data_dir, tmp_path / "y").returncode == 0
    assert run("combine_data.sh", tmp_path / "all", tmp_path / "x", tmp_path / "y").returncode == 0
    assert read_lines(tmp_path / "all" / "wav.scp") == read_lines(data_dir / "wav.scp")  # s2-rec once
    write(tmp_path / "y" / "wav.scp", ["s2-rec /elsewhere/s2.wav", "s3-rec /corpus/s3-rec.wav"])
    r = run("combine_data.sh", tmp_path / "all2", tmp_path / "x", tmp_path / "y")
    assert r.returncode == 1
    assert f"1 ids with different lines in wav.scp: 's2-rec' ({tmp_path}/x/wav.scp:2, {tmp_path}/y/wav.scp:1)" \
        in r.stderr


def test_unsorted_source_is_named(run, data_dir, tmp_path):
    other = make_data_dir(tmp_path / "o", speakers=["s7"])
    write(other / "text", list(reversed(read_lines(other / "text"))))
    r = run("combine_data.sh", tmp_path / "all", data_dir, other)
    assert r.returncode == 1
    assert f"{other}/text:2: 's7-u2' is not sorted" in r.stderr


def test_inconsistent_source_gives_no_output(run, tmp_path):
    a = make_data_dir(tmp_path / "a", speakers=["s1"])
    b = make_data_dir(tmp_path / "b", speakers=["s2"])
    write(b / "text", read_lines(b / "text")[:-1])  # b is not a valid data dir
    r = run("combine_data.sh", tmp_path / "all", a, b)
    assert r.returncode == 1
    assert "the result would not be a valid data dir" in r.stderr
    assert "utterance 's2-u3' is missing from text" in r.stderr
    assert not (tmp_path / "all").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b"]
