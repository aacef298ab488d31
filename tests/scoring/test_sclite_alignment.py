"""Edit-distance alignment with sclite's weights and tie-breaking (asrllm/scoring/align.py)."""

import random

import jiwer
import pytest

from asrllm.scoring.align import Counts, align, cost
from asrllm.scoring.report import trn_line

# (ref, hyp, ops sclite produces): hand-checked against sclite's DP rule.
CASES = [
    ("", "", ""),
    ("A B C", "", "DDD"),
    ("", "A B", "II"),
    ("A B C", "A B C", "CCC"),
    ("A B C", "A C D", "CDCI"),  # 2 ops of cost 3 (6) beat 2 substitutions (8)
    ("A B Z C", "Z D E F", "SSSS"),  # tie at cost 16 with D D C S I I: the diagonal wins
    ("我 爱 北 京", "我 北 京 京", "CDCIC"),  # where the insertion goes is sclite's choice too
    ("A", "B C", "IS"),  # the diagonal is taken at the last cell, so the gap comes first
    ("A B", "C", "DS"),
]


@pytest.mark.parametrize("ref,hyp,expected", CASES)
@pytest.mark.parametrize("use_numpy", [False, True])
def test_known_alignments(ref, hyp, expected, use_numpy):
    assert "".join(align(ref.split(), hyp.split(), use_numpy=use_numpy)) == expected


def _random_pairs(seed: int, n: int, max_len: int, vocab: str) -> list[tuple[list[str], list[str]]]:
    rng = random.Random(seed)
    return [([rng.choice(vocab) for _ in range(rng.randint(0, max_len))],
             [rng.choice(vocab) for _ in range(rng.randint(0, max_len))]) for _ in range(n)]


def test_python_and_numpy_give_the_same_path():
    for ref, hyp in _random_pairs(1, 400, 40, "abcd我你"):
        assert align(ref, hyp, use_numpy=False) == align(ref, hyp, use_numpy=True)


def _min_cost(ref: list[str], hyp: list[str]) -> int:
    """Independent weighted edit distance (sub 4, ins 3, del 3), no path."""
    prev = [3 * j for j in range(len(hyp) + 1)]
    for i, r in enumerate(ref, 1):
        cur = [3 * i]
        for j, h in enumerate(hyp, 1):
            cur.append(min(prev[j - 1] + (0 if r == h else 4), prev[j] + 3, cur[j - 1] + 3))
        prev = cur
    return prev[-1]


def test_cost_is_minimal_and_never_below_levenshtein():
    """Our path has the minimum 4/3/3 cost; its error count is >= the unit-cost edit distance."""
    for ref, hyp in _random_pairs(2, 300, 10, "abc"):
        ops = align(ref, hyp)
        c = Counts.from_ops(ops)
        assert (c.num_ref, c.num_hyp) == (len(ref), len(hyp))
        assert cost(ops) == _min_cost(ref, hyp)
        if ref:
            lev = jiwer.process_words(" ".join(ref), " ".join(hyp))
            assert c.errors >= lev.substitutions + lev.deletions + lev.insertions


@pytest.mark.parametrize("max_len,n,seed", [(12, 2000, 3), (160, 40, 4)])
def test_random_alignments_match_sclite(sclite, tmp_path, max_len, n, seed):
    """Every alignment column equals sclite's on random token strings with many ties (small
    vocabulary); the long ones take the numpy path."""
    pairs = _random_pairs(seed, n, max_len, "abcd我你")
    ids = [f"utt{i:05d}" for i in range(n)]
    (tmp_path / "ref.trn").write_text("".join(trn_line(r, u) for u, (r, _) in zip(ids, pairs)), encoding="utf-8")
    (tmp_path / "hyp.trn").write_text("".join(trn_line(h, u) for u, (_, h) in zip(ids, pairs)), encoding="utf-8")
    theirs = sclite(tmp_path / "ref.trn", tmp_path / "hyp.trn")
    for u, (ref, hyp) in zip(ids, pairs):
        ours = align(ref, hyp)
        assert ours == theirs.ops[u], (u, ref, hyp)
        c = Counts.from_ops(ours)
        assert (c.correct, c.substitutions, c.deletions, c.insertions) == theirs.counts[u]
