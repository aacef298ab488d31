"""A WAV cut short behind its header is refused by the shared readers too, not only by stage 3's probe."""

import subprocess

import numpy as np
import pytest
import soundfile as sf

from asrllm.audio import errors
from asrllm.audio.audiofile import probe, read_entry
from asrllm.audio.reader import iter_audio

SR = 16000


def _wav(path, seconds: float) -> None:
    sf.write(path, 0.3 * np.sin(np.arange(int(seconds * SR)) * 0.05).astype(np.float32), SR, subtype="PCM_16")


def _cut_wav(path) -> None:
    """A header declaring 1.9 s in front of 0.6 s of samples (a copy that stopped early)."""
    _wav(path, 1.9)
    path.write_bytes(path.read_bytes()[:44 + int(0.6 * SR) * 2])


def test_read_entry_refuses_a_truncated_wav(tmp_path):
    _cut_wav(tmp_path / "cut.wav")
    with pytest.raises(errors.AudioError) as e:
        read_entry(str(tmp_path / "cut.wav"), 0.0, 0.5)  # even a range inside the samples that are there
    assert e.value.reason == errors.TRUNCATED


@pytest.mark.parametrize("with_segments", [False, True])
def test_iter_audio_names_the_truncated_utterance_and_keeps_the_good_one(tmp_path, with_segments):
    _wav(tmp_path / "good.wav", 1.0)
    _cut_wav(tmp_path / "cut.wav")
    (tmp_path / "wav.scp").write_text(f"a-good {tmp_path}/good.wav\nb-cut {tmp_path}/cut.wav\n")
    segments = None
    if with_segments:
        segments = tmp_path / "segments"
        segments.write_text("a-good-1 a-good 0 0.5\nb-cut-1 b-cut 0 0.5\n")
    got = {u: x for u, x, _ in iter_audio(tmp_path / "wav.scp", segments)}
    good, cut = ("a-good-1", "b-cut-1") if with_segments else ("a-good", "b-cut")
    assert isinstance(got[good], np.ndarray) and len(got[good]) == (SR // 2 if with_segments else SR)
    assert got[cut].reason == errors.TRUNCATED and f"'{cut}'" in got[cut].message


def test_a_streamed_wav_with_sox_unknown_length_is_not_truncated(tmp_path):
    _wav(tmp_path / "a.wav", 0.5)  # sox into a pipe writes data size 0x7FFFF000 ("unknown")
    streamed = tmp_path / "streamed.wav"
    subprocess.run(f"sox {tmp_path}/a.wav -t wav - speed 0.9 | cat > {streamed}", shell=True, check=True)
    probe(streamed)  # stage 3 no longer calls it truncated either
    x, sr = read_entry(str(streamed))
    assert sr == SR and abs(len(x) - SR * 0.5 / 0.9) < 100
