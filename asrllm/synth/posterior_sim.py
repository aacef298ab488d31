"""Simulated CTC phone posteriors from a phone sequence: what a peaky phone-CTC encoder emits.

A CTC encoder trained on phones (stage 7) outputs, per 40 ms frame, a distribution that is almost
always one-hot: blank on most frames, a spike on one frame per phone. This module draws such
frame sequences from text (a phone sequence), with an utterance speaking rate, leading/trailing
silence and recogniser-like errors (substituted, deleted, inserted spikes, spikes that are not
fully confident), so an LLM can learn to read them before any speech exists (asrllm.synth.slot_reading).
"""

import random
from dataclasses import dataclass, fields

import torch

from asrllm.config import ConfigError, check_keys
from asrllm.lang.units import BLANK_ID


@dataclass(frozen=True)
class PosteriorSimOptions:
    frames_per_phone: tuple[float, float] = (1.6, 4.0)  # utterance speaking rate, drawn uniformly
    edge_frames: tuple[int, int] = (1, 6)  # blank frames before the first and after the last phone
    substitution: float = 0.08  # a spike of another phone
    deletion: float = 0.04  # no spike (blank only)
    # the word boundary's own deletion rate (None: `deletion`); a real encoder loses far more word
    # boundaries than phones, as a boundary is silent between words read together
    boundary_deletion: float | None = None
    insertion: float = 0.02  # an extra spike of a random phone on a blank frame
    confidence: tuple[float, float] = (0.6, 1.0)  # a spike's probability; the rest goes to blank

    @classmethod
    def from_config(cls, cfg: dict, where: str) -> "PosteriorSimOptions":
        check_keys(cfg, {f.name for f in fields(cls)}, where)
        opts = cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in cfg.items()})
        for name in ("frames_per_phone", "edge_frames", "confidence"):
            lo, hi = getattr(opts, name)
            if not 0 <= lo <= hi:
                raise ConfigError(f"{where}: {name} must be [low, high] with 0 <= low <= high, got [{lo}, {hi}]")
        if opts.frames_per_phone[0] < 1:
            raise ConfigError(f"{where}: frames_per_phone must be at least 1 (one spike per phone)")
        for name in ("substitution", "deletion", "insertion", "boundary_deletion"):
            rate = getattr(opts, name)
            if rate is not None and not (isinstance(rate, (int, float)) and 0 <= rate < 1):
                raise ConfigError(f"{where}: {name} must be a rate in [0, 1), got {rate!r}")
        return opts


def simulate_posteriors(phone_ids: list[int], vocab_size: int, opts: PosteriorSimOptions,
                        rng: random.Random, boundary_id: int | None = None) -> torch.Tensor:
    """[T, vocab_size] frame posteriors (rows sum to 1) for one utterance's phone ids (no blanks);
    `boundary_id` (the word boundary unit) is deleted at opts.boundary_deletion."""
    if any(not 0 < p < vocab_size for p in phone_ids):
        raise ValueError(f"phone ids must lie in 1..{vocab_size - 1} (0 is blank), got {phone_ids}")
    rate = rng.uniform(*opts.frames_per_phone)
    lead, trail = (rng.randint(*opts.edge_frames) for _ in range(2))
    body = max(len(phone_ids), round(rate * len(phone_ids)))
    frames = torch.zeros(lead + body + trail, vocab_size)
    frames[:, BLANK_ID] = 1.0
    boundary_deletion = opts.deletion if opts.boundary_deletion is None else opts.boundary_deletion
    spikes: dict[int, tuple[int, float]] = {}  # frame -> (phone, probability), written at the end
    for i, phone in enumerate(phone_ids):
        start, end = lead + i * body // len(phone_ids), lead + (i + 1) * body // len(phone_ids)
        if rng.random() < (boundary_deletion if phone == boundary_id else opts.deletion):
            continue
        if rng.random() < opts.substitution:
            phone = rng.randrange(1, vocab_size)
        t = rng.randrange(start, max(start + 1, end))
        spikes[t] = (phone, rng.uniform(*opts.confidence))
    for t in range(frames.shape[0]):
        if t not in spikes and rng.random() < opts.insertion:
            spikes[t] = (rng.randrange(1, vocab_size), rng.uniform(*opts.confidence))
    if spikes:  # one indexed write instead of one per spike (the reader simulates ~4,000 per step)
        t = torch.tensor(list(spikes))
        phone = torch.tensor([p for p, _ in spikes.values()])
        prob = torch.tensor([q for _, q in spikes.values()])
        frames[t] = 0.0
        frames[t, phone] = prob
        frames[t, BLANK_ID] = torch.tensor([1.0 - q for _, q in spikes.values()])
    return frames
