"""Speech features -> transcripts with a SpeechLLM: encoder, adapter, prompt, batched search, CTC diagnostics."""

import logging
from dataclasses import dataclass, field

import torch

from asrllm.config import ConfigError
from asrllm.decode.config import DecodeConfig
from asrllm.decode.guard import RepetitionGuard
from asrllm.decode.lm import CachedLM
from asrllm.decode.search import TOO_SHORT, beam_search, greedy_search
from asrllm.lang.units import read_units
from asrllm.models.build import from_pretrained
from asrllm.models.ctc_head import MLPCTCHead

log = logging.getLogger(__name__)


@dataclass
class Recognition:
    text: str
    tokens: list[int]
    score: float
    finish_reason: str
    ctc: dict[str, list[int]] = field(default_factory=dict)  # head -> greedy CTC unit ids


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


class Recognizer:
    """Decodes batches of [B, T, F] normalised features; the model is put in eval mode on `device`."""

    def __init__(self, model, cfg: DecodeConfig, device: str | torch.device | None = None,
                 ctc_units: dict[str, list[str]] | None = None):
        if model.llm is None or model.prompt is None:
            raise ConfigError("this model has no LLM (an encoder-only pre-training model): nothing to decode with")
        self.cfg = cfg
        self.device = resolve_device(device or cfg.device) if not isinstance(device, torch.device) else device
        self.model = model.eval().to(self.device)
        if cfg.dtype != "float32":
            self.model.llm.to(getattr(torch, cfg.dtype))
        self.lm = CachedLM(self.model.llm)
        self.guard = RepetitionGuard(cfg.no_repeat_ngram_size, cfg.repetition_penalty)
        missing = [h for h in cfg.ctc_heads if h not in self.model.ctc_heads]
        if missing:
            log.info("CTC diagnostics: the model has no head(s) %s (it has %s); skipped", missing,
                     sorted(self.model.ctc_heads) or "none")
        self.ctc_heads = [h for h in cfg.ctc_heads if h in self.model.ctc_heads]
        self.ctc_units = ctc_units or {}  # head -> unit symbols by id (for writing CTC output as text)

    @classmethod
    def from_pretrained(cls, model_dir, cfg: DecodeConfig, device: str | torch.device | None = None) -> "Recognizer":
        """Load a saved model folder (asrllm.models.build.save_pretrained) and its CTC unit lists."""
        model, model_cfg = from_pretrained(model_dir)
        units = {h: list(read_units(c["units"])) for h, c in (model_cfg.get("ctc_heads") or {}).items()}
        return cls(model, cfg, device, units)

    @property
    def end_id(self) -> int:
        return self.model.prompt.end_id

    def __call__(self, feats: torch.Tensor, feat_lens: torch.Tensor) -> list[Recognition]:
        """One Recognition per row. A row too short for one encoder frame gets an empty TOO_SHORT result
        and leaves the batch, so the other rows decode exactly as they would without it."""
        ok = self.model.encoder.output_lengths(feat_lens.cpu()) > 0
        if bool(ok.all()):
            return self._decode(feats, feat_lens)
        out = [Recognition("", [], 0.0, TOO_SHORT, {h: [] for h in self.ctc_heads}) for _ in range(len(ok))]
        rows = ok.nonzero()[:, 0]
        if len(rows):
            lens = feat_lens[rows.to(feat_lens.device)]
            kept = self._decode(feats[rows.to(feats.device), :int(lens.max())], lens)
            for r, rec in zip(rows.tolist(), kept):
                out[r] = rec
        return out

    @torch.no_grad()
    def _decode(self, feats: torch.Tensor, feat_lens: torch.Tensor) -> list[Recognition]:
        feats, feat_lens = feats.to(self.device), feat_lens.to(self.device)
        frames, frame_lens, speech, speech_lens = self.model.speech_embeddings(feats, feat_lens)
        ctc = {h: MLPCTCHead.greedy(self.model.ctc_heads[h].log_probs(frames), frame_lens) for h in self.ctc_heads}
        prompt, embeds = self.model.llm_inputs(speech, speech_lens, None)
        mask = prompt.attention_mask.to(self.device)
        pos = prompt.position_ids.to(self.device)
        max_new = [self.cfg.max_new_tokens(int(n)) for n in speech_lens.tolist()]
        if self.cfg.beam_size > 1:
            hyps = beam_search(self.lm, embeds, mask, pos, max_new, self.end_id, self.cfg.beam_size,
                               self.cfg.length_penalty, self.guard)
        else:
            hyps = greedy_search(self.lm, embeds, mask, pos, max_new, self.end_id, self.guard)
        self.lm.cache = None  # free the KV cache between batches
        return [Recognition(self.model.prompt.decode(h.tokens), h.tokens, h.score, h.finish_reason,
                            {name: ids[b] for name, ids in ctc.items()}) for b, h in enumerate(hyps)]
