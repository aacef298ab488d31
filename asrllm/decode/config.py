"""The decoding config (conf/decode.yaml): every key, its default and its check, in one place."""

import dataclasses
import os
from dataclasses import dataclass, field

import yaml

from asrllm.config import ConfigError, load_config
from asrllm.config_section import build_section

DTYPES = ("float32", "bfloat16", "float16")


@dataclass
class StreamingOptions:
    """Chunk-by-chunk recognition (asrllm/decode/streaming.py), NIM4-ASR's refresh scheme."""

    chunk_ms: int = 640           # audio per chunk: a whole number of encoder frames (40 ms at 25 Hz) and
                                  # of adapter frames (stack 4: 160 ms); 640 ms = 16 encoder frames
    left_chunks: int | None = None  # chunks of encoder left context (None: the model's chunk.left_chunks,
                                    # or all left context for a model trained without chunks)
    rollback_tokens: int = 5      # a partial keeps the previous partial but its last N tokens as its prefix
    unstable_chunks: int = 2      # the partials of the first N chunks are not kept as a prefix
    max_segment_s: float = 20.0   # the stream is cut into segments of at most this much audio: at the cut
                                  # the segment's final text is emitted and the state starts afresh

    def __post_init__(self) -> None:
        where = "decode config: streaming"
        if self.chunk_ms <= 0 or self.rollback_tokens < 0 or self.unstable_chunks < 0 or self.max_segment_s <= 0:
            raise ConfigError(f"{where}: chunk_ms and max_segment_s must be > 0, rollback_tokens and "
                              f"unstable_chunks >= 0")
        if self.left_chunks is not None and self.left_chunks < -1:
            raise ConfigError(f"{where}: left_chunks must be >= -1 (all) or null, got {self.left_chunks}")


@dataclass
class DecodeConfig:
    """Search, length limit, repetition guard and batching of stage 11 (and of transcribe)."""

    beam_size: int = 1                   # 1 = greedy search
    length_penalty: float = 1.0          # beam search ranks finished hypotheses by score / length**length_penalty
    max_new_tokens_factor: float = 1.5   # max new tokens = factor x adapter frames + constant
    max_new_tokens_constant: int = 16
    no_repeat_ngram_size: int = 0        # > 0: never emit an n-gram already in the hypothesis
    repetition_penalty: float = 1.0      # > 1: logits of tokens already emitted are divided (positive) or
                                         # multiplied (negative) by it, as in CTRL / Hugging Face
    frames_budget: int = 20000           # padded fbank frames per batch (batch size x longest utterance)
    max_batch_size: int = 32             # utterances per batch at most
    ctc_heads: list[str] = field(default_factory=lambda: ["phone", "char"])  # greedy CTC diagnostics of
                                         # these heads, those the model has ([] = none)
    device: str = "auto"                 # auto (cuda when available) | cpu | cuda | cuda:N
    dtype: str = "float32"               # LLM weights on the device: float32 | bfloat16 | float16
    streaming: StreamingOptions = field(default_factory=StreamingOptions)  # decode --streaming, transcribe --streaming

    def __post_init__(self) -> None:
        where = "decode config"
        if self.beam_size < 1:
            raise ConfigError(f"{where}: beam_size must be >= 1, got {self.beam_size}")
        if self.max_new_tokens_factor < 0 or self.max_new_tokens_constant < 0:
            raise ConfigError(f"{where}: max_new_tokens_factor and max_new_tokens_constant must be >= 0")
        if self.max_new_tokens_factor == 0 and self.max_new_tokens_constant == 0:
            raise ConfigError(f"{where}: max_new_tokens_factor and max_new_tokens_constant are both 0: "
                              f"nothing could be generated")
        if self.no_repeat_ngram_size < 0:
            raise ConfigError(f"{where}: no_repeat_ngram_size must be >= 0, got {self.no_repeat_ngram_size}")
        if self.repetition_penalty <= 0:
            raise ConfigError(f"{where}: repetition_penalty must be > 0, got {self.repetition_penalty}")
        if self.frames_budget <= 0 or self.max_batch_size < 1:
            raise ConfigError(f"{where}: frames_budget must be > 0 and max_batch_size >= 1")
        if self.dtype not in DTYPES:
            raise ConfigError(f"{where}: dtype '{self.dtype}' is not one of {', '.join(DTYPES)}")

    def max_new_tokens(self, speech_frames: int) -> int:
        """The generation limit of an utterance with `speech_frames` adapter frames (at least 1)."""
        return max(1, int(self.max_new_tokens_factor * speech_frames) + self.max_new_tokens_constant)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def decode_config_from_dict(data: dict, where: str = "decode config") -> DecodeConfig:
    """A DecodeConfig from a mapping; unknown keys and wrong types are errors naming them."""
    if "ctc_heads" in data and data["ctc_heads"] is None:
        data = {**data, "ctc_heads": []}
    try:
        return build_section(DecodeConfig, data, where)
    except ConfigError as e:
        raise ConfigError(str(e).replace("decode config", where, 1)) from None


def load_decode_config(path: str | os.PathLike | None, overrides: dict | None = None) -> DecodeConfig:
    """conf/decode.yaml (with `extends:`) plus overrides; None: the defaults."""
    data = load_config(path) if path else {}
    data.update(overrides or {})
    return decode_config_from_dict(data, str(path) if path else "decode config")


def parse_overrides(items: list[str]) -> dict:
    """--opt KEY=VALUE items (VALUE read as YAML) -> {KEY: value}, for load_decode_config."""
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"--opt {item!r}: expected KEY=VALUE, e.g. --opt beam_size=4")
        out[key] = yaml.safe_load(value)
    return out
