"""The paradigm comparison's report: mean ± sd over seeds, CKA at a matched encoder budget, and each
paper claim checked seed by seed (holds / mixed / does not hold)."""

import pytest

from asrllm.recipe.compare import cka_at
from asrllm.recipe.compare_report import render


def row(seed, cka, csai, nim4_clean, nim4_noisy, nonspeech, err=10.0, matched=None):
    return {"paradigm": "", "seed": seed, "stages": ["joint"], "scores": {"test_en": {"metric": "WER", "err": err}},
            "ctc": {}, "steps": {"joint": 40}, "train_seconds": {"joint": 10}, "cka_matched": matched,
            "matched_budget": 0.002,
            "final_model": {"name": "x/joint", "nse": 0.7, "pai": 5.0, "csai": csai, "cka": cka},
            "hallucination": {"nim4": {"test_en": nim4_clean, "test_en_noisy": nim4_noisy}, "looping": {"test_en": 0.0},
                              "nonspeech": {"nonspeech": nonspeech}}}


def test_claims_are_checked_seed_by_seed():
    runs = {"entropy": [row("0", 0.99, 0.2, 0.0, 1.0, 5.0, err=8.0, matched=0.99),
                        row("1", 0.98, 0.3, 0.0, 3.0, 5.0, err=12.0, matched=0.98)],
            "conventional": [row("0", 0.40, 0.25, 1.0, 2.0, 5.0, matched=0.97),
                             row("1", 0.50, 0.25, 0.0, 2.0, 4.0, matched=0.995)]}
    md = render(runs, ["0", "1"], [None, None])
    lines = {line.split(":")[0]: line for line in md.splitlines() if line.startswith("- ")}
    assert "**holds** (2 of 2 seeds" in lines["- IA-SFT keeps CKA to the pre-trained encoder higher than "
                                             "conventional joint training"]
    assert "**mixed** (1 of 2" in lines["- ... also at the matched encoder budget (entropy's joint-SFT steps x "
                                        "learning rate)"]
    assert "**mixed**" in lines["- IA-SFT keeps CSAI lower than conventional"]
    hall = [line for line in md.splitlines() if line.startswith("- Hallucination")]
    assert "**holds**" in hall[0] and "**mixed**" in hall[1] and "**mixed**" in hall[2]
    assert "|entropy|10.00 ± 2.83|" in md  # WER over the seeds: mean ± sample standard deviation


def test_cka_is_read_where_the_summed_lr_reaches_the_budget():
    drift = [(0.0, 1.0), (0.001, 0.9), (0.003, 0.7)]
    assert cka_at(drift, 0.002) == pytest.approx(0.8)
    assert cka_at(drift, 0.0) == 1.0
    assert cka_at(drift, 0.004) is None  # the run's encoder never trained that much
