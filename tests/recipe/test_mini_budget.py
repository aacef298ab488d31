"""The demo's paradigm comparison gives every paradigm the entropy run's number of updates
(egs/mini/asr_llm/README.md, "Paradigm comparison"): the budget configs must follow the stage configs."""

from asrllm.config import load_config
from asrllm.training.config import TrainerConfig


def steps(path) -> int:
    return load_config(path)["train"]["max_steps"]


def test_budget_configs_match_the_entropy_run(repo):
    conf = repo / "egs/mini/asr_llm/conf/train_demo"
    pretrain, align, iasft, joint = (steps(conf / f"{s}.yaml") for s in ("pretrain_phone", "align", "iasft", "joint"))
    budget = conf / "budget"
    assert steps(budget / "pretrain_aed.yaml") == pretrain  # conventional: AED pre-training as long
    assert steps(budget / "pretrain_char.yaml") == pretrain  # conventional_ctc pre-trains characters as long
    assert steps(budget / "joint.yaml") == iasft + joint  # conventional(_ctc): IA-SFT's updates go to joint SFT
    assert steps(budget / "align_long.yaml") == align + iasft + joint  # projector_only
    assert steps(budget / "joint_single.yaml") == pretrain + align + iasft + joint  # single_stage


def test_aed_pretraining_has_the_phone_runs_schedule(repo):
    """conventional's AED pre-training differs from the entropy run's only in its objective."""
    conf = repo / "egs/mini/asr_llm/conf"
    for phone, aed in ((conf / "train_demo/pretrain_phone.yaml", conf / "train_demo/budget/pretrain_aed.yaml"),
                       (conf / "train_smoke/pretrain_phone.yaml", conf / "train_smoke/pretrain_aed.yaml")):
        p, a = load_config(phone)["train"], load_config(aed)["train"]
        for key in ("lr", "max_steps", "warmup_steps", "min_lr_ratio", "optim"):
            assert a.get(key) == p.get(key), (aed, key)


def test_every_budget_config_resolves_and_the_align_budget_is_the_demos(repo):
    """Each budget config loads with its `extends:` chain (a broken relative path fails the
    comparison only after an hour of training); alignment's budget is the demo's own file."""
    budget = repo / "egs/mini/asr_llm/conf/train_demo/budget"
    for path in sorted(budget.glob("*.yaml")):
        cfg = load_config(path)
        assert cfg["stage"], path
        TrainerConfig.from_dict(cfg["train"], f"{path}: train")  # e.g. lr_scale's values
    assert load_config(budget / "align.yaml") == load_config(budget.parent / "align.yaml")
