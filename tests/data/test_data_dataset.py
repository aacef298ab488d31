"""SpeechDataset / collate / loader: raw and dumped features agree, augmentation is seeded per utterance."""

import tracemalloc
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

from asrllm.bin import compute_cmvn, compute_fbank
from asrllm.data.collate import collate_speech
from asrllm.data.config import data_config_from_dict
from asrllm.loading.dataset import SpeechDataset
from asrllm.data.index import UttIndex
from asrllm.loading.loader import build_dataloader
from asrllm.data.sampler import SampleKey
from asrllm.kaldi.table import DataError

SR = 16000
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def formatted(tmp_path_factory):
    """A formatted data dir (what format_audio writes) with dumped features, and its CMVN."""
    root = tmp_path_factory.mktemp("ds")
    d = root / "data"
    d.mkdir()
    rng = np.random.default_rng(0)
    utts = [f"spk{i % 3}-utt{i:02d}" for i in range(12)]
    wav, n, text, phn = [], [], [], []
    for i, u in enumerate(sorted(utts)):
        x = (0.2 * np.sin(2 * np.pi * (150 + 20 * i) * np.arange(int(SR * (0.6 + 0.1 * i))) / SR)
             + 0.01 * rng.standard_normal(int(SR * (0.6 + 0.1 * i)))).astype(np.float32)
        sf.write(root / f"{u}.flac", x, SR, subtype="PCM_16")
        wav.append(f"{u} {root / (u + '.flac')}\n")
        n.append(f"{u} {len(x)}\n")
        text.append(f"{u} words {i}\n")
        phn.append(f"{u} w er d z\n")
    for name, lines in (("wav.scp", wav), ("utt2num_samples", n), ("text", text), ("text.phn", phn)):
        (d / name).write_text("".join(lines))
    (d / "utt2spk").write_text("".join(f"{u} {u.split('-')[0]}\n" for u in sorted(utts)))
    run = str(REPO / "utils" / "run.pl")
    assert compute_fbank.main(["--data-dir", str(d), "--out-dir", str(root / "fbank"), "--cmd", run]) == 0
    assert compute_cmvn.main(["--data-dir", str(d), "--out", str(root / "cmvn.json")]) == 0
    return d, str(root / "cmvn.json")


def _cfg(**over):
    base = {"feats_type": "raw", "batching": {"frames_budget": 400, "seed": 5}}
    for k, v in over.items():
        base[k] = {**base.get(k, {}), **v} if isinstance(v, dict) else v
    return data_config_from_dict(base)


def test_raw_and_dumped_features_agree_for_eval(formatted):
    d, cmvn = formatted
    raw = SpeechDataset(str(d), _cfg(), "eval", cmvn, tables=("text", "text.phn"))
    dumped = SpeechDataset(str(d), _cfg(feats_type="fbank", noise={"enabled": False}), "eval", cmvn)
    assert len(raw) == len(dumped) == 12 and np.array_equal(raw.lengths, dumped.lengths)
    for i in range(len(raw)):
        a, b = raw[i], dumped[i]
        assert a["uttid"] == b["uttid"] and a["text"] == b["text"] and a["text.phn"] == "w er d z"
        assert a["feats"].shape == (raw.lengths[i], 80)
        assert torch.allclose(a["feats"], b["feats"], atol=1e-4)
    mean = torch.cat([raw[i]["feats"] for i in range(len(raw))]).mean(0)
    assert mean.abs().max() < 1e-3  # CMVN statistics of this very set


def _loader_batches(d, cmvn, cfg, workers, epoch):
    loader, sampler = build_dataloader(str(d), cfg, "train", cmvn, num_workers=workers)
    sampler.set_epoch(epoch)
    return [(b["uttids"], b["feats"], b["feats_lengths"]) for b in loader]


def test_augmentation_is_seeded_per_utterance_not_per_worker(formatted):
    d, cmvn = formatted
    cfg = _cfg(noise={"prob": 0.5}, fbank={"train_dither": 1.0}, speed_perturb={"online": True})
    serial = _loader_batches(d, cmvn, cfg, 0, epoch=1)
    parallel = _loader_batches(d, cmvn, cfg, 2, epoch=1)
    assert [b[0] for b in serial] == [b[0] for b in parallel]
    for (_, fa, la), (_, fb, lb) in zip(serial, parallel):
        assert torch.equal(la, lb) and torch.equal(fa, fb)
    clean = SpeechDataset(str(d), cfg, "eval", cmvn)
    train = SpeechDataset(str(d), cfg, "train", cmvn)
    pairs = [(train[SampleKey(i, 1, 0)]["feats"], clean[i]["feats"]) for i in range(12)]
    assert not any(a.shape == b.shape and torch.equal(a, b) for a, b in pairs)
    assert sum(a.shape[0] != b.shape[0] for a, b in pairs) >= 6  # online speed (and padding) change lengths
    assert not torch.equal(train[SampleKey(3, 1, 0)]["feats"], train[SampleKey(3, 2, 0)]["feats"])
    assert torch.equal(train[SampleKey(3, 2, 0)]["feats"], train[SampleKey(3, 2, 7)]["feats"])


