"""The demo's paradigm comparison gives every paradigm the entropy run's number of updates
(egs/mini/asr_llm/README.md, "Paradigm comparison"): the budget configs must follow the stage configs."""

from asrllm.config import load_config


def steps(path) -> int:
    return load_config(path)["train"]["max_steps"]


def test_budget_configs_match_the_entropy_run(repo):
    conf = repo / "egs/mini/asr_llm/conf/train_demo"
    pretrain, align, iasft, joint = (steps(conf / f"{s}.yaml") for s in ("pretrain_phone", "align", "iasft", "joint"))
    budget = conf / "budget"
    assert steps(budget / "pretrain_char.yaml") == pretrain  # conventional pre-trains characters as long
    assert steps(budget / "joint.yaml") == iasft + joint  # conventional: IA-SFT's updates go to joint SFT
    assert steps(budget / "align_long.yaml") == align + iasft + joint  # projector_only
    assert steps(budget / "joint_single.yaml") == pretrain + align + iasft + joint  # single_stage
