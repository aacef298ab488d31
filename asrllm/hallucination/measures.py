"""Per-utterance hallucination measures (pure functions, no I/O).

NIM4 rule (the NIM4-ASR paper, arXiv 2604.18105): the hypothesis is more than 50% longer than the reference and has
negligible lexical overlap with it. Overlap measure chosen here: the share of hypothesis tokens that
the scorer's alignment marks correct, C / len(hyp) (an order-aware precision: chance matches
between unrelated texts mostly do not align). Negligible = below 0.1. Tokens are the scoring
tokens (the corpus's normaliser and unit), counted by stage 12.
Looping: some n-gram occurs at least 3 times in a row (period n, any n >= 1).
"""

import numpy as np

NIM4_LENGTH_FACTOR = 1.5
NIM4_OVERLAP_THRESHOLD = 0.1
NIM4_OVERLAP_MEASURE = ("aligned precision: hypothesis tokens aligned as correct to the reference (sclite "
                        "alignment of stage 12) / hypothesis tokens; 0 when the hypothesis is empty")
LOOP_MIN_REPEATS = 3
RATIO_QUANTILES = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)
RATIO_BINS = (0.0, 0.5, 0.8, 0.95, 1.05, 1.25, 1.5, 2.0, 3.0, float("inf"))


def aligned_precision(correct: int, hyp_len: int) -> float:
    return correct / hyp_len if hyp_len else 0.0


def is_nim4_hallucination(ref_len: int, hyp_len: int, correct: int, length_factor: float = NIM4_LENGTH_FACTOR,
                          overlap_threshold: float = NIM4_OVERLAP_THRESHOLD) -> bool:
    """Longer than length_factor x the reference and aligned precision below the threshold."""
    return hyp_len > length_factor * ref_len and aligned_precision(correct, hyp_len) < overlap_threshold


def longest_loop(tokens: list, min_repeats: int = LOOP_MIN_REPEATS) -> tuple[int, int]:
    """(n, repeats) of the loop with the most repeats among n-grams repeated >= min_repeats times in a
    row (the shortest n on ties); (0, 0) when there is none.

    A stretch repeats an n-gram r times in a row exactly when tokens[j] == tokens[j + n] for (r - 1) * n
    consecutive j, so each n is one vectorised scan for runs of matches.
    """
    if len(tokens) < min_repeats:
        return 0, 0
    ids = {t: i for i, t in enumerate(dict.fromkeys(tokens))}
    a = np.fromiter((ids[t] for t in tokens), dtype=np.int64, count=len(tokens))
    best = (0, 0)
    for n in range(1, len(a) // min_repeats + 1):
        eq = np.concatenate([[False], a[:-n] == a[n:], [False]])
        edges = np.flatnonzero(np.diff(eq.astype(np.int8)))
        if not len(edges):
            continue
        run = int((edges[1::2] - edges[0::2]).max())
        repeats = run // n + 1
        if repeats >= min_repeats and repeats > best[1]:
            best = (n, repeats)
    return best


def has_loop(tokens: list, min_repeats: int = LOOP_MIN_REPEATS) -> bool:
    return longest_loop(tokens, min_repeats)[1] >= min_repeats


def ratio_summary(ratios: list[float]) -> dict:
    """Mean, quantiles and a fixed-bin histogram of hypothesis/reference length ratios."""
    if not ratios:
        return {"num": 0}
    r = np.asarray(ratios, dtype=np.float64)
    hist, _ = np.histogram(r, bins=np.asarray(RATIO_BINS))
    bins = [{"lo": lo, "hi": None if hi == float("inf") else hi, "count": int(c)}
            for lo, hi, c in zip(RATIO_BINS[:-1], RATIO_BINS[1:], hist)]
    return {"num": len(r), "mean": round(float(r.mean()), 4),
            "quantiles": {f"p{round(q * 100)}": round(float(np.quantile(r, q)), 4) for q in RATIO_QUANTILES},
            "max": round(float(r.max()), 4), "histogram": bins}
