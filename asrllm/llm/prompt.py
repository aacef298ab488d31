"""The ASR prompt: a ChatML conversation with a slot for speech embeddings (conf/prompt.yaml).

    <|im_start|>system\\n{system}<|im_end|>\\n
    <|im_start|>user\\n{user before <speech>}[N speech embeddings]{user after <speech>}<|im_end|>\\n
    <|im_start|>assistant\\n{assistant_prefix}{transcript}<|im_end|>

The string is not rendered and tokenized as a whole (and no chat template is needed): the markers
are looked up as single tokens, the fixed text pieces are tokenized once, and each transcript is
tokenized as plain text (asrllm.llm.tokens.encode_plain), so a transcript that contains
"<|im_end|>" or "<speech>" cannot end the turn or move the speech slot. The loss covers the
transcript tokens and the closing <|im_end|> only.
"""

import os
from dataclasses import dataclass

import torch

from asrllm.config import ConfigError, load_config
from asrllm.config_section import build_section
from asrllm.errors import UserError
from asrllm.llm.tokens import encode_plain, single_token_id

IGNORE_INDEX = -100
# format name -> (turn start marker, turn end marker); a turn is start + role + "\n" + text + end.
FORMATS = {"chatml": ("<|im_start|>", "<|im_end|>")}


class PromptError(UserError, ValueError):
    """A prompt template or tokenizer that cannot produce the prompt."""


@dataclass(frozen=True)
class PromptTemplate:
    """What the prompt says; the defaults are the method's prompt (arXiv 2604.08003)."""

    system: str | None = "You are a Multilingual Speech Recognition Model."
    user: str = "Transcribe the speech into text <speech>."
    placeholder: str = "<speech>"
    assistant_prefix: str = ""
    format: str = "chatml"

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise ConfigError(f"prompt format {self.format!r} is not one of {', '.join(FORMATS)}")
        if not self.placeholder:
            raise ConfigError("prompt placeholder must not be empty")
        if self.user.count(self.placeholder) != 1:
            raise ConfigError(f"prompt user text must contain the placeholder {self.placeholder!r} exactly "
                              f"once, got {self.user!r}")
        for name in ("system", "assistant_prefix"):
            if self.placeholder in (getattr(self, name) or ""):
                raise ConfigError(f"prompt {name} must not contain the placeholder {self.placeholder!r}")

    @classmethod
    def from_config(cls, cfg: dict | str | os.PathLike | None = None) -> "PromptTemplate":
        """From a conf/prompt.yaml path or its loaded mapping; None gives the default prompt."""
        if cfg is None:
            return cls()
        where = "prompt config"
        if not isinstance(cfg, dict):
            where, cfg = str(cfg), load_config(cfg)
        return build_section(cls, cfg, where)

    @property
    def markers(self) -> tuple[str, str]:
        return FORMATS[self.format]

    def pieces(self) -> tuple[list[tuple[bool, str]], list[tuple[bool, str]]]:
        """The prompt before and after the speech slot as (is_marker, text) pieces."""
        start, end = self.markers
        before_speech, after_speech = self.user.split(self.placeholder)
        head: list[tuple[bool, str]] = []
        if self.system:
            head += [(True, start), (False, f"system\n{self.system}"), (True, end), (False, "\n")]
        head += [(True, start), (False, f"user\n{before_speech}")]
        tail = [(False, after_speech), (True, end), (False, "\n"), (True, start),
                (False, f"assistant\n{self.assistant_prefix}")]
        return [p for p in head if p[1]], [p for p in tail if p[1]]

    def render(self, transcript: str | None = None, speech: str | None = None) -> str:
        """The prompt as one string (for logs and reports), `speech` standing in for the slot."""
        head, tail = self.pieces()
        text = "".join(t for _, t in head) + (self.placeholder if speech is None else speech)
        text += "".join(t for _, t in tail)
        return text if transcript is None else text + transcript + self.markers[1]


@dataclass
class PromptBatch:
    """Padded model inputs. input_ids hold pad ids in the speech slot: overwrite those embeddings."""

    input_ids: torch.Tensor  # (B, T) long
    attention_mask: torch.Tensor  # (B, T) long
    position_ids: torch.Tensor  # (B, T) long, counting real tokens only
    speech_mask: torch.Tensor  # (B, T) bool, True where speech embeddings go
    speech_start: torch.Tensor  # (B,) index of the first speech position
    speech_lengths: torch.Tensor  # (B,)
    labels: torch.Tensor | None  # (B, T) long, IGNORE_INDEX except transcript + end token


