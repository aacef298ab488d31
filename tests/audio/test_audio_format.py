"""Stage 3 (format_audio): every bad-input case is skipped by name and counted; failures leave nothing complete."""

import json
import os
import stat

import numpy as np
import pytest
import soundfile as sf

from asrllm.audio import errors
from asrllm.bin import format_audio
from asrllm.kaldi.table import read_table_dict
from asrllm.kaldi.validate import Options, validate_data_dir

SR = 16000
TABLES = ("wav.scp", "text", "utt2spk", "spk2utt", "utt2dur", "utt2num_samples")


def _signal(seconds: float, sr: int = SR, seed: int = 0) -> np.ndarray:
    n = int(seconds * sr)
    t = np.arange(n) / sr
    noise = 0.02 * np.random.default_rng(seed).standard_normal(n)
    return (0.3 * np.sin(2 * np.pi * 200 * t) + noise).astype(np.float32)


def _write_dir(d, wav: dict, text: dict, segments: dict | None = None) -> None:
    d.mkdir(parents=True)
    utts = sorted(segments or wav)
    (d / "wav.scp").write_text("".join(f"{k} {wav[k]}\n" for k in sorted(wav)))
    with open(d / "text", "wb") as f:
        for u in utts:
            t = text.get(u, f"words of {u}")
            f.write(u.encode() + b" " + (t if isinstance(t, bytes) else t.encode()) + b"\n")
    (d / "utt2spk").write_text("".join(f"{u} {u}\n" for u in utts))
    if segments:
        (d / "segments").write_text("".join(f"{u} {' '.join(map(str, segments[u]))}\n" for u in utts))


