"""A sox pipe over a truncated WAV (speed perturbation) exits 0 and only warns: the entry fails, by name."""

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from asrllm.audio import errors
from asrllm.audio.audiofile import read_entry
from asrllm.bin import format_audio
from asrllm.kaldi.table import read_table_dict

SR = 16000
REPO = Path(__file__).resolve().parents[2]


def _wavs(a: Path) -> None:
    for name in ("good", "cut"):
        sf.write(a / f"{name}.wav", 0.3 * np.sin(np.arange(int(1.9 * SR)) * 0.05), SR, subtype="PCM_16")
    (a / "cut.wav").write_bytes((a / "cut.wav").read_bytes()[:44 + int(0.6 * SR) * 2])  # 0.6 of 1.9 s


@pytest.mark.parametrize("pipe", ["sox -t wav {a}/cut.wav -t wav - speed 0.9 |",
                                  "cat {a}/cut.wav | sox -t wav - -t wav - speed 1.1 |"])
def test_sox_premature_eof_fails_the_entry(tmp_path, pipe):
    _wavs(tmp_path)
    with pytest.raises(errors.AudioError) as e:
        read_entry(pipe.format(a=tmp_path))
    assert e.value.reason == errors.TRUNCATED and "Premature EOF" in e.value.message
    x, _ = read_entry(pipe.format(a=tmp_path).replace("cut.wav", "good.wav"))  # the same pipe on a whole file
    assert len(x) > SR


def test_format_audio_skips_the_truncated_sox_pipe_by_name(tmp_path):
    _wavs(tmp_path)
    d = tmp_path / "data"
    d.mkdir()
    utts = {"sp0.9-a": f"sox -t wav {tmp_path}/good.wav -t wav - speed 0.9 |",
            "sp0.9-b": f"sox -t wav {tmp_path}/cut.wav -t wav - speed 0.9 |"}
    (d / "wav.scp").write_text("".join(f"{u} {v}\n" for u, v in utts.items()))
    (d / "text").write_text("sp0.9-a one\nsp0.9-b two\n")
    (d / "utt2spk").write_text("sp0.9-a s\nsp0.9-b s\n")
    (tmp_path / "c.yaml").write_text("max_bad_fraction: 0.5\n")
    out = tmp_path / "out"
    assert format_audio.main(["--in-dir", str(d), "--out-dir", str(out), "--config", str(tmp_path / "c.yaml"),
                              "--cmd", str(REPO / "utils" / "run.pl")]) == 0
    assert sorted(read_table_dict(out / "wav.scp")) == ["sp0.9-a"]
    assert read_table_dict(out / "format.skipped")["sp0.9-b"].startswith("truncated recording 'sp0.9-b': ")
    assert json.loads((out / "format.report.json").read_text())["skipped_by_reason"] == {"truncated": 1}
