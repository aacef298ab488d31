"""Trainer settings: the `train:` section of a stage config."""

from dataclasses import asdict, dataclass, field
from typing import Any

from asrllm.config import ConfigError
from asrllm.config_section import build_section


@dataclass
class TrainerConfig:
    """Every knob of the training loop; YAML keys have the same names."""

    max_steps: int  # optimizer updates
    trainable: list[str]  # module-name prefixes that train ("*" = everything)
    optim: str = "adamw"  # adam | adamw
    lr: float = 1e-3
    # module prefix -> factor on lr for the parameters under it (longest prefix wins; others x1),
    # e.g. {encoder: 0.1}: the schedule's shape is shared, only the peak differs
    lr_scale: dict[str, float] = field(default_factory=dict)
    betas: tuple[float, float] = (0.9, 0.98)
    eps: float = 1e-8
    weight_decay: float = 0.0  # not applied to 1-D parameters (biases, norm scales)
    warmup_steps: int = 0
    min_lr_ratio: float = 0.0  # cosine floor as a fraction of lr
    accum_grad: int = 1  # micro-batches per update
    clip_grad_norm: float | None = 1.0  # None or 0: no clipping (the norm is still logged)
    amp: str = "bf16"  # bf16 | fp16 | none; autocast on CUDA only, fp16 adds a grad scaler
    grad_checkpointing: bool = False  # calls model.gradient_checkpointing_enable()
    log_every: int = 50
    valid_every: int | None = None  # updates between validations (each also saves)
    save_every: int | None = 1000  # updates between checkpoints (also saved at the end)
    keep_last: int = 3
    keep_best: int = 1
    best_metric: str = "valid_loss"
    best_mode: str = "min"
    seed: int = 0  # the RNGs start from seed + rank; the recipe's data order from batching.seed + seed
    device: str = "auto"  # auto | cpu | cuda
    parallel: str = "ddp"  # ddp | fsdp (only matters under torchrun)
    fsdp_modules: list[str] = field(default_factory=list)  # e.g. ["llm"]
    fsdp_layer_classes: list[str] = field(default_factory=list)  # e.g. ["Qwen3DecoderLayer"]
    find_unused_parameters: bool = False
    progress_bar: bool = True  # tqdm on rank 0 when stderr is a terminal

    def __post_init__(self) -> None:
        if isinstance(self.trainable, str):
            self.trainable = [self.trainable]
        self.trainable = list(self.trainable)
        for key in ("lr", "eps", "weight_decay", "min_lr_ratio", "clip_grad_norm"):
            if isinstance(getattr(self, key), str):  # YAML 1.1 reads 1e-3 as a string
                setattr(self, key, float(getattr(self, key)))
        self.betas = tuple(float(b) for b in self.betas)  # type: ignore[assignment]
        if not isinstance(self.lr_scale or {}, dict):
            raise ConfigError(f"train.lr_scale: must map module prefixes to factors, got {self.lr_scale!r}")
        try:
            self.lr_scale = {str(k): float(v) for k, v in (self.lr_scale or {}).items()}
        except (TypeError, ValueError):
            raise ConfigError(f"train.lr_scale: factors must be numbers, got {self.lr_scale!r}") from None
        self.fsdp_modules = list(self.fsdp_modules)
        self.fsdp_layer_classes = list(self.fsdp_layer_classes)
        if self.clip_grad_norm is not None and self.clip_grad_norm <= 0:
            self.clip_grad_norm = None
        self.validate()

    def validate(self, where: str = "train") -> None:
        def bad(key: str, why: str) -> ConfigError:
            return ConfigError(f"{where}.{key}: {why}, got {getattr(self, key)!r}")

        choices = {"optim": ("adam", "adamw"), "amp": ("bf16", "fp16", "none"), "best_mode": ("min", "max"),
                   "device": ("auto", "cpu", "cuda"), "parallel": ("ddp", "fsdp")}
        for key, allowed in choices.items():
            if getattr(self, key) not in allowed:
                raise bad(key, f"must be one of {', '.join(allowed)}")
        for key in ("max_steps", "accum_grad", "log_every", "keep_last"):
            if not isinstance(getattr(self, key), int) or getattr(self, key) < 1:
                raise bad(key, "must be an integer >= 1")
        for key in ("valid_every", "save_every"):
            value = getattr(self, key)
            if value is not None and (not isinstance(value, int) or value < 1):
                raise bad(key, "must be an integer >= 1 or null")
        if self.warmup_steps < 0 or self.keep_best < 0:
            raise bad("warmup_steps" if self.warmup_steps < 0 else "keep_best", "must be >= 0")
        if self.lr <= 0:
            raise bad("lr", "must be > 0")
        if not self.trainable:
            raise bad("trainable", "must name at least one module prefix (or '*')")
        if any(v <= 0 for v in self.lr_scale.values()):
            raise bad("lr_scale", "factors must be > 0")
        if len(self.betas) != 2:
            raise bad("betas", "must be two numbers")

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str = "train") -> "TrainerConfig":
        """Build from a YAML mapping; unknown keys fail with the nearest valid one."""
        try:
            return build_section(cls, data, where)
        except ConfigError as e:  # validate() names keys as train.<key>
            msg = str(e)
            raise ConfigError(f"{where}.{msg[len('train.'):]}" if msg.startswith("train.") else msg) from None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["betas"] = list(self.betas)
        return d
