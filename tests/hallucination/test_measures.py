"""Per-utterance hallucination measures."""

import pytest

from asrllm.hallucination.measures import has_loop, is_nim4_hallucination, longest_loop, ratio_summary


@pytest.mark.parametrize("tokens,expected", [
    ("A B C A B C A B C D", (3, 3)),
    ("X A B A B A B A B", (2, 4)),
    ("A A A", (1, 3)),
    ("A A B", (0, 0)),
    ("A B C D A B C D A B C", (0, 0)),  # 2 full repeats and a partial one
    ("A B C D A B C D A B C D", (4, 3)),
    ("", (0, 0)),
])
def test_longest_loop(tokens, expected):
    assert longest_loop(tokens.split()) == expected


def test_loops_of_characters_and_the_repeat_threshold():
    assert has_loop(list("请请请把")) and not has_loop(list("请请把"))
    assert has_loop("UH UH".split(), min_repeats=2)
    assert not has_loop("THE CAT SAT ON THE MAT".split())


@pytest.mark.parametrize("ref,hyp,correct,expected", [
    (10, 16, 0, True),     # 60% longer, nothing aligned
    (10, 15, 0, False),    # exactly 50% longer is not "more than 50%"
    (10, 30, 3, False),    # 10% of the hypothesis aligned: not negligible
    (10, 30, 2, True),
    (0, 1, 0, True),       # anything on an empty reference
    (0, 0, 0, False),
    (10, 8, 0, False),     # a wrong but short hypothesis is an error, not this kind of hallucination
])
def test_nim4_rule(ref, hyp, correct, expected):
    assert is_nim4_hallucination(ref, hyp, correct) is expected


def test_ratio_summary():
    s = ratio_summary([1.0] * 97 + [0.5, 2.0, 10.0])
    assert s["num"] == 100 and s["quantiles"]["p50"] == 1.0 and s["max"] == 10.0
    counts = {(b["lo"], b["hi"]): b["count"] for b in s["histogram"]}
    assert counts[(0.95, 1.05)] == 97 and counts[(0.5, 0.8)] == 1 and counts[(2.0, 3.0)] == 1
    assert counts[(3.0, None)] == 1 and sum(counts.values()) == 100
    assert ratio_summary([]) == {"num": 0}
