"""The paradigms: which stage config each runs in training stages 7-10 (None: the stage is skipped).
The one copy of this plan; the driver reads it through `python -m asrllm.bin.paradigm_plan`.

- entropy: the method (phone-CTC pre-training with CKA snapshots -> alignment -> IA-SFT -> joint SFT)
- conventional: the paper's baseline, AED pre-training (attention decoder + CTC on characters)
  -> alignment from the final encoder -> joint SFT
- conventional_ctc: the same with character-CTC pre-training (an ablation: CTC vs AED)
- projector_only: phone-CTC encoder, then only the adapter trains (a long alignment)
- single_stage: everything from a random encoder in one joint stage
"""

from asrllm.errors import UserError

TRAIN_STAGES = ("pretrain", "align", "iasft", "joint")  # stages 7-10, also their folder names
STAGE_NUMBERS = {name: 7 + i for i, name in enumerate(TRAIN_STAGES)}

PLANS: dict[str, tuple[str | None, str | None, str | None, str | None]] = {
    "entropy": ("pretrain_phone", "align", "iasft", "joint"),
    "conventional": ("pretrain_aed", "align", None, "joint"),
    "conventional_ctc": ("pretrain_char", "align", None, "joint"),
    "projector_only": ("pretrain_phone", "align_long", None, None),
    "single_stage": (None, None, None, "joint_single"),
}


class UnknownParadigm(UserError, KeyError):
    def __str__(self) -> str:
        return self.args[0]


def plan(paradigm: str) -> tuple[str | None, ...]:
    if paradigm not in PLANS:
        raise UnknownParadigm(f"unknown paradigm '{paradigm}' ({', '.join(PLANS)})")
    return PLANS[paradigm]
