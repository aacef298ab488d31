"""perturb_data_dir_speed.sh: ids, times and durations follow Kaldi's convention, and the sox pipes it
writes really run and give audio of the original length divided by the factor."""

import subprocess

import numpy as np
import pytest
import soundfile as sf

from tests.kaldi.datadirs import keys, read_lines, write

RATE = 16000


def sine(path, seconds: float, fmt: str | None = None) -> None:
    t = np.arange(int(seconds * RATE)) / RATE
    sf.write(path, 0.3 * np.sin(2 * np.pi * 440 * t), RATE, subtype="PCM_16", format=fmt)


def play(entry: str, out) -> np.ndarray:
    """Run a wav.scp pipe entry like a data loader does; return the samples."""
    assert entry.endswith("|")
    subprocess.run(["bash", "-c", f"set -o pipefail; {entry[:-1]} > {out}"], check=True, timeout=30)
    audio, rate = sf.read(out)
    assert rate == RATE
    return audio


@pytest.fixture
def audio_dir(tmp_path):
    """Three recordings: a wav file, a flac file and a pipe; one utterance each (no segments)."""
    audio = tmp_path / "audio"
    audio.mkdir()
    sine(audio / "a.wav", 1.0)
    sine(audio / "b.flac", 0.8, fmt="FLAC")
    sine(audio / "c.wav", 1.2)
    d = tmp_path / "src"
    d.mkdir()
    write(d / "utt2spk", ["spkA-a spkA", "spkA-b spkA", "spkB-c spkB"])
    write(d / "spk2utt", ["spkA spkA-a spkA-b", "spkB spkB-c"])
    write(d / "text", ["spkA-a one", "spkA-b two", "spkB-c three"])
    write(d / "wav.scp", [f"spkA-a {audio}/a.wav", f"spkA-b {audio}/b.flac",
                          f"spkB-c sox -t wav {audio}/c.wav -t wav - |"])
    write(d / "utt2dur", ["spkA-a 1.000", "spkA-b 0.800", "spkB-c 1.200"])
    write(d / "utt2num_frames", ["spkA-a 100", "spkA-b 80", "spkB-c 120"])
    write(d / "feats.scp", ["spkA-a f.ark:1", "spkA-b f.ark:2", "spkB-c f.ark:3"])
    write(d / "spk2gender", ["spkA f", "spkB m"])
    return d


def test_speed_perturbation_of_files_and_pipes(run, audio_dir, tmp_path):
    dest = tmp_path / "sp0.9"
    r = run("perturb_data_dir_speed.sh", "0.9", audio_dir, dest)
    assert r.returncode == 0, r.stderr
    assert read_lines(dest / "utt2spk") == ["sp0.9-spkA-a sp0.9-spkA", "sp0.9-spkA-b sp0.9-spkA", "sp0.9-spkB-c sp0.9-spkB"]
    assert read_lines(dest / "spk2utt") == ["sp0.9-spkA sp0.9-spkA-a sp0.9-spkA-b", "sp0.9-spkB sp0.9-spkB-c"]
    assert read_lines(dest / "text") == ["sp0.9-spkA-a one", "sp0.9-spkA-b two", "sp0.9-spkB-c three"]
    assert read_lines(dest / "utt2uniq") == ["sp0.9-spkA-a spkA-a", "sp0.9-spkA-b spkA-b", "sp0.9-spkB-c spkB-c"]
    assert read_lines(dest / "spk2gender") == ["sp0.9-spkA f", "sp0.9-spkB m"]
    assert read_lines(dest / "utt2dur") == ["sp0.9-spkA-a 1.111", "sp0.9-spkA-b 0.889", "sp0.9-spkB-c 1.333"]
    assert not (dest / "feats.scp").exists() and not (dest / "utt2num_frames").exists()
    wav = dict(line.split(" ", 1) for line in read_lines(dest / "wav.scp"))
    audio = audio_dir.parent / "audio"
    assert wav["sp0.9-spkA-a"] == f"sox -R -t wav {audio}/a.wav -t wav - speed 0.9 |"
    assert wav["sp0.9-spkA-b"] == f"sox -R -t flac {audio}/b.flac -t wav - speed 0.9 |"
    assert wav["sp0.9-spkB-c"] == f"sox -t wav {audio}/c.wav -t wav - | sox -R -t wav - -t wav - speed 0.9 |"
    for utt, seconds in (("a", 1.0), ("b", 0.8), ("c", 1.2)):
        entry = wav[f"sp0.9-spk{'B' if utt == 'c' else 'A'}-{utt}"]
        samples = play(entry, tmp_path / f"{utt}.wav")
        assert abs(len(samples) / RATE - seconds / 0.9) < 0.002, (entry, len(samples))
        assert np.abs(samples).max() > 0.1  # audio, not silence
        # every read of an entry gives the same samples (sox -R: its dither is seeded alike each time)
        assert np.array_equal(samples, play(entry, tmp_path / f"{utt}.again.wav"))
    assert run("validate_data_dir.sh", "--no-feats", dest).returncode == 0


def test_segments_times_and_recording_ids(run, tmp_path):
    sine(tmp_path / "long.wav", 3.0)
    d = tmp_path / "src"
    d.mkdir()
    write(d / "utt2spk", ["s1-u1 s1", "s1-u2 s1"])
    write(d / "spk2utt", ["s1 s1-u1 s1-u2"])
    write(d / "text", ["s1-u1 a", "s1-u2 b"])
    write(d / "segments", ["s1-u1 rec 0.00 1.10", "s1-u2 rec 1.10 3.00"])
    write(d / "wav.scp", [f"rec {tmp_path}/long.wav"])
    write(d / "reco2dur", ["rec 3.00"])
    dest = tmp_path / "sp1.1"
    r = run("perturb_data_dir_speed.sh", "1.1", d, dest)
    assert r.returncode == 0, r.stderr
    assert read_lines(dest / "segments") == ["sp1.1-s1-u1 sp1.1-rec 0.000 1.000", "sp1.1-s1-u2 sp1.1-rec 1.000 2.727"]
    assert read_lines(dest / "reco2dur") == ["sp1.1-rec 2.727"]
    (entry,) = [line.split(" ", 1)[1] for line in read_lines(dest / "wav.scp")]
    assert abs(len(play(entry, tmp_path / "out.wav")) / RATE - 3.0 / 1.1) < 0.002
    assert keys(dest / "utt2uniq") == ["sp1.1-s1-u1", "sp1.1-s1-u2"]


def test_unsupported_audio_fails_naming_the_recording(run, audio_dir, tmp_path):
    lines = read_lines(audio_dir / "wav.scp")
    write(audio_dir / "wav.scp", lines[:1] + ["spkA-b /corpus/b.opus"] + lines[2:])
    r = run("perturb_data_dir_speed.sh", "0.9", audio_dir, tmp_path / "out")
    assert r.returncode == 1
    assert f"{audio_dir}/wav.scp:2: recording 'spkA-b' is '/corpus/b.opus'" in r.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("factor", ["0", "-1", "fast"])
def test_bad_factor(run, audio_dir, tmp_path, factor):
    r = run("perturb_data_dir_speed.sh", factor, audio_dir, tmp_path / "out")
    assert r.returncode == 1 and "speed factor must be a positive number" in r.stderr
