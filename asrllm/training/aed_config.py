"""The aed objective's `aed:` section of a stage config: ESPnet's hybrid CTC/attention loss,
  loss = ctc_weight * CTC + (1 - ctc_weight) * label-smoothed attention cross-entropy.
Defaults are the model_conf of ESPnet's Conformer ASR recipes (ctc_weight 0.3, lsm_weight 0.1;
ESPnetASRModel's own code defaults are 0.5 and 0.0)."""

from dataclasses import dataclass

from asrllm.config import ConfigError
from asrllm.config_section import build_section


@dataclass
class AEDConfig:
    ctc_weight: float = 0.3  # 1.0: CTC alone (the decoder still runs, with weight 0)
    lsm_weight: float = 0.1  # label smoothing of the attention targets (0.0: plain cross-entropy)

    @classmethod
    def from_dict(cls, data: dict | None, where: str) -> "AEDConfig":
        cfg = build_section(cls, data, where, "aed")
        for key, high, closed in (("ctc_weight", 1.0, True), ("lsm_weight", 1.0, False)):
            value = getattr(cfg, key)
            ok = isinstance(value, (int, float)) and not isinstance(value, bool) and 0.0 <= value \
                and (value <= high if closed else value < high)
            if not ok:
                span = "from 0 to 1" if closed else "from 0 up to (not including) 1"
                raise ConfigError(f"{where}: aed.{key} must be a number {span}, got {value!r}")
            setattr(cfg, key, float(value))
        return cfg


def aed_section(data: dict, objective: str, ctc_head: str | None, where: str) -> AEDConfig | None:
    """A stage config's `aed:` (data: the stage config merged over the model config), after the
    checks that tie the aed objective to its stage, its CTC head and the model's decoder."""
    if objective != "aed":
        if data.get("aed") is not None:
            raise ConfigError(f"{where}: aed: belongs to objective aed; this stage's objective is {objective}")
        return None
    if data["stage"] != "pretrain":
        raise ConfigError(f"{where}: objective aed is encoder pre-training's (stage: pretrain), not {data['stage']}'s")
    if data.get("ctc_weight"):  # ESPnet's name, but the top-level one is the llm objective's extra CTC term
        raise ConfigError(f"{where}: ctc_weight does not apply to objective aed; its CTC weight is aed.ctc_weight")
    if data.get("cr_ctc_weight"):
        raise ConfigError(f"{where}: cr_ctc_weight (CR-CTC) applies to objective ctc, not aed")
    decoder = (data.get("model") or {}).get("aed_decoder")
    if not decoder:
        raise ConfigError(f"{where}: objective aed needs an attention decoder: the model config's aed_decoder: "
                          f"section (conf/model/*.yaml)")
    if decoder.get("labels") != ctc_head:
        raise ConfigError(f"{where}: model.aed_decoder.labels ({decoder.get('labels')!r}) must be the CTC head "
                          f"ctc_head ({ctc_head!r}): the hybrid loss has one label set")
    return AEDConfig.from_dict(data.get("aed"), where)
