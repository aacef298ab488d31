"""python -m asrllm.bin.data_plan: what the driver's data stages read from the data config, one line each."""

import logging

from asrllm.bin import data_plan


def plan(tmp_path, capsys, text: str) -> dict[str, list[str]]:
    cfg = tmp_path / "data.yaml"
    cfg.write_text(text)
    assert data_plan.main(["--config", str(cfg)]) == 0
    return {line.split()[0]: line.split()[1:] for line in capsys.readouterr().out.splitlines()}


def test_offline_factors_parts_and_the_noise_corpus(tmp_path, capsys):
    got = plan(tmp_path, capsys, "feats_type: fbank\nspeed_perturb: {factors: [0.9, 1.0, 1.1]}\n"
                                 "noise: {enabled: true, prob: 0.2, noise_dir: corpus/noise}\n"
                                 "nonspeech_train: {share: 0.05}\n")
    assert got == {"speed_factors": ["0.9", "1", "1.1"], "augment_parts": ["noisy", "nonspeech"],
                   "augment_inputs": ["corpus/noise/wav.scp"], "dump_fbank": ["true"]}


def test_online_augmentation_leaves_the_data_stages_nothing(tmp_path, capsys):
    got = plan(tmp_path, capsys, "feats_type: raw\nspeed_perturb: {online: true}\n"
                                 "noise: {enabled: true, prob: 0.2, noise_dir: corpus/noise}\n")
    assert got == {"speed_factors": [], "augment_parts": [], "augment_inputs": [], "dump_fbank": ["false"]}


def test_a_bad_config_is_one_error_line(tmp_path, caplog):
    cfg = tmp_path / "data.yaml"
    cfg.write_text("feats_typo: raw\n")
    with caplog.at_level(logging.ERROR):
        assert data_plan.main(["--config", str(cfg)]) == 1
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0].startswith("data_plan: ") and "feats_typo" in errors[0]
