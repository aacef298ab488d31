"""A clip too short for one encoder frame (< 7 fbank frames, about 0.085 s) gets an empty too_short result;
the rest of its batch decodes as it would without it (issue 19.4)."""

import shutil

import pytest
import torch

from asrllm.bin import decode as decode_cli
from asrllm.bin import decode_shard as shard_cli
from asrllm.decode.config import DecodeConfig
from asrllm.decode.recognizer import Recognizer
from asrllm.models.subsampling import MIN_INPUT_FRAMES
from asrllm.decode.search import TOO_SHORT
from asrllm.testing.toy_model import write_toy_data_dir
from asrllm.kaldi.speakers import write_spk2utt
from asrllm.kaldi.table import read_table_dict

CFG = dict(max_new_tokens_factor=1.0, max_new_tokens_constant=3)


def pad(feats_list):
    lens = torch.tensor([f.shape[0] for f in feats_list])
    batch = torch.zeros(len(feats_list), int(lens.max()), 80)
    for i, f in enumerate(feats_list):
        batch[i, :f.shape[0]] = f
    return batch, lens


def decode_in_process(model_dir, pairs, cmvn, monkeypatch, opts=()) -> int:
    def fake_run_jobs(cmd, nj, log_pattern, module, args):
        for j in range(1, nj + 1):
            assert shard_cli.main([a.replace("JOB", str(j)) for a in args] + ["--num-threads", "1"]) == 0
    monkeypatch.setattr("asrllm.decode.run.run_jobs", fake_run_jobs)
    argv = ["--model-dir", str(model_dir), "--cmvn", str(cmvn), "--nj", "1",
            *(f"--opt={k}={v}" for k, v in CFG.items()), *opts]
    for data, out in pairs:
        argv += ["--data-dir", str(data), "--out-dir", str(out)]
    return decode_cli.main(argv)


def test_encoder_needs_seven_frames(toy_model):
    lens = torch.tensor([0, 3, 6, 7, 10])
    assert toy_model.encoder.output_lengths(lens).tolist() == [0, 0, 0, 1, 1]
    assert int(lens[3]) == MIN_INPUT_FRAMES  # stage 4's threshold is the first length with a frame
    with torch.no_grad():
        assert toy_model.encoder(torch.zeros(1, 7, 80), torch.tensor([7]))[1].tolist() == [1]


@pytest.mark.parametrize("beam", [1, 2])
def test_short_rows_leave_the_batch(toy_model, toy_feats, beam):
    rec = Recognizer(toy_model, DecodeConfig(beam_size=beam, **CFG), "cpu")
    feats = [f for f, _ in toy_feats[:3]]
    short = [feats[0][:6], feats[1][:0]]
    alone = rec(*pad(feats))
    mixed = rec(*pad([short[0], feats[0], feats[1], short[1], feats[2]]))
    assert [r.finish_reason for r in mixed].count(TOO_SHORT) == 2
    for r in (mixed[0], mixed[3]):
        assert (r.text, r.tokens, r.score, r.finish_reason, r.ctc) == ("", [], 0.0, TOO_SHORT, {"phone": []})
    assert [mixed[1], mixed[2], mixed[4]] == alone
    only_short = rec(*pad(short))  # no row left for the encoder: no IndexError
    assert [r.finish_reason for r in only_short] == [TOO_SHORT, TOO_SHORT]


def test_stage11_keeps_the_set(toy_model_dir, toy_data, tmp_path, monkeypatch, caplog):
    _, cmvn = toy_data
    durs = [1.0, 0.05, 1.7, 0.02, 0.8]
    with_short = write_toy_data_dir(tmp_path / "with", durs)
    without = tmp_path / "without"
    shutil.copytree(with_short, without)
    short = ["spk1-utt001", "spk1-utt003"]
    for name in ("wav.scp", "utt2num_samples", "utt2spk", "text"):
        lines = (without / name).read_text().splitlines()
        (without / name).write_text("".join(f"{x}\n" for x in lines if x.split()[0] not in short))
    write_spk2utt(without / "utt2spk", without / "spk2utt")
    pairs = [(with_short, tmp_path / "d/with"), (without, tmp_path / "d/without")]
    # batches of 2 by length: the two short clips make one batch (the encoder used to raise IndexError)
    assert decode_in_process(toy_model_dir, pairs, cmvn, monkeypatch, ["--opt=max_batch_size=2"]) == 0
    assert "2 utterance(s) too short for one encoder frame" in caplog.text and "spk1-utt001 spk1-utt003" in caplog.text
    got, ref = tmp_path / "d/with", tmp_path / "d/without"
    reasons = read_table_dict(got / "finish_reason")
    assert [reasons[u] for u in short] == [TOO_SHORT, TOO_SHORT]
    expected = {"logprob": "0.0000", "finish_reason": TOO_SHORT}
    for name in ("text", "token", "token_int", "logprob", "finish_reason", "text.ctc_phone"):
        a = read_table_dict(got / name, allow_empty_value=True)
        assert [a.pop(u) for u in short] == [expected.get(name, "")] * 2, name
        assert a == read_table_dict(ref / name, allow_empty_value=True), name
