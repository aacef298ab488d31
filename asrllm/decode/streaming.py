"""Streaming recognition, chunk by chunk, with NIM4-ASR's refresh scheme (one stream at a time).

Per chunk of `chunk_ms` audio (fbank frames in, after CMVN):
1. the streaming encoder (asrllm/models/streaming_encoder.py) turns it into encoder frames with its
   cached left context, the adapter into speech embeddings (chunk_ms is a whole number of adapter
   frames, so the stacking lines up with the offline one);
2. the speech embeddings are appended to the LLM's KV cache by chunked prefill: the static prompt
   prefix was computed once, earlier audio is never fed again;
3. a partial transcript: the prompt suffix and the previous partial minus its last `rollback_tokens`
   tokens are prefilled, the rest is generated greedily; then the cache is cropped back to the end
   of the speech, so the next chunk appends where this one ended. The partials of the first
   `unstable_chunks` chunks are generated afresh (nothing kept as a prefix: too little audio).
At the end of the input the encoder is flushed and a final greedy pass from the cached state gives
the final transcript: the offline search over the streaming encoder's frames.

Bounded memory (the rule, documented in asrllm/decode/README.md): the stream is cut into segments of
at most `max_segment_s` audio. At a cut the segment's final transcript is emitted and the LLM state
restarts from the prompt prefix, the encoder from no left context; the encoder's caches never hold
more than left_chunks chunks, so neither state grows with the stream.
"""

import copy
import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import torch

from asrllm.config import ConfigError
from asrllm.decode.config import StreamingOptions
from asrllm.decode.lm import new_cache
from asrllm.decode.recognizer import Recognition, Recognizer
from asrllm.decode.search import EOS, MAX_TOKENS, TOO_SHORT
from asrllm.llm.forward_args import cache_arg, logits_to_keep_arg
from asrllm.models.streaming_encoder import StreamingEncoder

log = logging.getLogger(__name__)


@dataclass
class StreamResult:
    text: str
    tokens: list[int]
    final: bool             # a segment's final transcript; else a partial
    stable: bool            # a partial past the unstable chunks (its text, less the rollback, stays)
    segment: int            # 0, 1, ...: segments of max_segment_s
    chunk: int              # chunks of this segment so far
    audio_s: float          # audio of the stream consumed so far
    compute_ms: float       # compute spent on this result's chunk (encoder, adapter, LLM)
    speech_ms: float = 0.0  # of compute_ms: the encoder chunk and the prefill of its speech embeddings
    score: float = 0.0      # log-probability of the tokens this search generated
    finish_reason: str = ""  # eos | max_tokens | too_short (no encoder frame)


@dataclass
class _Segment:
    cache: object
    length: int                     # positions in the cache: prompt prefix + speech so far
    speech_frames: int = 0          # adapter frames appended
    chunks: int = 0
    partial: list[int] = field(default_factory=list)
    score: float = 0.0
    reason: str = ""
    speech_ms: float = 0.0


