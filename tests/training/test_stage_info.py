"""python -m asrllm.bin.stage_info: the label set a stage's loss reads and IA-SFT's swap mode, for the driver."""

import logging

import pytest

from asrllm.bin import stage_info


def info(path, capsys) -> dict[str, str]:
    assert stage_info.main([str(path)]) == 0
    return {line.split(" ", 1)[0]: (line.split(" ", 1) + [""])[1] for line in capsys.readouterr().out.splitlines()}


@pytest.mark.parametrize("name, labels", [("pretrain_phone", "phone"), ("pretrain_aed", "char"), ("align", ""),
                                          ("iasft", "")])
def test_the_shipped_stage_configs(repo, capsys, name, labels):
    got = info(repo / "conf/train" / f"{name}.yaml", capsys)
    assert got == {"labels": labels, "swap_mode": "sequential"}


def test_an_auxiliary_ctc_term_needs_its_labels_and_the_swap_mode_is_read(tmp_path, capsys):
    cfg = tmp_path / "iasft.yaml"
    cfg.write_text("stage: iasft\nctc_head: char\nctc_weight: 0.3\nswap: {mode: concurrent}\n"
                   "train: {max_steps: 1, trainable: [adapter]}\n")
    assert info(cfg, capsys) == {"labels": "char", "swap_mode": "concurrent"}


def test_a_bad_stage_config_is_one_error_line(tmp_path, caplog):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("stage: iasft\nswap: {mode: sometimes}\ntrain: {max_steps: 1}\n")
    with caplog.at_level(logging.ERROR):
        assert stage_info.main([str(cfg)]) == 1
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "swap.mode must be sequential or concurrent" in errors[0]
