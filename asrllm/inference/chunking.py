"""Long audio: cut at low-energy points into chunks of at most max_sec, and join the chunk transcripts.

A cut is placed at the quietest point (lowest energy over a 200 ms window, on a 10 ms grid) in the
last third of the allowed chunk length, so chunks last between 2/3 x max_sec and max_sec (the last
one may be shorter) and a cut falls in a pause whenever the speech has one there.
"""

import unicodedata

import numpy as np

from asrllm.text.chars import is_cjk

WINDOW_S = 0.2
HOP_S = 0.01


def chunk_bounds(x: np.ndarray, sr: int, max_sec: float = 30.0) -> list[tuple[int, int]]:
    """[start, end) sample ranges covering x, each at most max_sec long."""
    n = len(x)
    max_len = int(max_sec * sr)
    if max_len <= 0:
        raise ValueError(f"max_sec must be positive, got {max_sec}")
    if n <= max_len:
        return [(0, n)]
    energy = np.concatenate([[0.0], np.cumsum(np.square(x, dtype=np.float64))])
    half, hop = max(1, int(WINDOW_S * sr / 2)), max(1, int(HOP_S * sr))
    bounds = []
    start = 0
    while n - start > max_len:
        lo, hi = start + max(1, (2 * max_len) // 3), start + max_len
        cand = np.arange(lo, hi + 1, hop)
        e = energy[np.minimum(cand + half, n)] - energy[np.maximum(cand - half, 0)]
        cut = int(cand[np.flatnonzero(e == e.min())[-1]])  # the latest of the quietest points
        bounds.append((start, cut))
        start = cut
    bounds.append((start, n))
    return bounds


def _wide(ch: str) -> bool:
    return is_cjk(ch) or unicodedata.east_asian_width(ch) in "WF"


def join_texts(parts: list[str]) -> str:
    """Chunk transcripts -> one: a space between them, none where either side is CJK (or full-width)."""
    out = ""
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if out and not (_wide(out[-1]) or _wide(part[0])):
            out += " "
        out += part
    return out