class StreamingRecognizer:
    """Partial and final transcripts of a stream of fbank frames, with a Recognizer's model and search
    limits. `frame_shift_ms`: the fbank frame shift (10 ms unless the front end says otherwise)."""

    def __init__(self, recognizer: Recognizer, opts: StreamingOptions | None = None, frame_shift_ms: float = 10.0):
        self.rec, self.opts = recognizer, opts or recognizer.cfg.streaming
        model = recognizer.model
        self.model, self.llm, self.prompt = model, model.llm, model.prompt
        stride = StreamingEncoder.stride_of(model.encoder)
        frame_ms, stack = frame_shift_ms * stride, model.adapter.stack
        frames = self.opts.chunk_ms / frame_ms
        if frames != int(frames) or int(frames) % stack:
            raise ConfigError(f"streaming.chunk_ms {self.opts.chunk_ms}: must be a multiple of {frame_ms * stack:g} ms "
                              f"({stack} encoder frames of {frame_ms:g} ms make one adapter frame)")
        self.chunk_frames = int(frames)
        self.frame_shift_s = frame_shift_ms / 1000
        if model.encoder.chunk is None:
            log.warning("this model's encoder was trained without chunks (model.encoder.chunk): it streams, "
                        "but its convolutions and attention never saw a chunk boundary, so quality will suffer")
        self.encoder = StreamingEncoder(model.encoder, self.chunk_frames, self.opts.left_chunks)
        self.cache_kw, self.keep_kw = cache_arg(self.llm), logits_to_keep_arg(self.llm)
        self.embed_dtype = self.llm.get_input_embeddings().weight.dtype
        self.device = recognizer.device
        self.suffix = torch.tensor([self.prompt.suffix_ids], device=self.device)
        self._prefix = None  # the prompt prefix's KV cache, computed once

    # ---- the LLM state -------------------------------------------------------------------------
    def _forward(self, seg: _Segment, embeds: torch.Tensor | None = None, ids: torch.Tensor | None = None):
        """Append embeddings or token ids [1, n] to the segment's cache; logits of the last position."""
        n = (embeds if embeds is not None else ids).shape[1]
        inputs = {self.cache_kw: seg.cache, "use_cache": True,
                  "position_ids": torch.arange(seg.length, seg.length + n, device=self.device)[None]}
        if self.keep_kw:
            inputs[self.keep_kw] = 1
        out = self.llm(inputs_embeds=embeds, **inputs) if embeds is not None else self.llm(input_ids=ids, **inputs)
        seg.length += n
        return out.logits[:, -1].float()

    def _new_segment(self) -> _Segment:
        if self._prefix is None:
            seg = _Segment(new_cache(self.llm), 0)
            self._forward(seg, ids=torch.tensor([self.prompt.prefix_ids], device=self.device))
            self._prefix = (seg.cache, seg.length)
        return _Segment(copy.deepcopy(self._prefix[0]), self._prefix[1])

    def _search(self, seg: _Segment, forced: list[int], max_new: int) -> list[int]:
        """Greedy continuation after the speech, as greedy_search limits it (max_new counts the end
        token): suffix + forced tokens prefilled, then new tokens; the cache is cropped back to the end
        of the speech afterwards. Sets seg.score (log-probability of the new tokens) and seg.reason."""
        end, guard = self.prompt.end_id, self.rec.guard
        speech_end = seg.length
        ids = torch.cat([self.suffix, torch.tensor([forced], dtype=torch.long, device=self.device)], dim=1)
        logits = self._forward(seg, ids=ids)
        tokens, seg.score, seg.reason = list(forced), 0.0, MAX_TOKENS
        for step in range(max_new):
            logp = torch.log_softmax(guard(logits, [tokens]), dim=-1)[0]
            tok = int(torch.argmax(logp))
            seg.score += float(logp[tok])
            if tok == end:
                seg.reason = EOS
                break
            tokens.append(tok)
            if step + 2 > max_new:  # no room left for the end token
                break
            logits = self._forward(seg, ids=torch.tensor([[tok]], device=self.device))
        if seg.length > speech_end:  # a negative count removes tokens in transformers 4.x and 5.x alike
            seg.cache.crop(speech_end - seg.length)
        seg.length = speech_end
        return tokens

    # ---- the stream ----------------------------------------------------------------------------
    @torch.no_grad()
    def stream(self, feats: Iterable[torch.Tensor], partials: bool = True) -> Iterator[StreamResult]:
        """Feed fbank frames [T, F] (after CMVN) in pieces of any size; yields a partial per encoder
        chunk (partials=False: none, e.g. to score final transcripts) and a final result per segment
        (the last one at the end of the input)."""
        self.encoder.reset()
        seg, index, consumed = self._new_segment(), 0, 0
        for piece in feats:
            t0 = time.perf_counter()
            consumed += piece.shape[0]
            self.encoder.push(piece.to(self.device))
            while (frames := self.encoder.next_chunk()) is not None:
                if partials:
                    yield self._partial(seg, index, frames, consumed, t0)
                else:
                    self._append(seg, frames)
                t0 = time.perf_counter()
                if seg.chunks * self.opts.chunk_ms / 1000 >= self.opts.max_segment_s:
                    yield self._final(seg, index, consumed, t0)
                    seg, index = self._new_segment(), index + 1
                    self.encoder.reset_context()
                    t0 = time.perf_counter()
        t0 = time.perf_counter()
        tail = self.encoder.flush()
        if tail.shape[0]:
            self._append(seg, tail)
        if seg.speech_frames or index == 0:
            yield self._final(seg, index, consumed, t0)

    def _append(self, seg: _Segment, frames: torch.Tensor) -> None:
        speech, lens = self.model.adapter(frames[None], torch.tensor([frames.shape[0]], device=self.device))
        self._forward(seg, embeds=speech[:, :int(lens[0])].to(self.embed_dtype))
        seg.speech_frames += int(lens[0])
        seg.chunks += 1

    def _partial(self, seg: _Segment, index: int, frames: torch.Tensor, consumed: int, t0: float) -> StreamResult:
        self._append(seg, frames)
        seg.speech_ms = 1000 * (time.perf_counter() - t0)
        stable = seg.chunks > self.opts.unstable_chunks
        rollback = self.opts.rollback_tokens
        if stable and seg.chunks > self.opts.unstable_chunks + 1:  # the previous partial was stable too
            forced = seg.partial[:max(0, len(seg.partial) - rollback)]
            max_new = rollback + self.rec.cfg.max_new_tokens(self.chunk_frames // self.model.adapter.stack)
        else:
            forced, max_new = [], self.rec.cfg.max_new_tokens(seg.speech_frames)
        seg.partial = self._search(seg, forced, max_new)
        return self._result(seg, index, False, stable, consumed, t0)

    def _final(self, seg: _Segment, index: int, consumed: int, t0: float) -> StreamResult:
        seg.speech_ms = 1000 * (time.perf_counter() - t0)  # the flushed tail's
        if seg.speech_frames:
            seg.partial = self._search(seg, [], self.rec.cfg.max_new_tokens(seg.speech_frames))
        else:  # no encoder frame: nothing to recognise
            seg.partial, seg.score, seg.reason = [], 0.0, TOO_SHORT
        return self._result(seg, index, True, True, consumed, t0)

    def _result(self, seg: _Segment, index: int, final: bool, stable: bool, consumed: int, t0: float) -> StreamResult:
        return StreamResult(self.prompt.decode(seg.partial), list(seg.partial), final, stable, index, seg.chunks,
                            consumed * self.frame_shift_s, 1000 * (time.perf_counter() - t0), seg.speech_ms,
                            seg.score, seg.reason)


class StreamingDecoder:
    """The Recognizer's batch interface over streaming (the decode stage's --streaming): each row is
    streamed alone, chunk by chunk, and its final transcript (segments joined) returned as a
    Recognition. No CTC diagnostics (they are the offline encoder's)."""

    def __init__(self, recognizer: Recognizer, frame_shift_ms: float = 10.0):
        self.streaming = StreamingRecognizer(recognizer, recognizer.cfg.streaming, frame_shift_ms)
        self.cfg, self.model, self.device = recognizer.cfg, recognizer.model, recognizer.device
        self.ctc_heads, self.ctc_units = [], {}

    def __call__(self, feats: torch.Tensor, feat_lens: torch.Tensor) -> list[Recognition]:
        out = []
        for row, n in zip(feats, feat_lens.tolist()):
            finals = [r for r in self.streaming.stream([row[:n]], partials=False) if r.final]
            tokens = [t for r in finals for t in r.tokens]
            out.append(Recognition(self.model.prompt.decode(tokens), tokens, sum(r.score for r in finals),
                                   ",".join(dict.fromkeys(r.finish_reason for r in finals))))
        return out
