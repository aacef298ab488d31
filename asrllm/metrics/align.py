"""CTC Viterbi forced alignment: the single best CTC path of a label sequence, O(T x S) in numpy.

The label sequence l_1..l_L is extended to S = 2L + 1 states (blank, l_1, blank, ..., l_L, blank);
a path may stay in a state, move to the next one, or skip a blank between two different labels.
Each label token gets the frames its own state occupies on the best path (at least one frame).
"""

from collections.abc import Sequence

import numpy as np

from asrllm.errors import UserError

NEG_INF = -np.inf


class AlignmentError(UserError, ValueError):
    """The label sequence cannot be aligned to the frames (too many labels for the frames)."""


def min_frames(targets: Sequence[int]) -> int:
    """Frames a CTC path of these labels needs: one per label plus one blank between repeats."""
    return len(targets) + sum(1 for a, b in zip(targets, targets[1:]) if a == b)


def viterbi_states(log_probs: np.ndarray, targets: Sequence[int], blank: int = 0) -> np.ndarray:
    """Best CTC path through the extended label sequence: the state index (0..2L) of every frame."""
    log_probs = np.asarray(log_probs, dtype=np.float64)
    if log_probs.ndim != 2:
        raise ValueError(f"log_probs must be [frames, vocab], got shape {log_probs.shape}")
    targets = [int(t) for t in targets]
    T, V = log_probs.shape
    if any(t == blank or not 0 <= t < V for t in targets):
        raise ValueError(f"targets must be non-blank ids below the vocabulary size {V}: {targets}")
    if T < min_frames(targets):
        raise AlignmentError(f"{len(targets)} labels need at least {min_frames(targets)} frames, got {T}")
    ext = np.full(2 * len(targets) + 1, blank, dtype=np.int64)
    ext[1::2] = targets
    S = len(ext)
    emit = log_probs[:, ext]  # [T, S]
    can_skip = np.zeros(S, dtype=bool)
    can_skip[3::2] = ext[3::2] != ext[1:-2:2]  # label state s may come from s-2 across a blank
    score = np.full(S, NEG_INF)
    score[0] = emit[0, 0]
    if S > 1:
        score[1] = emit[0, 1]
    back = np.zeros((T, S), dtype=np.int8)  # 0 stay, 1 from s-1, 2 from s-2
    for t in range(1, T):
        from1 = np.concatenate(([NEG_INF], score[:-1]))
        from2 = np.where(can_skip, np.concatenate(([NEG_INF, NEG_INF], score[:-2])), NEG_INF)
        cand = np.stack([score, from1, from2])
        step = cand.argmax(0)
        back[t] = step
        score = cand[step, np.arange(S)] + emit[t]
    end = S - 1 if S == 1 or score[S - 1] >= score[S - 2] else S - 2
    if not np.isfinite(score[end]):
        raise AlignmentError("no CTC path has a finite score (posteriors of zero for a needed label)")
    states = np.empty(T, dtype=np.int64)
    s = end
    for t in range(T - 1, -1, -1):
        states[t] = s
        s -= back[t, s]
    return states


def label_spans(states: np.ndarray, num_labels: int) -> list[tuple[int, int]]:
    """[start, end) frame span of each label token's own state on a path from viterbi_states."""
    spans: list[list[int]] = [[-1, -1] for _ in range(num_labels)]
    for t, s in enumerate(states.tolist()):
        if s % 2:
            k = s // 2
            if spans[k][0] < 0:
                spans[k][0] = t
            spans[k][1] = t + 1
    return [(a, b) for a, b in spans]


def forced_align(log_probs, targets: Sequence[int], blank: int = 0) -> list[tuple[int, int]]:
    """CTC Viterbi alignment: the [start, end) frames of each target token on the best path.

    log_probs: [T, V] log posteriors (numpy or torch) of one utterance; targets: label ids.
    Raises AlignmentError when the labels do not fit the frames.
    """
    if hasattr(log_probs, "detach"):
        log_probs = log_probs.detach().cpu().double().numpy()
    states = viterbi_states(log_probs, targets, blank)
    return label_spans(states, len(targets))


def widen_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Give each token half of the blank run on either side of its label frames (the split point
    rounds toward the later token); frames before the first and after the last token stay out."""
    out = []
    for k, (a, b) in enumerate(spans):
        start = a if k == 0 else (spans[k - 1][1] + a + 1) // 2
        end = b if k == len(spans) - 1 else (b + spans[k + 1][0] + 1) // 2
        out.append((start, end))
    return out


def rescale_span(span: tuple[int, int], num_frames: int, ref_frames: int) -> tuple[int, int]:
    """Map a span on ref_frames frames to a model with num_frames frames (same duration)."""
    if num_frames == ref_frames:
        return span
    a = min(num_frames - 1, span[0] * num_frames // ref_frames)
    b = max(a + 1, min(num_frames, -(-span[1] * num_frames // ref_frames)))
    return a, b
