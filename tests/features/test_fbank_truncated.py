"""compute_fbank on an unformatted dir (wav.scp -> original files) skips a truncated WAV as bad input."""

import json
from pathlib import Path

import numpy as np
import soundfile as sf

from asrllm.bin import compute_fbank
from asrllm.kaldi.table import read_table_dict

SR = 16000
REPO = Path(__file__).resolve().parents[2]


def test_compute_fbank_skips_a_truncated_wav_and_fails_past_the_limit(tmp_path):
    d = tmp_path / "data"
    d.mkdir()
    for i in range(4):
        sf.write(tmp_path / f"u{i}.wav", 0.3 * np.sin(np.arange(int(1.9 * SR)) * 0.05 * (i + 1)), SR,
                 subtype="PCM_16")
    cut = tmp_path / "u2.wav"  # the header says 1.9 s, 0.6 s of samples follow
    cut.write_bytes(cut.read_bytes()[:44 + int(0.6 * SR) * 2])
    (d / "wav.scp").write_text("".join(f"u{i} {tmp_path}/u{i}.wav\n" for i in range(4)))
    lenient = tmp_path / "lenient.yaml"
    lenient.write_text("max_bad_fraction: 0.3\n")
    argv = ["--data-dir", str(d), "--out-dir", str(tmp_path / "fbank"), "--nj", "2",
            "--cmd", str(REPO / "utils" / "run.pl")]
    assert compute_fbank.main(argv + ["--config", str(lenient)]) == 0
    assert sorted(read_table_dict(d / "feats.scp")) == ["u0", "u1", "u3"]
    reason = read_table_dict(tmp_path / "fbank" / "fbank.skipped")["u2"]
    assert reason.startswith("truncated utterance 'u2': ") and "header declares" in reason
    assert compute_fbank.main(argv) == 1  # default max_bad_fraction 0.05: 1 of 4 is too many
    report = json.loads((tmp_path / "fbank" / "fbank.report.json").read_text())
    assert report["status"] == "failed" and report["skipped_by_reason"] == {"truncated": 1}
