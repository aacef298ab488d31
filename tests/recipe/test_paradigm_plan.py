"""The paradigm plan (asrllm/recipe/paradigms.py) and the driver's view of it (asrllm.bin.paradigm_plan)."""

from asrllm.bin import paradigm_plan
from asrllm.recipe.paradigms import PLANS


def test_the_cli_prints_each_plan_with_dashes_for_skipped_stages(capsys, caplog):
    assert paradigm_plan.main(["conventional"]) == 0
    assert capsys.readouterr().out.split() == ["pretrain_aed", "align", "-", "joint"]
    assert paradigm_plan.main(["--list"]) == 0
    assert capsys.readouterr().out.split() == list(PLANS)
    assert paradigm_plan.main(["hybrid"]) == 1
    assert "unknown paradigm 'hybrid'" in caplog.text


def test_every_planned_stage_config_exists_in_every_recipe_config_dir(repo):
    dirs = [repo / "conf/train", repo / "egs/mini/asr_llm/conf/train_demo", repo / "egs/mini/asr_llm/conf/train_smoke"]
    for d in dirs:
        have = {p.stem for p in d.glob("*.yaml")} | {p.stem for p in (d / "budget").glob("*.yaml")}
        for paradigm, plan in PLANS.items():
            missing = [c for c in plan if c and c not in have]
            assert not missing, (d, paradigm, missing)