def test_collate_pads_and_drops_failed_items():
    items = [{"uttid": "a", "feats": torch.ones(3, 2), "pos": 4, "text": "x"}, None,
             {"uttid": "b", "feats": torch.full((5, 2), 2.0), "pos": 4, "text": "y"}]
    b = collate_speech(items)
    assert b["uttids"] == ["a", "b"] and b["feats"].shape == (2, 5, 2) and b["feats_lengths"].tolist() == [3, 5]
    assert b["feats"][0, 3:].abs().sum() == 0 and b["text"] == ["x", "y"]
    assert b["pos"] == 4
    with pytest.raises(RuntimeError, match="failed to load"):
        collate_speech([None])


def test_unreadable_audio_is_named_and_left_out(formatted, tmp_path, caplog):
    d, _ = formatted
    broken = tmp_path / "broken"
    broken.mkdir()
    for name in ("utt2num_samples", "text", "utt2spk"):
        (broken / name).write_text((d / name).read_text())
    lines = (d / "wav.scp").read_text().splitlines()
    lines[2] = lines[2].split()[0] + " " + str(tmp_path / "vanished.flac")
    (broken / "wav.scp").write_text("\n".join(lines) + "\n")
    ds = SpeechDataset(str(broken), _cfg(), "eval")
    assert ds[2] is None and ds.index.uttid(2) in caplog.text and ds[1] is not None


def test_segments_and_missing_feats(formatted, tmp_path):
    d, _ = formatted
    seg = tmp_path / "seg"
    seg.mkdir()
    first = (d / "wav.scp").read_text().splitlines()[-1]  # the longest file, 1.7 s
    (seg / "wav.scp").write_text(f"rec {first.split()[1]}\n")
    (seg / "segments").write_text("rec-a rec 0.1 0.9\nrec-b rec 0.5 1.7\n")
    (seg / "utt2num_samples").write_text(f"rec-a {int(0.8 * SR)}\nrec-b {int(1.2 * SR)}\n")
    (seg / "text").write_text("rec-a one\nrec-b two\n")
    ds = SpeechDataset(str(seg), _cfg(), "eval")
    assert [ds[i]["uttid"] for i in range(2)] == ["rec-a", "rec-b"]
    assert ds[1]["feats"].shape[0] == ds.lengths[1] == 1 + (int(1.2 * SR) - 400) // 160
    with pytest.raises(DataError, match="compute_fbank"):
        SpeechDataset(str(seg), _cfg(feats_type="fbank", noise={"enabled": False}), "eval")


def test_index_joins_tables_that_disagree(formatted, tmp_path, caplog):
    d, _ = formatted
    part = tmp_path / "part"
    part.mkdir()
    for name in ("wav.scp", "utt2num_samples", "utt2spk"):
        (part / name).write_text((d / name).read_text())
    text = (d / "text").read_text().splitlines()
    (part / "text").write_text("\n".join(text[:4] + text[5:]) + "\nzzz-only-text hello\n")
    index = UttIndex(str(part), "raw", ("text",), lambda s: 1 + (s - 400) // 160)
    assert len(index) == 11 and "1 utterance(s)" in caplog.text
    assert [index.uttid(i) for i in range(len(index))] == [line.split()[0] for line in text[:4] + text[5:]]
    assert index.value("text", 4) == text[5].split(" ", 1)[1]


def test_index_memory_is_a_few_bytes_per_utterance(tmp_path):
    n = 40_000
    keys = [f"speaker{i // 50:05d}-utterance{i:07d}" for i in range(n)]
    (tmp_path / "wav.scp").write_text("".join(f"{k} /corpus/audio/{k}.flac\n" for k in keys))
    (tmp_path / "utt2num_samples").write_text("".join(f"{k} {16000 + i}\n" for i, k in enumerate(keys)))
    (tmp_path / "text").write_text("".join(f"{k} some words for utterance {i}\n" for i, k in enumerate(keys)))
    tracemalloc.start()
    index = UttIndex(str(tmp_path), "raw", ("text",), lambda s: 1 + (s - 400) // 160)
    held, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(index) == n and index.uttid(n - 1) == keys[-1] and index.value("text", 7).endswith(" 7")
    assert held / n < 40, f"{held / n:.0f} bytes per utterance"