class PromptBuilder:
    """Token ids, speech slots and label masks for a PromptTemplate and any HF tokenizer."""

    def __init__(self, tokenizer, template: PromptTemplate | None = None, add_bos: bool | None = None):
        self.tokenizer = tokenizer
        self.template = template or PromptTemplate()
        ids = {}
        for marker in self.template.markers:
            ids[marker] = single_token_id(tokenizer, marker)
            if ids[marker] is None:
                raise PromptError(f"tokenizer {getattr(tokenizer, 'name_or_path', '')!r} has no single token "
                                  f"{marker!r}, which the {self.template.format} prompt needs: use an LLM "
                                  f"whose tokenizer defines it (Qwen2/Qwen3 do) or add it as a special token")
        self.end_id = ids[self.template.markers[1]]
        head, tail = self.template.pieces()
        self.prefix_ids = self._encode_pieces(head, ids)
        self.suffix_ids = self._encode_pieces(tail, ids)
        if add_bos is None:  # what the tokenizer itself does when asked for special tokens
            probe = tokenizer("a", add_special_tokens=True)["input_ids"]
            add_bos = tokenizer.bos_token_id is not None and probe[:1] == [tokenizer.bos_token_id]
        self.add_bos = bool(add_bos)
        if add_bos:
            self.prefix_ids = [tokenizer.bos_token_id, *self.prefix_ids]
        pad = tokenizer.pad_token_id
        self.pad_id = int(pad) if pad is not None else self.end_id

    def _encode_pieces(self, pieces: list[tuple[bool, str]], marker_ids: dict[str, int]) -> list[int]:
        out: list[int] = []
        for is_marker, text in pieces:
            out += [marker_ids[text]] if is_marker else encode_plain(self.tokenizer, [text])[0]
        return out

    @property
    def prompt_length(self) -> int:
        """Prompt tokens around the speech slot (speech positions not counted)."""
        return len(self.prefix_ids) + len(self.suffix_ids)

    def target_ids(self, transcripts: list[str]) -> list[list[int]]:
        """Transcript tokens followed by the end token: exactly what the loss sees."""
        return [ids + [self.end_id] for ids in encode_plain(self.tokenizer, list(transcripts))]

    def build(self, speech_lengths: list[int] | torch.Tensor, transcripts: list[str] | None = None,
              padding_side: str | None = None) -> PromptBatch:
        """A batch for training (with transcripts; right padding) or generation (without; left padding)."""
        lengths = [int(n) for n in speech_lengths]
        if not lengths:
            raise ValueError("empty batch: no speech lengths")
        if transcripts is not None and len(transcripts) != len(lengths):
            raise ValueError(f"{len(transcripts)} transcripts for {len(lengths)} speech lengths")
        if any(n < 0 for n in lengths):
            raise ValueError(f"negative speech length in {lengths}")
        side = padding_side or ("right" if transcripts is not None else "left")
        if side not in ("left", "right"):
            raise ValueError(f"padding_side must be 'left' or 'right', got {side!r}")
        targets = self.target_ids(transcripts) if transcripts is not None else [[] for _ in lengths]
        rows = [self.prefix_ids + [self.pad_id] * n + self.suffix_ids + t for n, t in zip(lengths, targets)]
        width = max(map(len, rows))
        batch = len(rows)
        input_ids = torch.full((batch, width), self.pad_id, dtype=torch.long)
        labels = torch.full((batch, width), IGNORE_INDEX, dtype=torch.long)
        attention = torch.zeros((batch, width), dtype=torch.long)
        speech_mask = torch.zeros((batch, width), dtype=torch.bool)
        position_ids = torch.zeros((batch, width), dtype=torch.long)
        starts = []
        for b, (row, n, tgt) in enumerate(zip(rows, lengths, targets)):
            off = width - len(row) if side == "left" else 0
            input_ids[b, off:off + len(row)] = torch.tensor(row, dtype=torch.long)
            attention[b, off:off + len(row)] = 1
            position_ids[b, off:off + len(row)] = torch.arange(len(row))
            start = off + len(self.prefix_ids)
            speech_mask[b, start:start + n] = True
            starts.append(start)
            if tgt:
                labels[b, off + len(row) - len(tgt):off + len(row)] = torch.tensor(tgt, dtype=torch.long)
        return PromptBatch(input_ids, attention, position_ids, speech_mask, torch.tensor(starts),
                           torch.tensor(lengths), labels if transcripts is not None else None)

    def decode(self, ids: list[int] | torch.Tensor) -> str:
        """Generated ids -> transcript: cut at the first end token, drop special tokens."""
        ids = [int(i) for i in ids]
        if self.end_id in ids:
            ids = ids[:ids.index(self.end_id)]
        return self.tokenizer.decode(ids, skip_special_tokens=True)
