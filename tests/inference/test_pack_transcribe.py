"""The packed folder is self-contained; Speech2Text and the transcribe CLI give the decoder's transcripts
offline; long audio is chunked; LoRA can be merged on request."""

import json
import shutil
import socket

import numpy as np
import pytest
import soundfile as sf
import torch
import yaml

from asrllm.bin import transcribe as cli
from asrllm.decode.recognizer import Recognizer
from asrllm.inference import Speech2Text
from asrllm.inference.chunking import join_texts
from asrllm.inference.pack import pack_model
from asrllm.kaldi.table import read_table_dict
from asrllm.decode.config import load_decode_config


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network access attempted while loading a packed model")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def expected_texts(model_dir, cmvn, wavs):
    """The decoder's transcripts of the same features (the stage-11 path)."""
    from asrllm.data.config import DataConfig
    from asrllm.features.cmvn import GlobalCmvn
    from asrllm.features.fbank import Fbank

    rec = Recognizer.from_pretrained(model_dir, load_decode_config(model_dir / "decode.yaml"), "cpu")
    fbank, norm = Fbank(DataConfig().fbank), GlobalCmvn.from_json(cmvn)
    out = []
    for w in wavs:
        f = torch.from_numpy(norm(fbank(sf.read(w, dtype="float32")[0])))
        out.append(" ".join(rec(f[None], torch.tensor([f.shape[0]]))[0].text.split()))
    return out


def test_packed_folder_is_self_contained(packed):
    out, src, cmvn = packed
    names = {p.name for p in out.iterdir()}
    assert {"config.yaml", "speech.pt", "units", "llm", "frontend.yaml", "cmvn.json", "decode.yaml", "README.md",
            "pack.json"} <= names
    cfg = yaml.safe_load((out / "config.yaml").read_text())["model"]
    assert cfg["prompt"]["user"] == "Transcribe the speech into text <speech>." and cfg["llm"] == {"path": "llm"}
    assert yaml.safe_load((out / "decode.yaml").read_text())["max_new_tokens_constant"] == 3
    assert (out / "cmvn.json").read_bytes() == cmvn.read_bytes()
    readme = (out / "README.md").read_text()
    assert "|test|3|10|90.00|" in readme and "### RESULTS: toy" in readme and "<speech>" in readme
    manifest = json.loads((out / "pack.json").read_text())
    assert manifest["files"]["llm/model.safetensors"] and "pack.json" not in manifest["files"]
    assert not any("tmp" in p.name for p in out.parent.iterdir())


def test_speech2text_offline_matches_the_decoder(packed, audio_dir, no_network, tmp_path):
    out, src, cmvn = packed
    moved = tmp_path / "elsewhere"
    shutil.copytree(out, moved)  # nothing may point back to where the model was trained
    shutil.move(str(src), str(tmp_path / "src_gone"))
    try:
        s2t = Speech2Text.from_pretrained(moved, device="cpu")
        wavs = sorted(read_table_dict(audio_dir / "wav.scp").values())
        got = [t.text for t in s2t.transcribe(wavs)]
        assert got == expected_texts(moved, cmvn, wavs)
        assert s2t(wavs[0]) == got[0]
        x, sr = sf.read(wavs[1], dtype="float32")
        assert s2t(x, sample_rate=sr) == got[1]
        # another rate is resampled: close to, not necessarily equal to, the 16 kHz result; must run
        assert isinstance(s2t(np.repeat(x, 2), sample_rate=2 * sr), str)
    finally:
        shutil.move(str(tmp_path / "src_gone"), str(src))


def test_long_audio_is_chunked(packed, audio_dir):
    out, _, _ = packed
    s2t = Speech2Text.from_pretrained(out, device="cpu", max_chunk_sec=1.0)
    samples = read_table_dict(audio_dir / "utt2num_samples")
    longest = max(samples, key=lambda u: int(samples[u]))  # 2.0 s
    t = s2t.transcribe([read_table_dict(audio_dir / "wav.scp")[longest]])[0]
    assert len(t.chunks) == 3 and t.chunks[0].start == 0 and t.chunks[-1].end == pytest.approx(2.0)
    assert all(0 < c.end - c.start <= 1.0 + 1e-9 for c in t.chunks)
    assert all(a.end == b.start for a, b in zip(t.chunks, t.chunks[1:]))
    assert t.text == join_texts([c.text for c in t.chunks])


def test_cli_prints_and_writes_kaldi_text(packed, audio_dir, capsys, tmp_path):
    out, _, cmvn = packed
    wavs = sorted(read_table_dict(audio_dir / "wav.scp").values())
    assert cli.main(["--model-dir", str(out), *wavs[:2]]) == 0
    lines = capsys.readouterr().out.splitlines()
    expected = expected_texts(out, cmvn, wavs)
    assert lines == [f"{w} {t}".rstrip() for w, t in zip(wavs[:2], expected[:2])]
    text = tmp_path / "text"
    assert cli.main(["--model-dir", str(out), "--wav-scp", str(audio_dir / "wav.scp"), "--out", str(text)]) == 0
    got = read_table_dict(text, allow_empty_value=True)
    scp = read_table_dict(audio_dir / "wav.scp")
    assert got == {u: " ".join(t.split()) for u, t in zip(sorted(scp, key=lambda u: scp[u]), expected)}


def test_cli_errors(packed, tmp_path, caplog):
    out, _, _ = packed
    assert cli.main(["--model-dir", str(out)]) == 1
    assert "nothing to transcribe" in caplog.text
    assert cli.main(["--model-dir", str(tmp_path), str(tmp_path / "a.wav")]) == 1
    assert "not a packed model" in caplog.text


def test_lora_merged_on_request(tmp_path, audio_dir):
    from asrllm.data.config import DataConfig
    from asrllm.decode.config import DecodeConfig
    from asrllm.testing.toy_model import build_toy_model, write_cmvn

    src = build_toy_model(tmp_path / "src", lora=True)
    cmvn = write_cmvn(audio_dir, tmp_path / "cmvn.json")
    decode = DecodeConfig(max_new_tokens_factor=1.0, max_new_tokens_constant=3)
    kept = pack_model(src, tmp_path / "kept", DataConfig(), cmvn, decode)
    merged = pack_model(src, tmp_path / "merged", DataConfig(), cmvn, decode, merge_lora=True)
    assert (kept / "llm_base").is_dir() and not (merged / "llm_base").is_dir()
    assert json.loads((merged / "pack.json").read_text())["lora"] == "merged"
    wavs = sorted(read_table_dict(audio_dir / "wav.scp").values())
    a = Speech2Text.from_pretrained(kept, device="cpu").transcribe(wavs)
    b = Speech2Text.from_pretrained(merged, device="cpu").transcribe(wavs)
    assert [t.text for t in a] == [t.text for t in b]
