"""The `model:` config section as typed values: what SpeechLLM.from_config builds a model from.

model:
  encoder: {type, input_size, subsampling, conf, chunk}  asrllm/models/encoder.py (chunk: ChunkConfig)
  ctc_heads: {phone: {units: <units.txt>, hidden, layers, dropout}, char: {...}}
  aed_decoder: {labels: char, conf: {...}}              AED pre-training's attention decoder
  adapter: {stack: 4, hidden: 2048, init: random}       omitted: an encoder-only model (stage 7)
  llm: {path, base_path, lora: {r, alpha, dropout, target_modules} | null, gradient_checkpointing,
        allow_download, dtype}
  prompt: <prompt.yaml> or the mapping itself

The YAML mapping stays the saved form (asrllm.models.build.save_pretrained writes it); every key is
checked here, once, and an error names it (model.ctc_heads.phone.units, ...).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from asrllm.config import ConfigError, check_keys
from asrllm.config_section import build_section

# how alignment starts the adapter: random, or `reader` (the mini recipe's warm start from the adapter
# its text LM learned to read simulated phone posteriors with, asrllm.synth.reader_init); neither
# changes the run-time path
ADAPTER_INITS = ("random", "reader")
LLM_DTYPES = ("float32", "bfloat16", "float16")


@dataclass(frozen=True)
class ChunkConfig:
    """Dynamic-chunk training of the encoder (asrllm/models/chunk.py): per training batch, full context
    with probability full_context_share, else a chunk of `size` encoder frames drawn uniformly from
    [size[0], size[1]], each frame seeing its own chunk and `left_chunks` chunks before it (-1: all).
    With a chunk section the convolution modules are causal, so that the model can stream
    (asrllm/models/streaming_encoder.py). Evaluation is full context unless a chunk size is asked for."""
    size: tuple[int, int] = (4, 24)
    full_context_share: float = 0.5
    left_chunks: int = 4


@dataclass(frozen=True)
class EncoderConfig:
    type: str = "conformer"
    input_size: int = 80
    subsampling: dict = field(default_factory=dict)
    conf: dict = field(default_factory=dict)
    chunk: ChunkConfig | None = None   # null: full context only, symmetric convolutions


@dataclass(frozen=True)
class CTCHeadConfig:
    units: str                 # the label set's units.txt
    hidden: int = 256
    layers: int = 3
    dropout: float = 0.1


@dataclass(frozen=True)
class AEDDecoderConfig:
    labels: str                # the CTC head whose label set the decoder predicts
    conf: dict = field(default_factory=dict)


@dataclass(frozen=True)
class AdapterConfig:
    stack: int = 4
    hidden: int = 2048
    init: str = "random"


@dataclass(frozen=True)
class LoRAConfig:
    r: int = 8
    alpha: int = 16
    dropout: float = 0.05
    target_modules: tuple[str, ...] = ("q_proj", "k_proj", "v_proj", "o_proj")


@dataclass(frozen=True)
class LLMConfig:
    path: str | None = None        # a local Hugging Face folder or hub id (None: $ASRLLM_LLM)
    base_path: str | None = None   # a saved LoRA model: the base weights (path then holds the adapter)
    lora: LoRAConfig | None = None
    gradient_checkpointing: bool = False
    allow_download: bool = False
    # the weights' dtype (autocast sets the compute's): float32 unless set, since Hugging Face would
    # otherwise load the dtype of the folder's config.json (bfloat16 for Qwen3) and Adam on bf16
    # weights loses small updates
    dtype: str = "float32"


@dataclass(frozen=True)
class ModelConfig:
    encoder: EncoderConfig
    ctc_heads: dict[str, CTCHeadConfig] = field(default_factory=dict)
    aed_decoder: AEDDecoderConfig | None = None
    adapter: AdapterConfig | None = None
    llm: LLMConfig | None = None
    prompt: Any = None             # a prompt.yaml path or its mapping (asrllm.llm.prompt.PromptTemplate)

    @classmethod
    def from_dict(cls, cfg: dict, where: str = "model") -> "ModelConfig":
        check_keys(cfg, {"encoder", "ctc_heads", "aed_decoder", "adapter", "llm", "prompt"}, where)
        if "encoder" not in cfg:
            raise ConfigError(f"{where}: missing required key 'encoder'")
        heads = {name: _ctc_head(h, f"{where}.ctc_heads.{name}") for name, h in (cfg.get("ctc_heads") or {}).items()}
        aed = _aed_decoder(cfg["aed_decoder"], heads, f"{where}.aed_decoder") if cfg.get("aed_decoder") else None
        adapter = build_section(AdapterConfig, cfg.get("adapter") or {}, f"{where}.adapter")
        if adapter.init not in ADAPTER_INITS:
            raise ConfigError(f"{where}.adapter.init: must be one of {', '.join(ADAPTER_INITS)}, got {adapter.init!r}")
        llm = _llm(cfg["llm"], f"{where}.llm") if cfg.get("llm") else None
        return cls(encoder=_encoder(cfg["encoder"] or {}, f"{where}.encoder"), ctc_heads=heads,
                   aed_decoder=aed, adapter=adapter if llm is not None else None, llm=llm, prompt=cfg.get("prompt"))




def _encoder(data: dict, where: str) -> EncoderConfig:
    enc = build_section(EncoderConfig, data, where)
    c = enc.chunk
    if c is not None:
        if not 1 <= c.size[0] <= c.size[1]:
            raise ConfigError(f"{where}.chunk.size: [min, max] encoder frames with 1 <= min <= max, got {list(c.size)}")
        if not 0.0 <= c.full_context_share <= 1.0:
            raise ConfigError(f"{where}.chunk.full_context_share: must lie in [0, 1], got {c.full_context_share}")
        if c.left_chunks < -1:
            raise ConfigError(f"{where}.chunk.left_chunks: chunks of left context, or -1 for all, got {c.left_chunks}")
        if enc.type != "conformer":
            raise ConfigError(f"{where}.chunk: dynamic-chunk training is not implemented for encoder.type "
                              f"{enc.type!r} (only conformer)")
    return enc


def _ctc_head(data: dict, where: str) -> CTCHeadConfig:
    if not isinstance(data, dict) or "units" not in data:
        raise ConfigError(f"{where}.units: give the label set's units.txt")
    return build_section(CTCHeadConfig, data, where)


def _aed_decoder(data: dict, heads: dict[str, CTCHeadConfig], where: str) -> AEDDecoderConfig:
    check_keys(data, {"labels", "conf"}, where)
    if data.get("labels") not in heads:
        raise ConfigError(f"{where}.labels: name the CTC head whose label set the decoder predicts "
                          f"(one of {sorted(heads)}), got {data.get('labels')!r}")
    return AEDDecoderConfig(data["labels"], data.get("conf") or {})


def _llm(data: dict, where: str) -> LLMConfig:
    data = dict(data)
    lora = data.pop("lora", None)
    llm = build_section(LLMConfig, data, where)
    if llm.dtype not in LLM_DTYPES:
        raise ConfigError(f"{where}.dtype: must be one of {', '.join(LLM_DTYPES)}, got {llm.dtype!r}")
    if lora:
        lora = build_section(LoRAConfig, lora, f"{where}.lora")
    return dataclasses.replace(llm, lora=lora or None)
