"""Options of conf/analysis.yaml (stage 13), validated when loaded; all of them go into analysis.json."""

import os
from dataclasses import asdict, dataclass, field

from asrllm.metrics.probes import ProbeConfig
from asrllm.config import ConfigError, load_config
from asrllm.config_section import build_section


@dataclass
class EvalOptions:
    max_utts: int = 2000            # per evaluation data dir; evenly spaced utterances when it has more
    frames_budget: int = 0          # padded input frames per encoder batch (0: the data config's)
    max_segments: int = 100000      # phone tokens kept for the probes (evenly spaced when more)
    device: str = "auto"            # encoders run here: auto | cpu | cuda | cuda:N


@dataclass
class SpanOptions:
    mode: str = "midpoint"          # label: the frames of the phone's own CTC state; midpoint: plus half
                                    # of the blank run on either side
    exclude: list[str] = field(default_factory=lambda: ["<unk>"])  # never probe targets


@dataclass
class AnalysisConfig:
    eval: EvalOptions = field(default_factory=EvalOptions)
    spans: SpanOptions = field(default_factory=SpanOptions)
    probe: ProbeConfig = field(default_factory=ProbeConfig)

    @classmethod
    def load(cls, path: str | os.PathLike | None) -> "AnalysisConfig":
        return cls.from_dict(load_config(path) if path else {}, str(path or "analysis config"))

    @classmethod
    def from_dict(cls, cfg: dict, where: str = "analysis config") -> "AnalysisConfig":
        out = build_section(cls, cfg, where)
        out.probe.check(f"{where}: probe")
        if out.spans.mode not in ("label", "midpoint"):
            raise ConfigError(f"{where}: spans.mode must be 'label' or 'midpoint', got {out.spans.mode!r}")
        if out.eval.max_utts < 2 or out.eval.max_segments < 4 or out.eval.frames_budget < 0:
            raise ConfigError(f"{where}: eval.max_utts >= 2, eval.max_segments >= 4, eval.frames_budget >= 0")
        return out

    def to_dict(self) -> dict:
        return asdict(self)
