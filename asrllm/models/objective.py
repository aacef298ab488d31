"""What a SpeechLLM's forward() optimises, given to its constructor (a stage config's objective,
asrllm/training/stage_config.py; the model does not change it afterwards).

  kind "ctc": (CR-)CTC of `ctc_head` on the encoder frames; cr_ctc_weight > 0 makes two SpecAugment
              views in the model (CR-CTC)
  kind "aed": ESPnet's hybrid loss, aed_ctc_weight x CTC + (1 - aed_ctc_weight) x the attention
              decoder's label-smoothed (aed_lsm_weight) cross-entropy
  kind "llm": next-token cross-entropy on the transcript, plus ctc_weight x CTC of `ctc_head`
"""

from dataclasses import dataclass

KINDS = ("ctc", "aed", "llm")


@dataclass(frozen=True)
class Objective:
    kind: str = "llm"
    ctc_head: str | None = None
    ctc_weight: float = 0.0
    cr_ctc_weight: float = 0.0
    aed_ctc_weight: float = 0.3  # ESPnet's Conformer recipes' values
    aed_lsm_weight: float = 0.1

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"objective kind must be one of {', '.join(KINDS)}, got {self.kind!r}")

    @classmethod
    def default(cls, has_llm: bool, aed_labels: str | None, heads: list[str]) -> "Objective":
        """What a model built without a stage config trains: the LLM loss when it has an LLM, else the
        AED loss when it has a decoder, else CTC of its first head."""
        kind = "llm" if has_llm else "aed" if aed_labels is not None else "ctc"
        return cls(kind=kind, ctc_head=aed_labels if aed_labels is not None else next(iter(heads), None))