@pytest.fixture
def bad_dir(tmp_path):
    """A data dir (no segments) with one utterance per bad-input case and a few good ones."""
    a = tmp_path / "audio"
    a.mkdir()
    sf.write(a / "good.wav", _signal(1.0), SR, subtype="PCM_16")
    sf.write(a / "good.flac", _signal(1.2, seed=1), SR, subtype="PCM_16")
    sf.write(a / "piped.wav", _signal(0.8, seed=2), SR, subtype="PCM_16")
    sf.write(a / "rate8k.wav", _signal(1.0, sr=8000), 8000, subtype="PCM_16")
    sf.write(a / "stereo.wav", np.stack([_signal(1.0), _signal(1.0, seed=4)], 1), SR, subtype="PCM_16")
    (a / "garbage.wav").write_bytes(np.random.default_rng(0).integers(0, 256, 3000, np.uint8).tobytes())
    blob = (a / "good.wav").read_bytes()
    (a / "cut.wav").write_bytes(blob[: len(blob) // 2])
    sf.write(a / "whole.flac", _signal(2.0, seed=5), SR, subtype="PCM_16")
    blob = (a / "whole.flac").read_bytes()
    (a / "cut.flac").write_bytes(blob[: len(blob) // 2])
    sf.write(a / "zero.wav", np.zeros(0, np.float32), SR)
    wav = {"u01-good": a / "good.wav", "u02-flac": a / "good.flac", "u03-pipe": f"sox {a}/piped.wav -t wav - |",
           "u04-8k": a / "rate8k.wav", "u05-stereo": a / "stereo.wav", "u06-missing": a / "nothere.wav",
           "u07-garbage": a / "garbage.wav", "u08-cutwav": a / "cut.wav", "u09-cutflac": a / "cut.flac",
           "u10-zero": a / "zero.wav", "u11-pipefail": f"sox {a}/nothere.wav -t wav - |",
           "u12-latin1": a / "good.wav"}
    d = tmp_path / "data" / "train"
    _write_dir(d, wav, {"u12-latin1": b"caf\xe9 au lait"})
    return d


EXPECTED = {"u05-stereo": errors.MULTI_CHANNEL, "u06-missing": errors.MISSING, "u07-garbage": errors.UNREADABLE,
            "u08-cutwav": errors.TRUNCATED, "u09-cutflac": errors.CORRUPT, "u10-zero": errors.EMPTY,
            "u11-pipefail": errors.PIPE_FAILED, "u12-latin1": errors.BAD_TEXT}


def _config(tmp_path, **keys) -> str:
    path = tmp_path / "data.yaml"
    lines = [f"{k}: {v}" for k, v in keys.items() if "." not in k]
    sections: dict = {}
    for k, v in keys.items():
        if "." in k:
            sec, name = k.split(".")
            sections.setdefault(sec, []).append(f"  {name}: {v}")
    for sec, body in sections.items():
        lines += [f"{sec}:"] + body
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def _run(in_dir, out_dir, config, nj=2, cmd=None) -> int:
    argv = ["--in-dir", str(in_dir), "--out-dir", str(out_dir), "--config", config, "--nj", str(nj)]
    return format_audio.main(argv + (["--cmd", cmd] if cmd else []))


def test_every_bad_input_is_skipped_by_name_and_counted(bad_dir, tmp_path, caplog):
    out = tmp_path / "dump" / "raw" / "train"
    assert _run(bad_dir, out, _config(tmp_path, max_bad_fraction=0.8), nj=3) == 0
    skipped = {u: v.split()[0] for u, v in read_table_dict(out / "format.skipped").items()}
    assert skipped == EXPECTED
    report = json.loads((out / "format.report.json").read_text())
    assert report["kept"] == 4 and report["skipped"] == len(EXPECTED) and report["status"] == "ok"
    # recordings resolved: 2 rewritten (pipe, 8 kHz) and 4 verified in place (zero.wav and u12 among them)
    assert report["resampled"] == 1 and report["dumped"] == 2 and report["referenced"] == 4
    assert report["skipped_by_reason"][errors.TRUNCATED] == 1
    wav = read_table_dict(out / "wav.scp")
    assert sorted(wav) == ["u01-good", "u02-flac", "u03-pipe", "u04-8k"]
    assert wav["u01-good"] == str(bad_dir.parent.parent / "audio" / "good.wav")  # verified reference
    for utt in ("u03-pipe", "u04-8k"):  # rewritten: a plain 16 kHz file under the output dir
        info = sf.info(wav[utt])
        assert wav[utt].startswith(str(out / "data")) and info.samplerate == SR and info.channels == 1
    assert read_table_dict(out / "utt2num_samples")["u04-8k"] == str(SR)
    assert read_table_dict(out / "utt2num_samples")["u03-pipe"] == str(int(0.8 * SR))
    assert validate_data_dir(str(out), Options(require_feats=False)).ok


def test_too_much_bad_input_fails_and_leaves_no_data_dir(bad_dir, tmp_path):
    out = tmp_path / "out"
    assert _run(bad_dir, out, _config(tmp_path, max_bad_fraction=0.8)) == 0
    assert (out / "wav.scp").is_file()
    assert _run(bad_dir, out, _config(tmp_path, max_bad_fraction=0.5)) == 1  # 8 of 12 bad
    for name in TABLES:
        assert not (out / name).exists(), f"{name} of the earlier run is still there"
    report = json.loads((out / "format.report.json").read_text())
    assert report["status"] == "failed" and report["skipped"] == 8
    assert (out / "format.skipped").is_file()


def _launcher(tmp_path, repo, after: str) -> str:
    """A stand-in launcher: runs utils/run.pl, then `after` (to simulate a failure)."""
    path = tmp_path / "launcher.sh"
    path.write_text(f"#!/bin/bash\n{repo}/utils/run.pl \"$@\"\n{after}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def test_failed_or_unfinished_shards_leave_no_data_dir(bad_dir, tmp_path, repo):
    cfg = _config(tmp_path, max_bad_fraction=0.8)
    out = tmp_path / "out"
    assert _run(bad_dir, out, cfg, cmd=_launcher(tmp_path, repo, "exit 1")) == 1
    assert not any((out / n).exists() for n in TABLES)
    # a shard that never wrote its completion marker, although the launcher said all was well
    unfinished = _launcher(tmp_path, repo, f"rm -f {out}/.work/out/2/stats.json; exit 0")
    assert _run(bad_dir, out, cfg, cmd=unfinished) == 1
    assert not any((out / n).exists() for n in TABLES)


def test_multi_channel_can_be_kept(bad_dir, tmp_path):
    out = tmp_path / "out"
    assert _run(bad_dir, out, _config(tmp_path, **{"max_bad_fraction": 0.8, "format.multi_channel": "first"})) == 0
    x, sr = sf.read(read_table_dict(out / "wav.scp")["u05-stereo"], dtype="float32")
    ref, _ = sf.read(bad_dir.parent.parent / "audio" / "stereo.wav", dtype="float32")
    assert x.ndim == 1 and np.array_equal(x, ref[:, 0])


def test_segments_into_a_long_recording(tmp_path):
    a = tmp_path / "audio"
    a.mkdir()
    sf.write(a / "long.opus", _signal(12.0), SR, format="OGG", subtype="OPUS")
    sf.write(a / "short.flac", _signal(2.0, seed=1), SR, subtype="PCM_16")
    wav = {"rec1": a / "long.opus", "rec2": f"cat {a}/short.flac |", "rec3": a / "gone.flac"}
    segs = {"rec1-a": ("rec1", 0.5, 2.0), "rec1-b": ("rec1", 3.0, 7.5), "rec1-c": ("rec1", 11.0, 12.3),
            "rec1-d": ("rec1", 10.0, 14.0), "rec1-e": ("rec1", 12.5, 13.0), "rec1-f": ("rec1", 5.0, 4.0),
            "rec2-a": ("rec2", 0.0, 1.5), "rec3-a": ("rec3", 0.0, 1.0), "rec4-a": ("rec4", 0.0, 1.0)}
    d = tmp_path / "data"
    _write_dir(d, wav, {}, segs)
    out = tmp_path / "out"
    assert _run(d, out, _config(tmp_path, max_bad_fraction=0.9), nj=2) == 0
    skipped = {u: v.split()[0] for u, v in read_table_dict(out / "format.skipped").items()}
    assert skipped == {"rec1-d": errors.PAST_END, "rec1-e": errors.PAST_END, "rec1-f": errors.BAD_SEGMENT,
                       "rec3-a": errors.MISSING, "rec4-a": errors.NO_AUDIO}
    seg = read_table_dict(out / "segments")
    assert seg["rec1-a"] == "rec1 0.5 2.0"
    assert seg["rec1-c"] == "rec1 11.0 12"  # overshoot of 0.3 s < max_segment_overshoot: cut to the end
    n = read_table_dict(out / "utt2num_samples")
    assert n["rec1-c"] == str(SR) and n["rec1-b"] == str(int(4.5 * SR))
    wav_out = read_table_dict(out / "wav.scp")
    assert sorted(wav_out) == ["rec1", "rec2"] and wav_out["rec1"] == str(a / "long.opus")
    assert json.loads((out / "format.report.json").read_text())["dumped"] == 1
    assert validate_data_dir(str(out), Options(require_feats=False)).ok


def test_shard_count_does_not_change_the_result(bad_dir, tmp_path):
    cfg = _config(tmp_path, max_bad_fraction=0.8)
    outs = [tmp_path / "nj1", tmp_path / "nj4"]
    assert _run(bad_dir, outs[0], cfg, nj=1) == 0 and _run(bad_dir, outs[1], cfg, nj=4) == 0
    for name in ("text", "utt2spk", "spk2utt", "utt2dur", "utt2num_samples", "format.skipped"):
        assert (outs[0] / name).read_text() == (outs[1] / name).read_text()
    assert not (outs[1] / ".work").exists() and os.listdir(outs[1] / "log")
