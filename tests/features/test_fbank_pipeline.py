"""Done-when check: wav/flac/opus files, pipes and segments of a long recording -> format_audio ->
compute_fbank (nj=2 through utils/run.pl) give the matrices kaldi-native-fbank gives on the same samples."""

import json
from pathlib import Path

import kaldi_native_fbank as knf
import kaldiio
import numpy as np
import pytest
import soundfile as sf
import soxr

from asrllm.bin import compute_cmvn, compute_fbank, filter_data, format_audio
from asrllm.kaldi.table import read_table_dict
from asrllm.kaldi.validate import Options, validate_data_dir

SR = 16000
REPO = Path(__file__).resolve().parents[2]


def _signal(seconds: float, seed: int, sr: int = SR) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = int(seconds * sr)
    t = np.arange(n) / sr
    f0 = 120 + 40 * seed
    x = sum(0.2 / k * np.sin(2 * np.pi * f0 * k * t) for k in range(1, 6)) * (1 + 0.5 * np.sin(2 * np.pi * 3 * t))
    return (x + 0.01 * rng.standard_normal(n)).astype(np.float32)


def _knf(samples: np.ndarray) -> np.ndarray:
    """kaldi-native-fbank called directly: 80 bins, 25/10 ms, dither 0, on 16-bit-scaled samples."""
    opts = knf.FbankOptions()
    opts.frame_opts.dither = 0.0
    opts.frame_opts.samp_freq = SR
    opts.mel_opts.num_bins = 80
    comp = knf.OnlineFbank(opts)
    comp.accept_waveform(SR, (samples * 32768).astype(np.float32))
    comp.input_finished()
    return np.stack([comp.get_frame(i) for i in range(comp.num_frames_ready)])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """A data dir with segments over: wav, flac, opus files, a sox pipe, a cat pipe, a 22.05 kHz file and
    a long flac recording cut into several (overlapping) segments; plus the samples each utterance is."""
    root = tmp_path_factory.mktemp("mixed")
    a = root / "audio"
    a.mkdir()
    files = {"wav1": ("w.wav", "WAV", "PCM_16", 1.6), "flac1": ("f.flac", "FLAC", "PCM_16", 2.1),
             "opus1": ("o.opus", "OGG", "OPUS", 1.5), "sox1": ("s.wav", "WAV", "PCM_16", 1.3),
             "cat1": ("c.flac", "FLAC", "PCM_16", 1.1), "long": ("long.flac", "FLAC", "PCM_16", 30.0)}
    full = {}
    for i, (reco, (name, fmt, sub, secs)) in enumerate(sorted(files.items())):
        sf.write(a / name, _signal(secs, i), SR, format=fmt, subtype=sub)
        full[reco] = sf.read(a / name, dtype="float32")[0]
    sf.write(a / "r22.wav", _signal(1.4, 9, 22050), 22050, subtype="PCM_16")
    orig22 = sf.read(a / "r22.wav", dtype="float32")[0]
    resampled = soxr.resample(orig22, 22050, SR, quality="HQ")
    full["r22"] = np.clip(np.round(resampled * 32768), -32768, 32767).astype(np.float32) / 32768  # 16-bit dump
    wav = {"wav1": a / "w.wav", "flac1": a / "f.flac", "opus1": a / "o.opus", "sox1": f"sox {a}/s.wav -t wav - |",
           "cat1": f"cat {a}/c.flac |", "long": a / "long.flac", "r22": a / "r22.wav"}
    segs = {"cat1-u": ("cat1", 0.0, 1.1), "flac1-u": ("flac1", 0.0, 2.1), "long-u1": ("long", 0.37, 4.12),
            "long-u2": ("long", 4.0, 9.5), "long-u3": ("long", 15.25, 29.99), "long-u4": ("long", 22.0, 24.5),
            "opus1-u": ("opus1", 0.1, 1.45), "r22-u": ("r22", 0.2, 1.3), "sox1-u": ("sox1", 0.25, 1.3),
            "wav1-u": ("wav1", 0.0, 1.6)}
    d = root / "data" / "train"
    d.mkdir(parents=True)
    (d / "wav.scp").write_text("".join(f"{k} {wav[k]}\n" for k in sorted(wav)))
    (d / "segments").write_text("".join(f"{u} {r} {s} {e}\n" for u, (r, s, e) in sorted(segs.items())))
    (d / "text").write_text("".join(f"{u} 你好 world {u}\n" for u in sorted(segs)))
    (d / "utt2spk").write_text("".join(f"{u} {segs[u][0]}\n" for u in sorted(segs)))
    expected = {u: full[r][int(round(s * SR)):int(round(e * SR))] for u, (r, s, e) in segs.items()}
    return root, d, expected


