"""Long audio is cut at its quietest points into chunks no longer than the limit; transcripts are joined."""

import numpy as np
import pytest

from asrllm.inference.chunking import chunk_bounds, join_texts

SR = 1000  # a low rate keeps the arrays small; the logic is in seconds


def test_short_audio_is_one_chunk():
    assert chunk_bounds(np.ones(30 * SR), SR, 30.0) == [(0, 30 * SR)]


def test_cuts_fall_in_pauses_and_respect_the_limit():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(75 * SR)
    pauses = [(24.0, 24.6), (47.0, 47.5), (69.0, 69.4)]
    for a, b in pauses:
        x[int(a * SR):int(b * SR)] = 0.0
    bounds = chunk_bounds(x, SR, 30.0)
    assert bounds[0][0] == 0 and bounds[-1][1] == len(x)
    assert all(b0[1] == b1[0] for b0, b1 in zip(bounds, bounds[1:]))
    assert all(0 < b - a <= 30 * SR for a, b in bounds)
    cuts = [b / SR for _, b in bounds[:-1]]
    assert len(cuts) == 2
    for cut, (a, b) in zip(cuts, pauses):
        assert a + 0.1 <= cut <= b - 0.1  # inside the pause, with the 200 ms window fully silent


def test_no_pause_still_cuts_within_the_limit():
    x = np.random.default_rng(1).standard_normal(100 * SR)
    bounds = chunk_bounds(x, SR, 20.0)
    assert all(20 * SR * 2 // 3 <= b - a <= 20 * SR for a, b in bounds[:-1])
    with pytest.raises(ValueError):
        chunk_bounds(x, SR, 0.0)


@pytest.mark.parametrize("parts,text", [
    (["HELLO WORLD", "HOW ARE YOU"], "HELLO WORLD HOW ARE YOU"),
    (["你好", "世界"], "你好世界"),
    (["我们去 MEETING", "然后回家"], "我们去 MEETING然后回家"),
    (["句子。", "下一句"], "句子。下一句"),
    (["A ", "", "  B"], "A B"),
])
def test_join(parts, text):
    assert join_texts(parts) == text
