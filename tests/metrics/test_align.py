"""CTC Viterbi forced alignment: constructed posteriors with a known best path, brute force, spans."""

import itertools

import numpy as np
import pytest
import torch

from asrllm.metrics.align import AlignmentError, forced_align, rescale_span, viterbi_states, widen_spans


def _posteriors(path: list[int], vocab: int, peak: float = 0.9) -> np.ndarray:
    """Log posteriors where frame t puts `peak` on path[t] and spreads the rest evenly."""
    p = np.full((len(path), vocab), (1 - peak) / (vocab - 1))
    p[np.arange(len(path)), path] = peak
    return np.log(p)


def test_known_path_with_repeats_and_blanks():
    # labels 3 5 5 2: the repeated 5 needs a blank between its two tokens
    path = [0, 3, 3, 0, 5, 0, 5, 5, 2, 0, 0]
    spans = forced_align(_posteriors(path, 6), [3, 5, 5, 2])
    assert spans == [(1, 3), (4, 5), (6, 8), (8, 9)]
    assert forced_align(torch.from_numpy(_posteriors(path, 6)), [3, 5, 5, 2]) == spans


def test_path_follows_the_posteriors_not_a_uniform_split():
    path = [4, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0]
    assert forced_align(_posteriors(path, 5, peak=0.6), [4, 1]) == [(0, 1), (7, 10)]


def _path_score(lp, states, ext):
    return sum(lp[t, ext[s]] for t, s in enumerate(states))


def _all_paths(T, ext):
    """Every valid CTC state sequence over the extended labels (brute force)."""
    S = len(ext)
    for seq in itertools.product(range(S), repeat=T):
        if seq[0] > 1 or seq[-1] < S - 2:
            continue
        ok = True
        for a, b in zip(seq, seq[1:]):
            step = b - a
            if step not in (0, 1, 2) or (step == 2 and (ext[b] == 0 or ext[b] == ext[b - 2])):
                ok = False
                break
        if ok:
            yield seq


@pytest.mark.parametrize("targets", [[1, 2], [2, 2], [1, 2, 1]])
def test_viterbi_matches_brute_force(targets):
    rng = np.random.default_rng(len(targets) + sum(targets))
    T = 6
    lp = np.log(rng.dirichlet(np.ones(3), size=T))
    ext = [0]
    for t in targets:
        ext += [t, 0]
    best = max(_path_score(lp, s, ext) for s in _all_paths(T, ext))
    states = viterbi_states(lp, targets)
    assert _path_score(lp, states, ext) == pytest.approx(best, abs=1e-12)


def test_too_few_frames_and_bad_targets():
    lp = np.log(np.full((3, 4), 0.25))
    with pytest.raises(AlignmentError, match="at least 4 frames"):
        forced_align(lp, [1, 1, 2])
    with pytest.raises(ValueError, match="non-blank"):
        forced_align(lp, [0, 2])
    assert forced_align(lp, [1, 2, 3]) == [(0, 1), (1, 2), (2, 3)]


def test_widen_and_rescale_spans():
    # blank runs are split at their midpoints; leading and trailing blanks stay out
    assert widen_spans([(2, 3), (7, 8), (8, 10)]) == [(2, 5), (5, 8), (8, 10)]
    assert widen_spans([(1, 2)]) == [(1, 2)]
    assert rescale_span((3, 5), 20, 20) == (3, 5)
    assert rescale_span((3, 5), 10, 20) == (1, 3)  # half the frame rate
    assert rescale_span((19, 20), 10, 20) == (9, 10)
    assert rescale_span((0, 1), 40, 20) == (0, 2)
