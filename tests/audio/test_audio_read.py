"""Reading wav.scp entries: files, pipes, arks, ranges, and every kind of broken input."""

import numpy as np
import pytest
import soundfile as sf

from asrllm.audio import errors
from asrllm.audio.audiofile import count_frames, probe, read_entry, read_range
from asrllm.audio.entry import parse_entry
from asrllm.audio.reader import iter_audio
from asrllm.audio.resample import StreamResampler, resample

SR = 16000


def _signal(seconds: float, seed: int = 0, sr: int = SR, channels: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = int(seconds * sr)
    t = np.arange(n) / sr
    x = 0.3 * np.sin(2 * np.pi * 330 * t) + 0.05 * rng.standard_normal(n)
    x = x.astype(np.float32)
    return np.stack([x, -x], axis=1) if channels == 2 else x


def test_parse_entry_kinds():
    assert parse_entry("/a/b.flac").kind == "file"
    assert parse_entry("sox a.wav -t wav - |") == parse_entry("sox a.wav -t wav -   |")
    assert parse_entry("sox a.wav -t wav - |").target == "sox a.wav -t wav -"
    assert parse_entry("dump/raw/x.ark:1234").kind == "ark"
    with pytest.raises(ValueError):
        parse_entry(" |")


@pytest.mark.parametrize("fmt, subtype, ext", [("WAV", "PCM_16", "wav"), ("FLAC", "PCM_16", "flac"),
                                               ("OGG", "OPUS", "opus")])
def test_range_read_seeks_to_the_same_samples_as_a_full_decode(tmp_path, fmt, subtype, ext):
    path = tmp_path / f"a.{ext}"
    sf.write(path, _signal(3.0), SR, format=fmt, subtype=subtype)
    full, _ = sf.read(path, dtype="float32")
    part, sr = read_range(path, 12345, 30000)
    assert sr == SR and np.array_equal(part, full[12345:30000])
    by_seconds, _ = read_entry(str(path), 0.5, 1.25)
    assert np.array_equal(by_seconds, full[8000:20000])
    assert count_frames(path) == len(full) == probe(path).frames


def test_pipe_entries_and_a_failing_pipe(tmp_path):
    path = tmp_path / "a.wav"
    x = _signal(1.0)
    sf.write(path, x, SR, subtype="PCM_16")
    ref, _ = sf.read(path, dtype="float32")
    for cmd in (f"sox {path} -t wav - |", f"cat {path} |"):
        y, sr = read_entry(cmd, 0.25, 0.75)
        assert sr == SR and np.array_equal(y, ref[4000:12000])
    with pytest.raises(errors.AudioError) as e:
        read_entry(f"sox {tmp_path}/nope.wav -t wav - |")
    assert e.value.reason == errors.PIPE_FAILED and "exited with" in e.value.message
    with pytest.raises(errors.AudioError) as e:
        read_entry("true |")
    assert e.value.reason == errors.PIPE_FAILED and "no audio" in e.value.message


def test_ark_entry(tmp_path):
    import kaldiio

    x = (_signal(0.5) * 32767).astype(np.int16)
    kaldiio.save_ark(str(tmp_path / "a.ark"), {"u1": (SR, x)}, scp=str(tmp_path / "a.scp"))
    value = (tmp_path / "a.scp").read_text().split()[1]
    y, sr = read_entry(value)
    assert sr == SR and np.array_equal(np.round(y * 32768).astype(np.int16), x)


def test_bad_files_have_reasons(tmp_path):
    def reason(fn, *args):
        with pytest.raises(errors.AudioError) as e:
            fn(*args)
        return e.value.reason

    assert reason(probe, tmp_path / "missing.wav") == errors.MISSING
    (tmp_path / "garbage.wav").write_bytes(np.random.default_rng(0).integers(0, 256, 4000, np.uint8).tobytes())
    assert reason(probe, tmp_path / "garbage.wav") == errors.UNREADABLE
    (tmp_path / "empty.wav").write_bytes(b"")
    assert reason(probe, tmp_path / "empty.wav") == errors.UNREADABLE
    sf.write(tmp_path / "full.wav", _signal(2.0), SR, subtype="PCM_16")
    blob = (tmp_path / "full.wav").read_bytes()
    (tmp_path / "cut.wav").write_bytes(blob[: len(blob) // 2])
    assert reason(probe, tmp_path / "cut.wav") == errors.TRUNCATED  # libsndfile alone would not notice
    sf.write(tmp_path / "full.flac", _signal(2.0), SR, subtype="PCM_16")
    blob = (tmp_path / "full.flac").read_bytes()
    (tmp_path / "cut.flac").write_bytes(blob[: len(blob) // 2])
    assert probe(tmp_path / "cut.flac").frames == 2 * SR  # the header still claims the full length
    assert reason(count_frames, tmp_path / "cut.flac") == errors.CORRUPT
    sf.write(tmp_path / "zero.wav", np.zeros(0, np.float32), SR)
    assert probe(tmp_path / "zero.wav").frames == 0
    assert reason(read_range, tmp_path / "zero.wav") == errors.PAST_END
    assert reason(read_range, tmp_path / "full.wav", 0, 3 * SR) == errors.PAST_END


def test_multi_channel_policy(tmp_path):
    path = tmp_path / "st.wav"
    sf.write(path, _signal(0.5, channels=2), SR, subtype="PCM_16")
    with pytest.raises(errors.AudioError) as e:
        read_entry(str(path))
    assert e.value.reason == errors.MULTI_CHANNEL
    first, _ = read_entry(str(path), multi_channel="first")
    mix, _ = read_entry(str(path), multi_channel="mix")
    assert first.ndim == 1 and np.abs(first).max() > 0.1 and np.abs(mix).max() < 1e-4


def test_iter_audio_groups_segments_and_reports_bad_ones(tmp_path):
    long = _signal(10.0, seed=3)
    sf.write(tmp_path / "long.flac", long, SR, subtype="PCM_16")
    ref, _ = sf.read(tmp_path / "long.flac", dtype="float32")
    (tmp_path / "wav.scp").write_text(f"r1 {tmp_path}/long.flac\nr2 {tmp_path}/gone.flac\n")
    (tmp_path / "segments").write_text("a r1 0.5 1.5\nb r1 2 4.25\nc r1 9.5 12\nd r2 0 1\ne r3 0 1\n")
    got = {utt: (x, sr) for utt, x, sr in iter_audio(tmp_path / "wav.scp", tmp_path / "segments")}
    assert np.array_equal(got["a"][0], ref[8000:24000]) and np.array_equal(got["b"][0], ref[32000:68000])
    assert got["c"][0].reason == errors.PAST_END
    assert got["d"][0].reason == errors.MISSING and "'d'" in got["d"][0].message
    assert got["e"][0].reason == errors.NO_AUDIO
    picked = [u for u, _, _ in iter_audio(tmp_path / "wav.scp", tmp_path / "segments", select=lambda i: i % 2 == 0)]
    assert picked == ["a", "c", "e"]
    asked: list[str] = []

    def by_id(utt):  # called before the audio is read, in table order
        asked.append(utt)
        return utt in ("b", "d")

    got = {u: x for u, x, _ in iter_audio(tmp_path / "wav.scp", tmp_path / "segments", select_utt=by_id)}
    assert asked == ["a", "b", "c", "d", "e"] and list(got) == ["b", "d"]
    assert np.array_equal(got["b"], ref[32000:68000]) and got["d"].reason == errors.MISSING
    whole = [u for u, _, _ in iter_audio(tmp_path / "wav.scp", select_utt=lambda u: u == "r1")]
    assert whole == ["r1"]


def test_stream_resampling_equals_one_shot():
    x = _signal(2.0, sr=22050)
    whole = resample(x, 22050, SR)
    stream = StreamResampler(22050, SR)
    parts = [stream(x[i:i + 7000]) for i in range(0, len(x), 7000)] + [stream(np.zeros(0, np.float32), last=True)]
    assert len(whole) == 2 * SR
    assert np.allclose(np.concatenate(parts), whole, atol=1e-6)
