"""Non-speech training clips (data config nonspeech_train): share, kinds, lengths, levels, empty text."""

import numpy as np
import pytest
import soundfile as sf

from asrllm.augment.nonspeech_train import make_nonspeech_clips
from asrllm.augment.seeding import utt_rng
from asrllm.config import ConfigError
from asrllm.data.config import data_config_from_dict
from asrllm.kaldi.datadir import DataDir
from asrllm.kaldi.table import read_table_dict
from asrllm.kaldi.validate import Options, validate_data_dir

KINDS = ["silence", "white", "tone", "chord"]


def make(clean_dir, out, seed=1234):
    cfg = data_config_from_dict({"nonspeech_train": {"share": 0.3, "kinds": KINDS, "level_db": [-40.0, -20.0]},
                                 "batching": {"seed": seed}})
    return make_nonspeech_clips(DataDir(clean_dir), out, cfg)


def test_clips_take_the_length_of_the_utterance_they_are_drawn_from(clean_dir, tmp_path):
    out = tmp_path / "nonspeech"
    report = make(clean_dir, out)
    assert validate_data_dir(str(out), Options(require_feats=False, allow_empty_text=True)).ok
    wav = read_table_dict(out / "wav.scp")
    src_len = read_table_dict(clean_dir / "utt2num_samples")
    drawn = {u for u in src_len if utt_rng(1234, 0, "nonspeech/" + u).random() < 0.3}
    assert {u.split("-", 2)[2] for u in wav} == drawn and report["clips"] == len(drawn)
    assert 0.3 * 240 - 25 < len(drawn) < 0.3 * 240 + 25
    assert (out / "text").read_text().splitlines() == sorted(wav)  # the id alone on each line
    assert set(read_table_dict(out / "text", allow_empty_value=True).values()) == {""}
    spk = read_table_dict(out / "utt2spk")
    kinds = {u.split("-")[1] for u in wav}
    assert kinds <= set(KINDS) and len(kinds) >= 3 and sum(report["by_kind"].values()) == len(wav)
    for utt, path in wav.items():
        kind, src = utt.split("-", 2)[1:]
        assert spk[utt] == f"nonspeech-{kind}"
        x, sr = sf.read(path)
        assert sr == 16000 and len(x) == int(src_len[src])
        if kind == "silence":
            assert not x.any()
        else:
            level = 10 * np.log10(np.mean(x ** 2))
            assert -40.5 < level < -19.5, (utt, level)


def test_same_seed_same_clips_other_seed_other_draw(clean_dir, tmp_path):
    make(clean_dir, tmp_path / "a")
    make(clean_dir, tmp_path / "b")
    make(clean_dir, tmp_path / "c", seed=5)
    a, b = (read_table_dict(tmp_path / d / "wav.scp") for d in "ab")
    assert list(a) == list(b) and all(np.array_equal(sf.read(a[u])[0], sf.read(b[u])[0]) for u in a)
    assert set(read_table_dict(tmp_path / "c/wav.scp")) != set(a)


def test_babble_clips_overlap_training_utterances_at_the_drawn_level(clean_dir, tmp_path):
    cfg = data_config_from_dict({"nonspeech_train": {"share": 0.2, "kinds": ["babble", "white"],
                                                     "level_db": [-30.0, -20.0], "babble_talkers": [2, 3],
                                                     "babble_pool": 6}})
    report = make_nonspeech_clips(DataDir(clean_dir), tmp_path / "ns", cfg)
    wav = read_table_dict(tmp_path / "ns/wav.scp")
    assert report["by_kind"]["babble"] > 5 and report["by_kind"]["white"] > 5
    for utt, path in wav.items():
        x, sr = sf.read(path)
        assert -30.5 < 10 * np.log10(np.mean(x ** 2)) < -19.5, utt
        power = np.abs(np.fft.rfft(x)) ** 2
        low = power[: int(700 * len(x) / sr)].sum() / power.sum()  # the sources are 150-600 Hz sines
        assert (low > 0.95) if "-babble-" in utt else (low < 0.2), (utt, low)


def test_babble_needs_two_talkers_and_a_pool():
    for bad in ({"babble_talkers": [1, 3]}, {"babble_talkers": [4, 2]}, {"babble_pool": 1}):
        with pytest.raises(ConfigError, match="babble_talkers"):
            data_config_from_dict({"nonspeech_train": {"share": 0.1, "kinds": ["babble"], **bad}})
