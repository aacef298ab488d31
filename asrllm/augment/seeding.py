"""Augmentation randomness keyed by (seed, epoch, utterance), independent of workers and batch order."""

import hashlib

import numpy as np


def utt_seed_words(utt: str) -> tuple[int, int]:
    """Two stable 32-bit words from the utterance id (same in every process and run)."""
    h = int.from_bytes(hashlib.blake2b(utt.encode("utf-8"), digest_size=8).digest(), "little")
    return h & 0xFFFFFFFF, h >> 32


def utt_rng(seed: int, epoch: int, utt: str) -> np.random.Generator:
    """The generator for one utterance in one epoch."""
    return np.random.default_rng(np.random.SeedSequence([seed & 0xFFFFFFFF, epoch, *utt_seed_words(utt)]))