@pytest.fixture(scope="module")
def dumped(corpus):
    root, d, expected = corpus
    raw, fbank_dir = root / "dump" / "raw" / "train", root / "dump" / "fbank" / "train"
    cmd = str(REPO / "utils" / "run.pl")
    assert format_audio.main(["--in-dir", str(d), "--out-dir", str(raw), "--nj", "2", "--cmd", cmd]) == 0
    assert compute_fbank.main(["--data-dir", str(raw), "--out-dir", str(fbank_dir), "--nj", "2", "--cmd", cmd]) == 0
    return raw, fbank_dir, expected


def test_features_equal_kaldi_native_fbank_on_the_same_samples(dumped):
    raw, fbank_dir, expected = dumped
    feats = read_table_dict(raw / "feats.scp")
    frames = read_table_dict(raw / "utt2num_frames")
    assert sorted(feats) == sorted(expected)
    assert {v.rsplit(":", 1)[0] for v in feats.values()} == {str(fbank_dir / "feats.1.ark"),
                                                              str(fbank_dir / "feats.2.ark")}
    for utt, samples in expected.items():
        got = kaldiio.load_mat(feats[utt])
        want = _knf(samples)
        assert got.shape == want.shape == (int(frames[utt]), 80), utt
        assert np.abs(got - want).max() < 1e-4, utt
    assert json.loads((raw / "format.report.json").read_text())["resampled"] == 1
    assert validate_data_dir(str(raw), Options()).ok


def test_cmvn_from_dumped_features_equals_cmvn_on_the_fly(dumped, tmp_path):
    raw, _, expected = dumped
    out_feats = tmp_path / "cmvn_feats.json"
    assert compute_cmvn.main(["--data-dir", str(raw), "--out", str(out_feats)]) == 0
    audio_only = tmp_path / "audio_only"
    assert filter_data.main(["--in-dir", str(raw), "--out-dir", str(audio_only), "--no-filter"]) == 0
    (audio_only / "feats.scp").unlink()
    (audio_only / "utt2num_frames").unlink()
    out_raw = tmp_path / "cmvn_raw.json"
    assert compute_cmvn.main(["--data-dir", str(audio_only), "--out", str(out_raw), "--nj", "2"]) == 0
    a, b = json.loads(out_feats.read_text()), json.loads(out_raw.read_text())
    assert (a["source"], b["source"]) == ("feats.scp", "audio")
    all_feats = np.concatenate([_knf(x) for x in expected.values()])
    assert a["frames"] == b["frames"] == len(all_feats)
    assert np.allclose(a["mean"], all_feats.mean(0), atol=1e-4) and np.allclose(b["mean"], a["mean"], atol=1e-6)
    assert np.allclose(a["std"], all_feats.std(0), atol=1e-4) and np.allclose(b["std"], a["std"], atol=1e-6)


def test_compute_fbank_skips_unreadable_audio_and_fails_past_the_limit(tmp_path):
    d = tmp_path / "data"
    d.mkdir()
    for i in range(4):
        sf.write(tmp_path / f"u{i}.wav", _signal(0.5, i), SR, subtype="PCM_16")
    (d / "wav.scp").write_text("".join(f"u{i} {tmp_path}/u{i}.wav\n" for i in range(4)))
    (tmp_path / "u2.wav").unlink()  # vanished after stage 3
    cmd = ["--cmd", str(REPO / "utils" / "run.pl")]
    lenient = tmp_path / "lenient.yaml"
    lenient.write_text("max_bad_fraction: 0.3\n")
    argv = ["--data-dir", str(d), "--out-dir", str(tmp_path / "fbank"), "--nj", "2"] + cmd
    assert compute_fbank.main(argv + ["--config", str(lenient)]) == 0
    assert sorted(read_table_dict(d / "feats.scp")) == ["u0", "u1", "u3"]
    assert read_table_dict(tmp_path / "fbank" / "fbank.skipped")["u2"].startswith("missing-file")
    assert compute_fbank.main(argv) == 1  # default max_bad_fraction 0.05: 1 of 4 is too many
    assert not (d / "feats.scp").exists() and not (d / "utt2num_frames").exists()
    report = json.loads((tmp_path / "fbank" / "fbank.report.json").read_text())
    assert report["status"] == "failed" and report["skipped_by_reason"] == {"missing-file": 1}
