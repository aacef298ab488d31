"""Stage 11 end to end: sharding, merging, output tables, rtf.json, failures (the launcher itself runs in the
mini recipe's smoke test; here the JOB=1:N shards run in this process)."""

import json
import shutil

import pytest
import torch

from asrllm.bin import decode as decode_cli
from asrllm.bin import decode_shard as shard_cli
from asrllm.decode.config import DecodeConfig
from asrllm.decode.recognizer import Recognizer
from asrllm.kaldi.table import read_table_dict

OPTS = ["--opt", "max_new_tokens_factor=1.0", "--opt", "max_new_tokens_constant=3"]


def in_process_jobs(monkeypatch):
    """Run the JOB=1:N shards in this process, one after another."""
    def fake_run_jobs(cmd, nj, log_pattern, module, args):
        assert module == "asrllm.bin.decode_shard"
        for j in range(1, nj + 1):
            assert shard_cli.main([a.replace("JOB", str(j)) for a in args] + ["--num-threads", "1"]) == 0
    monkeypatch.setattr("asrllm.decode.run.run_jobs", fake_run_jobs)


def decode(model_dir, pairs, cmvn, nj, extra=()):
    argv = ["--model-dir", str(model_dir), "--cmvn", str(cmvn), "--nj", str(nj), *OPTS, *extra]
    for data, out in pairs:
        argv += ["--data-dir", str(data), "--out-dir", str(out)]
    return decode_cli.main(argv)


def test_sharded_decoding_merges_to_the_unsharded_result(toy_model_dir, toy_model, toy_data, toy_feats, tmp_path,
                                                         monkeypatch):
    in_process_jobs(monkeypatch)
    data, cmvn = toy_data
    nonspeech = tmp_path / "copy"
    shutil.copytree(data, nonspeech)
    assert decode(toy_model_dir, [(data, tmp_path / "d1/test"), (nonspeech, tmp_path / "d1/copy")], cmvn, 1) == 0
    assert decode(toy_model_dir, [(data, tmp_path / "d3/test")], cmvn, 3) == 0
    one, three = tmp_path / "d1/test", tmp_path / "d3/test"
    utts = sorted(read_table_dict(data / "wav.scp"))
    for name in ("text", "token", "token_int", "logprob", "finish_reason", "text.ctc_phone"):
        a = (one / name).read_text()
        assert a == (three / name).read_text(), name
        assert [line.split(" ", 1)[0].strip() for line in a.splitlines()] == utts, name
    assert (one / "text").read_text() == (tmp_path / "d1/copy/text").read_text()
    reasons = read_table_dict(one / "finish_reason")
    assert set(reasons.values()) <= {"eos", "max_tokens"}
    rtf = json.loads((three / "rtf.json").read_text())
    assert rtf["num_utts"] == len(utts) and rtf["nj"] == 3 and rtf["rtf"] > 0
    assert sum(rtf["finish_reasons"].values()) == len(utts)
    assert rtf["audio_seconds"] == pytest.approx(sum([1.0, 2.6, 1.7, 3.3, 0.8, 2.1, 1.2]), abs=0.2)
    assert rtf["decode_config"]["max_new_tokens_constant"] == 3
    assert not (three / ".work").exists()
    # the hypotheses are the recognizer's on the same features, one at a time; text = decoded token_int
    rec = Recognizer(toy_model, DecodeConfig(max_new_tokens_factor=1.0, max_new_tokens_constant=3), "cpu")
    texts, ids = read_table_dict(one / "text", allow_empty_value=True), read_table_dict(one / "token_int")
    for feats, utt in toy_feats:
        r = rec(feats[None], torch.tensor([feats.shape[0]]))[0]
        assert ids[utt] == " ".join(map(str, r.tokens))
        assert texts[utt] == " ".join(toy_model.prompt.decode(r.tokens).split())


def test_unreadable_audio_fails_the_stage_without_rtf(toy_model_dir, toy_data, tmp_path, monkeypatch):
    in_process_jobs(monkeypatch)
    data, cmvn = toy_data
    bad = tmp_path / "bad"
    shutil.copytree(data, bad)
    (bad / "junk.wav").write_bytes(b"not audio")
    lines = (bad / "wav.scp").read_text().splitlines()
    lines[:2] = [f"{line.split()[0]} {bad / 'junk.wav'}" for line in lines[:2]]  # 2 of 7: above 5%
    (bad / "wav.scp").write_text("\n".join(lines) + "\n")
    out = tmp_path / "out"
    (out).mkdir()
    (out / "rtf.json").write_text("{}")  # from an earlier run: must not survive a failed one
    assert decode(toy_model_dir, [(bad, out)], cmvn, 2) == 1
    assert not (out / "rtf.json").exists() and not (out / "text").exists()
