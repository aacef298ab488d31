"""Simulated CTC phone posteriors from a phone sequence: what a peaky phone-CTC encoder emits.

A CTC encoder trained on phones (stage 7) outputs, per 40 ms frame, a distribution that is almost
always one-hot: blank on most frames, a spike on one frame per phone. This module draws such
frame sequences from text (a phone sequence), with an utterance speaking rate, leading/trailing
silence and recogniser-like errors (substituted, deleted, inserted spikes, spikes that are not
fully confident, a little mass spread over every other unit), so an LLM can learn to read them
before any speech exists (asrllm.synth.slot_reading).
"""

import math
import random
from dataclasses import dataclass

import torch

from asrllm.config import ConfigError
from asrllm.config_section import build_section
from asrllm.lang.units import BLANK_ID


@dataclass(frozen=True)
class PosteriorSimOptions:
    frames_per_phone: tuple[float, float] = (1.6, 4.0)  # utterance speaking rate, drawn uniformly
    edge_frames: tuple[int, int] = (1, 6)  # blank frames before the first and after the last phone
    substitution: float = 0.08  # a spike of another phone
    deletion: float = 0.04  # no spike (blank only)
    insertion: float = 0.02  # an extra spike of a random phone on a blank frame
    confidence: tuple[float, float] = (0.6, 1.0)  # a spike's probability; the rest goes to blank
    # probability mass spread at random over all units, drawn log-uniformly per utterance: a real
    # head's log-posteriors of the units it rejects lie around log(floor / V), not at -inf
    floor: tuple[float, float] = (1e-5, 1e-2)

    @classmethod
    def from_config(cls, cfg: dict, where: str) -> "PosteriorSimOptions":
        opts = build_section(cls, cfg, where)
        for name in ("frames_per_phone", "edge_frames", "confidence", "floor"):
            lo, hi = getattr(opts, name)
            if not 0 <= lo <= hi:
                raise ConfigError(f"{where}: {name} must be [low, high] with 0 <= low <= high, got [{lo}, {hi}]")
        if opts.frames_per_phone[0] < 1:
            raise ConfigError(f"{where}: frames_per_phone must be at least 1 (one spike per phone)")
        if opts.floor[1] >= 1:
            raise ConfigError(f"{where}: floor must lie below 1, got {list(opts.floor)}")
        for name in ("substitution", "deletion", "insertion"):
            rate = getattr(opts, name)
            if not (isinstance(rate, (int, float)) and 0 <= rate < 1):
                raise ConfigError(f"{where}: {name} must be a rate in [0, 1), got {rate!r}")
        return opts


def simulate_posteriors(phone_ids: list[int], vocab_size: int, opts: PosteriorSimOptions,
                        rng: random.Random) -> torch.Tensor:
    """[T, vocab_size] frame posteriors (rows sum to 1) for one utterance's phone ids (no blanks)."""
    if any(not 0 < p < vocab_size for p in phone_ids):
        raise ValueError(f"phone ids must lie in 1..{vocab_size - 1} (0 is blank), got {phone_ids}")
    rate = rng.uniform(*opts.frames_per_phone)
    lead, trail = (rng.randint(*opts.edge_frames) for _ in range(2))
    body = max(len(phone_ids), round(rate * len(phone_ids)))
    frames = torch.zeros(lead + body + trail, vocab_size)
    frames[:, BLANK_ID] = 1.0
    spikes: dict[int, tuple[int, float]] = {}  # frame -> (phone, probability), written at the end
    for i, phone in enumerate(phone_ids):
        start, end = lead + i * body // len(phone_ids), lead + (i + 1) * body // len(phone_ids)
        if rng.random() < opts.deletion:
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
    lo, hi = opts.floor
    if hi > 0:
        floor = math.exp(rng.uniform(math.log(max(lo, 1e-12)), math.log(hi)))
        # log-normal weights: the rejected units' logits of a real head scatter about their mean
        spread = torch.randn(frames.shape, generator=torch.Generator().manual_seed(rng.randrange(2**31))).exp()
        frames = (1 - floor) * frames + floor * spread / spread.sum(-1, keepdim=True)
    return frames


def reader_input(posteriors: torch.Tensor) -> torch.Tensor:
    """What the reader's adapter reads: log-posteriors centred over the units of each frame. Centred,
    they equal the centred logits of a CTC head, a linear function of the encoder frames when the
    head is linear (asrllm.synth.reader_init folds it into the frame adapter's first layer)."""
    logp = posteriors.clamp_min(1e-12).log()
    return logp - logp.mean(-1, keepdim=True)
