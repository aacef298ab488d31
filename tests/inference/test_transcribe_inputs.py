"""Inputs that used to crash transcription (issue 19.4): an unreadable file is reported by name and the others
are still written (exit 1); a clip too short for one encoder frame gets an empty too_short transcript;
--verbose shows each input's finish reason."""

import numpy as np
import pytest
import soundfile as sf

from asrllm.bin import transcribe as cli
from asrllm.data.shards import StageError
from asrllm.inference import Speech2Text
from asrllm.kaldi.table import read_table_dict, table_line


@pytest.fixture(scope="module")
def inputs(packed, audio_dir, tmp_path_factory):
    """(good wavs, a missing path, a non-audio file, a 0.05 s clip)."""
    d = tmp_path_factory.mktemp("bad_inputs")
    (d / "junk.wav").write_bytes(b"not audio")
    sf.write(d / "short.wav", np.full(800, 0.1, np.float32), 16000)
    wavs = sorted(read_table_dict(audio_dir / "wav.scp").values())
    return wavs, str(d / "missing.wav"), str(d / "junk.wav"), str(d / "short.wav")


@pytest.fixture(scope="module")
def alone(packed, inputs):
    """Each good wav's transcript, transcribed on its own."""
    s2t = Speech2Text.from_pretrained(packed[0], device="cpu")
    return {w: s2t(w) for w in inputs[0]}


def test_short_clip_is_too_short(packed, inputs, alone):
    wavs, _, _, short = inputs
    s2t = Speech2Text.from_pretrained(packed[0], device="cpu")
    got = s2t.transcribe([wavs[0], short, wavs[1]])
    assert (got[1].text, got[1].finish_reason, got[1].error) == ("", "too_short", "")
    assert [got[0].text, got[2].text] == [alone[wavs[0]], alone[wavs[1]]]
    assert got[0].finish_reason in ("eos", "max_tokens")
    assert s2t(np.zeros(100, np.float32), sample_rate=16000) == ""  # no fbank frame at all
    with pytest.raises(Exception, match="missing.wav"):  # without skip_errors the library still raises
        s2t.transcribe([inputs[1]])


def test_unreadable_input_is_reported_and_the_rest_written(packed, inputs, alone, capsys, caplog, tmp_path):
    wavs, missing, junk, short = inputs
    argv = ["--model-dir", str(packed[0]), wavs[0], missing, wavs[1], junk]
    assert cli.main(argv) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [table_line(w, alone[w]).rstrip("\n").rstrip() for w in wavs[:2]]
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert errors[0].startswith(f"{missing}: ") and errors[1].startswith(f"{junk}: ") and len(errors) == 3
    assert "2 of 4 input(s) could not be read" in errors[2]
    assert "Traceback" not in err + caplog.text
    text = tmp_path / "text"
    assert cli.main(argv[:2] + ["--out", str(text)] + argv[2:]) == 1
    assert read_table_dict(text, allow_empty_value=True) == {w: alone[w] for w in wavs[:2]}


def test_verbose_prints_finish_reasons(packed, inputs, capsys):
    wavs, missing, _, short = inputs
    assert cli.main(["--model-dir", str(packed[0]), "--verbose", wavs[0], short, missing]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines()[1] == short  # an empty transcript: the key alone
    reasons = dict(line.split(" finish_reason=") for line in err.splitlines() if " finish_reason=" in line)
    assert reasons[short] == "too_short" and reasons[wavs[0]] in ("eos", "max_tokens") and missing not in reasons
    assert "finish_reason" in cli.build_parser().format_help()


def test_parallel_jobs_keep_the_good_parts(packed, inputs, alone, tmp_path, monkeypatch, caplog, capsys):
    wavs, missing, junk, short = inputs

    def in_process(cmd, nj, log_pattern, module, args):  # the launcher: every job runs, failures reported at the end
        codes = [cli.main([a.replace("JOB", str(j)) for a in args]) for j in range(1, nj + 1)]
        if any(codes):
            raise StageError(f"{module}: failed job(s)")
    monkeypatch.setattr("asrllm.inference.run.run_jobs", in_process)
    scp = tmp_path / "wav.scp"
    rows = [("a", wavs[0]), ("b", missing), ("c", wavs[1]), ("d", short), ("e", junk), ("f", wavs[2])]
    scp.write_text("".join(table_line(k, v) for k, v in rows))
    text = tmp_path / "text"
    argv = ["--model-dir", str(packed[0]), "--wav-scp", str(scp), "--out", str(text), "--nj", "3", "--verbose"]
    assert cli.main(argv) == 1
    assert read_table_dict(text, allow_empty_value=True) == {"a": alone[wavs[0]], "c": alone[wavs[1]], "d": "",
                                                              "f": alone[wavs[2]]}
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR" and r.name == "asrllm.transcribe"]
    assert [e.split(":")[0] for e in errors[-3:-1]] == ["b", "e"] and "2 of 6 input(s)" in errors[-1]
    assert "d finish_reason=too_short" in capsys.readouterr().err.splitlines()
    assert not (tmp_path / "text.work").exists()
