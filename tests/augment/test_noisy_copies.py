"""Stage 4's noisy copies (asrllm.bin.augment_train): share, pads, SNR, same as the loader's draw,
deterministic, atomic, bad input named by utterance id."""

import json

import numpy as np
import pytest
import soundfile as sf

from asrllm.augment.offline import augment_train
from asrllm.augment.seeding import utt_rng
from asrllm.augment.waveform import WaveformAugment
from asrllm.bin import augment_train as cli
from asrllm.bin import data_plan
from asrllm.data.config import data_config_from_dict, load_data_config
from asrllm.data.shards import DEFAULT_CMD, StageError
from asrllm.kaldi.combine import combine_data
from asrllm.kaldi.table import read_table_dict
from asrllm.kaldi.validate import Options, validate_data_dir

from tests.augment.datadirs import SR, fbank_config, write_clean_dir


def run(src, out, config, nj=2):
    return augment_train(str(src), str(out), load_data_config(config), str(config), nj, DEFAULT_CMD)


def src_utts(d):
    return list(read_table_dict(d / "utt2spk"))


def draws(noisy):
    return {u: {k: float(v) for k, v in (f.split("=") for f in line.split())}
            for u, line in read_table_dict(noisy / "noise.draws").items()}


@pytest.fixture(scope="module")
def made(clean_dir, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("aug")
    run(clean_dir, tmp / "train", fbank_config(tmp / "data.yaml"))
    out = tmp / "train"
    return out / "noisy"


def test_a_share_of_the_utterances_gets_a_padded_copy(clean_dir, made):
    wav = read_table_dict(made / "wav.scp")
    n = len(read_table_dict(clean_dir / "utt2spk"))
    assert 0.25 * n - 3 * np.sqrt(n * 0.25 * 0.75) < len(wav) < 0.25 * n + 3 * np.sqrt(n * 0.25 * 0.75)
    assert all(u.startswith("noisy-spk") for u in wav)
    rule = {u for u in src_utts(clean_dir) if utt_rng(1234, 0, u).random() < 0.25}  # noise.prob, batching.seed
    assert {u[len("noisy-"):] for u in wav} == rule
    src_len = read_table_dict(clean_dir / "utt2num_samples")
    lens = read_table_dict(made / "utt2num_samples")
    pads = []
    for utt, d in draws(made).items():
        src = utt[len("noisy-"):]
        assert int(lens[utt]) == int(src_len[src]) + d["pad_before"] + d["pad_after"]
        assert len(sf.read(wav[utt])[0]) == int(lens[utt])
        pads += [d["pad_before"] / SR, d["pad_after"] / SR]
    assert all(0 <= p <= 1.0 for p in pads) and 0.17 < np.mean(pads) < 0.33  # Beta(1, 3): mean 0.25 s
    assert read_table_dict(made / "utt2spk")[next(iter(wav))].startswith("noisy-spk")
    assert read_table_dict(made / "utt2uniq") == {u: u[len("noisy-"):] for u in wav}
    assert read_table_dict(made / "text") == {u: read_table_dict(clean_dir / "text")[u[6:]] for u in wav}


def test_the_snr_measured_on_a_copy_is_the_drawn_one(clean_dir, made):
    wav, src_wav = read_table_dict(made / "wav.scp"), read_table_dict(clean_dir / "wav.scp")
    snrs = []
    for utt, d in draws(made).items():
        x = sf.read(src_wav[utt[6:]], dtype="float32")[0].astype(np.float64)
        y = sf.read(wav[utt])[0] / d["gain"]
        b = int(d["pad_before"])
        noise = y.copy()
        noise[b:b + len(x)] -= x
        measured = 10 * np.log10(np.mean(x ** 2) / np.mean(noise ** 2))
        assert abs(measured - d["snr_db"]) < 0.05, (utt, measured, d["snr_db"])
        snrs.append(d["snr_db"])
    assert 6 < np.mean(snrs) < 14 and 2.5 < np.std(snrs) < 7.5  # N(10, 5)


def test_a_copy_is_what_the_loader_makes_in_epoch_0(clean_dir, made):
    online = WaveformAugment(data_config_from_dict({"noise": {"prob": 0.25}}))  # feats_type raw
    src_wav = read_table_dict(clean_dir / "wav.scp")
    for utt, path in list(read_table_dict(made / "wav.scp").items())[:10]:
        x = sf.read(src_wav[utt[6:]], dtype="float32")[0]
        want = online(x, utt_rng(1234, 0, utt[6:]))
        got = sf.read(path)[0] / draws(made)[utt]["gain"]
        assert len(got) == len(want) and np.max(np.abs(got - want)) < 2e-4
    picked = {u[6:] for u in read_table_dict(made / "wav.scp")}
    for utt in list(read_table_dict(clean_dir / "wav.scp"))[:40]:  # the others: left alone online too
        x = sf.read(src_wav[utt], dtype="float32")[0]
        assert (utt in picked) == (not np.array_equal(online(x, utt_rng(1234, 0, utt)), x))


def test_deterministic_per_seed_whatever_the_number_of_jobs(clean_dir, made, tmp_path):
    run(clean_dir, tmp_path / "one", fbank_config(tmp_path / "a.yaml"), nj=1)
    again = tmp_path / "one" / "noisy"
    a, b = read_table_dict(made / "wav.scp"), read_table_dict(again / "wav.scp")
    assert list(a) == list(b)
    for utt in a:
        assert np.array_equal(sf.read(a[utt])[0], sf.read(b[utt])[0])
    run(clean_dir, tmp_path / "other", fbank_config(tmp_path / "b.yaml", batching={"seed": 7}), nj=2)
    assert set(read_table_dict(tmp_path / "other/noisy/wav.scp")) != set(a)


def test_the_combined_training_set_is_valid(clean_dir, made, tmp_path):
    combine_data(tmp_path / "train", [str(clean_dir), str(made)])
    assert validate_data_dir(str(tmp_path / "train"), Options(require_feats=False)).ok
    assert len(read_table_dict(tmp_path / "train/utt2spk")) == 240 + len(read_table_dict(made / "wav.scp"))


def test_an_unreadable_drawn_utterance_is_named_and_counted(tmp_path):
    src = write_clean_dir(tmp_path / "clean", 40)
    out = tmp_path / "aug"
    run(src, out, fbank_config(tmp_path / "a.yaml"))
    victim = next(iter(read_table_dict(out / "noisy/wav.scp")))[6:]
    (src / "wav" / f"{victim}.wav").unlink()
    report = run(src, out, fbank_config(tmp_path / "b.yaml", max_bad_fraction=0.5))
    assert report["parts"]["noisy"]["skipped"] == 1
    assert list(read_table_dict(out / "noisy/noisy.skipped")) == [victim]
    assert f"noisy-{victim}" not in read_table_dict(out / "noisy/wav.scp")
    logs = "".join(p.read_text() for p in (out / "noisy/log").glob("noisy.*.log"))
    assert f"'{victim}'" in logs
    with pytest.raises(StageError, match="noisy.skipped"):
        run(src, out, fbank_config(tmp_path / "c.yaml", max_bad_fraction=0.0))
    assert not (out / "noisy/wav.scp").exists()  # the earlier copies do not look current


def test_a_bad_noise_dir_is_named_and_leaves_no_tables(tmp_path, caplog):
    src = write_clean_dir(tmp_path / "clean", 30)
    out = tmp_path / "aug"
    run(src, out, fbank_config(tmp_path / "a.yaml"))
    assert (out / "noisy/wav.scp").is_file() and (out / "augment.report.json").is_file()
    noise = tmp_path / "noise"
    noise.mkdir()
    (noise / "wav.scp").write_text(f"n1 {tmp_path}/missing.wav\n")
    cfg = tmp_path / "data.yaml"
    cfg.write_text(f"feats_type: fbank\nnoise: {{prob: 0.25, noise_dir: {noise}}}\n")
    assert cli.main(["--in-dir", str(src), "--out-dir", str(out), "--config", str(cfg), "--nj", "2"]) == 1
    assert f"{noise / 'wav.scp'}:1: noise recording 'n1': no such file" in caplog.text
    assert not (out / "noisy/wav.scp").exists() and not (out / "augment.report.json").exists()


def test_a_failed_job_leaves_no_tables(tmp_path, caplog):
    src = write_clean_dir(tmp_path / "clean", 30)
    out = tmp_path / "aug"
    cfg = fbank_config(tmp_path / "a.yaml")
    run(src, out, cfg)
    fail_second = tmp_path / "launcher.sh"  # runs the jobs, then reports a failure
    fail_second.write_text(f"#!/usr/bin/env bash\n{DEFAULT_CMD} \"$@\"\nexit 1\n")
    fail_second.chmod(0o755)
    with pytest.raises(StageError, match="failed job"):
        augment_train(str(src), str(out), load_data_config(cfg), str(cfg), 2, str(fail_second))
    assert not (out / "noisy/wav.scp").exists() and not (out / "augment.report.json").exists()


def test_plan_and_parts_not_asked_for_are_removed(tmp_path, capsys):
    src = write_clean_dir(tmp_path / "clean", 20)
    out = tmp_path / "aug"
    run(src, out, fbank_config(tmp_path / "a.yaml"))
    assert (out / "noisy").is_dir()
    cfg = tmp_path / "raw.yaml"
    cfg.write_text("feats_type: raw\nnonspeech_train: {share: 0.5}\n")
    assert data_plan.main(["--config", str(cfg)]) == 0
    assert "augment_parts nonspeech" in capsys.readouterr().out.splitlines()
    assert cli.main(["--in-dir", str(src), "--out-dir", str(out), "--config", str(cfg)]) == 0
    assert not (out / "noisy").exists() and (out / "nonspeech/wav.scp").is_file()
    assert json.loads((out / "augment.report.json").read_text())["parts"].keys() == {"nonspeech"}
