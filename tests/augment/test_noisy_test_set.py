"""A noisy copy of an evaluation set (asrllm.bin.make_noisy_test_set): every utterance, padded and
noised, text kept, a valid data dir; a bad prob and an empty source fail with one line."""

import numpy as np
import soundfile as sf

from asrllm.bin import make_noisy_test_set as cli
from asrllm.kaldi.table import read_table_dict
from asrllm.kaldi.validate import Options, validate_data_dir

from tests.augment.datadirs import fbank_config


def test_every_utterance_gets_a_padded_noisy_copy_with_its_text(clean_dir, tmp_path):
    config = fbank_config(tmp_path / "data.yaml")  # noise.prob 0.25 there: the test set ignores it
    out = tmp_path / "test_noisy"
    assert cli.main(["--in-dir", str(clean_dir), "--out-dir", str(out), "--config", str(config), "--nj", "2"]) == 0
    assert validate_data_dir(str(out), Options(require_feats=False)).ok
    src_text, text = read_table_dict(clean_dir / "text"), read_table_dict(out / "text")
    assert text == {f"noisy-{u}": t for u, t in src_text.items()}
    src_len, lens = read_table_dict(clean_dir / "utt2num_samples"), read_table_dict(out / "utt2num_samples")
    assert all(int(lens[f"noisy-{u}"]) >= int(n) for u, n in src_len.items())
    assert sum(int(lens[f"noisy-{u}"]) > int(n) for u, n in src_len.items()) > 0.8 * len(src_len)  # padded
    wav = read_table_dict(out / "wav.scp")
    checked = 0
    for utt, line in read_table_dict(out / "noise.draws").items():
        pad = int(dict(f.split("=") for f in line.split())["pad_before"])
        if pad > 100:  # the silence pad carries the noise too
            x, _ = sf.read(wav[utt])
            assert np.std(x[:pad]) > 1e-4, utt
            checked += 1
    assert checked > 0.5 * len(wav)


def test_a_missing_source_table_is_named(tmp_path, capsys, caplog):
    (tmp_path / "src").mkdir()
    (tmp_path / "src/wav.scp").write_text("u1 /nowhere.wav\n")
    assert cli.main(["--in-dir", str(tmp_path / "src"), "--out-dir", str(tmp_path / "out")]) == 1
    assert "text" in capsys.readouterr().err + caplog.text
