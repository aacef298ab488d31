"""A training stage's YAML config (stages 7-10 of the recipe), one file per stage and paradigm.

  stage: pretrain | align | iasft | joint
  model: {...}            the `model:` section of asrllm/models/build.py
  objective: ctc | aed | llm   aed: pre-training only, CTC head + attention decoder (model.aed_decoder)
  ctc_head: phone         the CTC head the ctc/aed objective (or the joint auxiliary term) trains;
                          its labels come from <data dir>/text.<lang-dir suffix>
  cr_ctc_weight: 0.0      > 0: CR-CTC, two SpecAugment views made in the model (ctc objective)
  ctc_weight: 0.0         auxiliary CTC term of the llm objective (joint SFT option)
  aed: {ctc_weight: 0.3, lsm_weight: 0.1}   aed objective only: asrllm/training/aed_config.py
  train: {...}            asrllm.training.config.TrainerConfig
  cka: {start_step, interval, threshold, max_utts}   pre-training only: CKA monitor + snapshots
  drift: {interval, max_utts}   CKA to the stage's first encoder in drift.tsv (asrllm/training/drift.py)
  swap: {mode: sequential | concurrent, steps: [...]}  IA-SFT only
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asrllm.config import ConfigError, check_keys, deep_merge, load_config
from asrllm.config_section import build_section
from asrllm.training.aed_config import AEDConfig, aed_section
from asrllm.training.config import TrainerConfig

STAGES = ("pretrain", "align", "iasft", "joint")
STAGE_KEYS = {"stage", "model", "train", "objective", "ctc_head", "cr_ctc_weight", "ctc_weight", "cka", "drift",
              "swap", "aed"}  # the keys of a stage config (and of a scale config's stages.<name>)
OBJECTIVES = ("ctc", "aed", "llm")


def stage_config_data(config: str, model_config: str | None = None, scale_config: str | None = None,
                      seed: int | None = None) -> dict[str, Any]:
    """The mapping a stage trains with, from its files, in this order (later wins):

      1. the scale config's `train:` (conf/scale/<scale>.yaml: precision, parallelism, logging cadence),
      2. the model config (conf/model/*.yaml: the `model:` section and nothing else),
      3. the stage config (conf/train/<name>.yaml: objective, trainable parts, budget, learning rate),
      4. the scale config's `stages.<name>:` for this stage config's file name (e.g. LoRA's learning
         rate at single_gpu scale), then --seed.
    """
    data = load_config(config)
    if model_config:
        model = load_config(model_config)
        check_keys(model, {"model"}, f"{model_config} (a model config holds `model:` only; training settings "
                                     f"of a scale live in conf/scale/)")
        data = deep_merge(model, data)
    if scale_config:
        scale = load_config(scale_config)
        check_keys(scale, {"train", "stages"}, scale_config)
        stages = scale.get("stages") or {}
        for name, over in stages.items():
            check_keys(over or {}, STAGE_KEYS, f"{scale_config}: stages.{name}")
        data = deep_merge({"train": scale.get("train") or {}}, data)
        data = deep_merge(data, stages.get(Path(config).stem) or {})
    if seed is not None:
        data = deep_merge(data, {"train": {"seed": seed}})
    return data


@dataclass
class CKAConfig:
    start_step: int = 100  # the first snapshot becomes the reference here
    interval: int = 50  # steps between CKA checks
    threshold: float = 0.975  # a snapshot triggers when CKA to the reference drops below this
    max_utts: int = 64  # fixed evaluation subset: utterances evenly spread over the validation set


@dataclass
class DriftConfig:
    interval: int = 10  # updates between drift.tsv rows (asrllm/training/drift.py)
    max_utts: int = 64  # evaluation subset: utterances evenly spread over the validation set


@dataclass
class SwapConfig:
    mode: str = "sequential"  # sequential | concurrent
    steps: list[int] | None = None  # IA-SFT steps of the swaps (sequential); null: the final encoder
                                    # at max_steps / 2, the earlier snapshots evenly before it
    poll_every: int = 1  # concurrent: steps between looks at swaps.json
    final_steps: int | None = None  # concurrent: at step max_steps - final_steps wait for pre-training
                                    # to end, so the last final_steps steps train with the final
                                    # encoder; null: max_steps / 2
    # Both defaults give the final encoder half of IA-SFT, as the paper's 1M / 1M / 2M schedule does.
    wait_timeout_s: float = 86400.0  # concurrent: how long to wait for pre-training at that point


@dataclass
class StageConfig:
    stage: str
    model: dict
    train: TrainerConfig
    objective: str = "llm"
    ctc_head: str | None = None
    cr_ctc_weight: float = 0.0
    ctc_weight: float = 0.0
    cka: CKAConfig | None = None
    drift: DriftConfig | None = None
    swap: SwapConfig = field(default_factory=SwapConfig)
    aed: AEDConfig | None = None  # the aed objective's loss weights
    raw: dict = field(default_factory=dict)

    @property
    def uses_labels(self) -> bool:
        """Does the loss read the CTC head's labels (ctc and aed objectives, or the auxiliary term)?"""
        return self.objective in ("ctc", "aed") or self.ctc_weight > 0

    @classmethod
    def load(cls, path: str) -> "StageConfig":
        data = load_config(path)
        return cls.from_dict(data, str(path))

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str) -> "StageConfig":
        check_keys(data, STAGE_KEYS, where)
        for key in ("stage", "model", "train"):
            if key not in data:
                raise ConfigError(f"{where}: missing required key '{key}'")
        if data["stage"] not in STAGES:
            raise ConfigError(f"{where}: stage must be one of {', '.join(STAGES)}, got {data['stage']!r}")
        objective = data.get("objective", "ctc" if data["stage"] == "pretrain" else "llm")
        if objective not in OBJECTIVES:
            raise ConfigError(f"{where}: objective must be one of {', '.join(OBJECTIVES)}, got {objective!r}")
        cka = build_section(CKAConfig, data["cka"], where, "cka") if data.get("cka") is not None else None
        drift = build_section(DriftConfig, data["drift"], where, "drift") if data.get("drift") is not None else None
        if drift is not None and (drift.interval < 1 or drift.max_utts < 1):
            raise ConfigError(f"{where}: drift.interval and drift.max_utts must be >= 1")
        swap = build_section(SwapConfig, data.get("swap"), where, "swap")
        if swap.mode not in ("sequential", "concurrent"):
            raise ConfigError(f"{where}: swap.mode must be sequential or concurrent, got {swap.mode!r}")
        heads = (data["model"].get("ctc_heads") or {})  # may also come from the model a stage starts from
        ctc_head = data.get("ctc_head") or (next(iter(heads)) if heads else None)
        if heads and ctc_head not in heads:
            raise ConfigError(f"{where}: ctc_head {ctc_head!r} is not one of model.ctc_heads {sorted(heads)}")
        aed = aed_section(data, objective, ctc_head, where)  # None unless objective aed
        return cls(stage=data["stage"], model=data["model"],
                   train=TrainerConfig.from_dict(data["train"], f"{where}: train"), objective=objective,
                   ctc_head=ctc_head, cr_ctc_weight=float(data.get("cr_ctc_weight", 0.0)),
                   ctc_weight=float(data.get("ctc_weight", 0.0)), cka=cka, drift=drift, swap=swap, aed=aed,
                   raw=data)
