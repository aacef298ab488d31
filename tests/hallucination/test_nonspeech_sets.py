"""make_nonspeech_sets: real wav files + a valid Kaldi dir, reproducible, readable by the decoder's loader."""

import numpy as np
import pytest
import soundfile as sf

from asrllm.bin import make_nonspeech_sets as cli
from asrllm.data.config import DataConfig
from asrllm.loading.dataset import SpeechDataset
from asrllm.decode.shard import eval_data_config
from asrllm.testing.toy_model import write_toy_data_dir
from asrllm.kaldi.table import read_table_dict
from asrllm.kaldi.validate import Options, validate_data_dir


@pytest.fixture(scope="module")
def train_dir(tmp_path_factory):
    return write_toy_data_dir(tmp_path_factory.mktemp("train") / "train", [1.0, 1.5, 0.7, 2.0, 1.2, 0.9])


def make(out, train_dir=None, *extra):
    argv = ["--out-dir", str(out), "--num-per-kind", "2", "--min-duration", "0.5", "--max-duration", "1.5", *extra]
    if train_dir:
        argv += ["--train-dir", str(train_dir)]
    return cli.main(argv)


def test_every_kind_as_a_valid_data_dir(train_dir, tmp_path):
    out = tmp_path / "nonspeech"
    assert make(out, train_dir) == 0
    assert validate_data_dir(str(out), Options(require_feats=False, allow_empty_text=True)).ok
    utt2spk = read_table_dict(out / "utt2spk")
    kinds = ["babble", "brown", "chord", "pink", "silence", "tone", "white"]
    assert sorted(set(utt2spk.values())) == kinds and len(utt2spk) == 14
    assert all(u.startswith(k + "-") for u, k in utt2spk.items())
    assert set(read_table_dict(out / "text", allow_empty_value=True).values()) == {""}
    n = read_table_dict(out / "utt2num_samples")
    for utt, path in read_table_dict(out / "wav.scp").items():
        x, sr = sf.read(path)
        assert sr == 16000 and len(x) == int(n[utt]) and 0.5 <= len(x) / sr <= 1.5
        level = 20 * np.log10(np.sqrt(np.mean(np.square(x))) + 1e-12)
        if utt.startswith("silence"):
            assert not x.any()
        else:
            assert -46 <= level <= -14, (utt, level)


def test_same_seed_same_audio(train_dir, tmp_path):
    assert make(tmp_path / "a", train_dir) == 0 and make(tmp_path / "b", train_dir) == 0
    assert make(tmp_path / "c", train_dir, "--seed", "1") == 0
    a, b, c = (sf.read(tmp_path / d / "wav" / "babble-00001.wav")[0] for d in "abc")
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_babble_needs_training_audio(tmp_path, caplog):
    assert make(tmp_path / "x") == 1
    assert "--train-dir" in caplog.text
    assert make(tmp_path / "y", None, "--kinds", "silence", "tone") == 0
    assert sorted(set(read_table_dict(tmp_path / "y" / "utt2spk").values())) == ["silence", "tone"]


def test_the_decoder_reads_it_without_dumped_features(train_dir, tmp_path):
    out = tmp_path / "ns"
    assert make(out, train_dir, "--kinds", "white", "babble") == 0
    cfg = eval_data_config(DataConfig(feats_type="fbank"), out)  # no feats.scp: on-the-fly fbank
    assert cfg.feats_type == "raw"
    ds = SpeechDataset(str(out), cfg, "eval", None, tables=())
    item = ds[0]
    assert item["uttid"] == "babble-00000" and item["feats"].shape[1] == 80
    assert abs(item["feats"].shape[0] - ds.lengths[0]) <= 1


def test_babble_from_a_segmented_training_dir(train_dir, tmp_path):
    seg = tmp_path / "seg"
    seg.mkdir()
    recos = sorted(read_table_dict(train_dir / "wav.scp").items())[:2]
    (seg / "wav.scp").write_text("".join(f"{r} {p}\n" for r, p in recos))
    (seg / "segments").write_text("".join(f"{r}-{k} {r} {0.3 * k:.2f} {0.3 * k + 0.3:.2f}\n"
                                          for r, _ in recos for k in range(2)))
    out = tmp_path / "ns"
    assert make(out, seg, "--kinds", "babble", "--babble-talkers", "2", "3") == 0
    x, _ = sf.read(read_table_dict(out / "wav.scp")["babble-00000"])
    assert np.sqrt(np.mean(np.square(x))) > 0
