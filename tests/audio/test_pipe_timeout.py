"""A wav.scp pipe that hangs is killed after format.pipe_timeout, with its whole process group."""

import json
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from asrllm.audio import errors
from asrllm.audio.audiofile import read_entry
from asrllm.audio.pipe import pipe_to_bytes, pipe_to_file
from asrllm.bin import compute_fbank, format_audio
from asrllm.config import ConfigError
from asrllm.data.config import load_data_config
from asrllm.kaldi.table import read_table_dict

SR = 16000
REPO = Path(__file__).resolve().parents[2]


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a killed child may wait as a zombie for its new parent to reap it


@pytest.mark.parametrize("to_file", [False, True])
def test_a_hanging_pipe_times_out_and_leaves_no_process(tmp_path, to_file):
    pidfile = tmp_path / "pid"
    cmd = f"sleep 1000 & echo $! > {pidfile}; wait"
    start = time.monotonic()
    with pytest.raises(errors.AudioError) as e:
        pipe_to_file(cmd, tmp_path / "o", 0.5) if to_file else pipe_to_bytes(cmd, 0.5)
    assert time.monotonic() - start < 10
    assert e.value.reason == errors.PIPE_TIMEOUT and "pipe timed out after 0.5 s" in e.value.message
    assert not (tmp_path / "o").exists()
    pid = int(pidfile.read_text())
    deadline = time.monotonic() + 5
    while _running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(pid), "the pipe's sleep outlived the timeout"


def test_read_entry_times_out_on_a_pipe_that_writes_nothing_and_waits():
    with pytest.raises(errors.AudioError) as e:
        read_entry("cat /dev/zero | head -c 0; sleep 100 |", pipe_timeout=0.5)
    assert e.value.reason == errors.PIPE_TIMEOUT


def test_pipe_timeout_must_be_positive(tmp_path):
    (tmp_path / "c.yaml").write_text("format:\n  pipe_timeout: 0\n")
    with pytest.raises(ConfigError, match="pipe_timeout"):
        load_data_config(tmp_path / "c.yaml")
    assert load_data_config(None).format.pipe_timeout == 300


def test_stages_skip_the_hanging_pipe_by_name_and_keep_the_rest(tmp_path):
    d = tmp_path / "data"
    d.mkdir()
    for i in range(3):
        sf.write(tmp_path / f"u{i}.wav", 0.3 * np.sin(np.arange(SR) * 0.05 * (i + 1)), SR, subtype="PCM_16")
    wav = {"u0": f"{tmp_path}/u0.wav", "u1": f"sox {tmp_path}/u1.wav -t wav - |", "u2": f"{tmp_path}/u2.wav",
           "u3": "sleep 1000 |"}
    (d / "wav.scp").write_text("".join(f"{u} {v}\n" for u, v in wav.items()))
    (d / "text").write_text("".join(f"{u} words\n" for u in wav))
    (d / "utt2spk").write_text("".join(f"{u} s\n" for u in wav))
    cfg = tmp_path / "c.yaml"
    cfg.write_text("max_bad_fraction: 0.3\nformat:\n  pipe_timeout: 1\n")
    common = ["--config", str(cfg), "--nj", "2", "--cmd", str(REPO / "utils" / "run.pl")]
    out, fbank = tmp_path / "raw", tmp_path / "fbank"
    assert format_audio.main(["--in-dir", str(d), "--out-dir", str(out)] + common) == 0
    assert compute_fbank.main(["--data-dir", str(d), "--out-dir", str(fbank)] + common) == 0  # unformatted dir
    for table, skipped in ((out / "wav.scp", out / "format.skipped"), (d / "feats.scp", fbank / "fbank.skipped")):
        assert sorted(read_table_dict(table)) == ["u0", "u1", "u2"]
        reason, message = read_table_dict(skipped)["u3"].split(" ", 1)
        assert reason == "pipe-timeout" and "'u3'" in message and "pipe timed out after 1 s" in message
    assert json.loads((fbank / "fbank.report.json").read_text())["skipped_by_reason"] == {"pipe-timeout": 1}
