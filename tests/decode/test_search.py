"""Greedy and beam search on a scripted LM (exact log-probs): results, limits, finish reasons, row bookkeeping."""

import itertools
import math

import pytest
import torch

from asrllm.decode.guard import RepetitionGuard, banned_ngram_tokens
from asrllm.decode.search import EOS, MAX_TOKENS, beam_search, greedy_search

END = 0


class ScriptedLM:
    """next-token log-probs = table[utterance, last token] (row V of the table: nothing emitted yet).
    Rows are told apart by embeds[:, 0, 0] (the utterance index); select() keeps/reorders rows."""

    def __init__(self, table: torch.Tensor):
        self.table = table  # [U, V + 1, V] log-probs
        self.start_state = table.shape[2]

    def start(self, embeds, mask, pos):
        self.utt = embeds[:, 0, 0].long()
        self.last = torch.full_like(self.utt, self.start_state)
        return self.table[self.utt, self.last]

    def step(self, ids):
        self.last = ids.long()
        return self.table[self.utt, self.last]

    def select(self, rows):
        self.utt, self.last = self.utt[rows], self.last[rows]


def table_from(probs: dict, vocab: int) -> torch.Tensor:
    """{state: [p_0, ..., p_V-1]} (state = last token, 'start' = V) -> [1, V + 1, V] log-probs."""
    t = torch.full((1, vocab + 1, vocab), -1e9)
    for state, p in probs.items():
        t[0, vocab if state == "start" else state] = torch.log(torch.tensor(p))
    return t


def run(search, table, max_new, utts=None, **kw):
    utts = list(range(table.shape[0])) if utts is None else utts
    embeds = torch.tensor(utts, dtype=torch.float32)[:, None, None].expand(-1, 1, 2)
    dummy = torch.zeros(len(utts), 1, dtype=torch.long)
    lm = ScriptedLM(table)
    if search == "greedy":
        return greedy_search(lm, embeds, dummy, dummy, max_new, END, **kw)
    return beam_search(lm, embeds, dummy, dummy, max_new, END, **kw)


def test_beam_finds_the_sequence_greedy_misses():
    # start: a .55, b .45; after a: end .4 (a .3, b .3); after b: end .9 -> best is "b <end>" (.405 > .22)
    table = table_from({"start": [1e-9, .55, .45], 1: [.4, .3, .3], 2: [.9, .05, .05]}, 3)
    g = run("greedy", table, [5])[0]
    b = run("beam", table, [5], beam_size=2, length_penalty=0.0)[0]
    assert (g.tokens, g.finish_reason) == ([1], EOS)
    assert g.score == pytest.approx(math.log(.55 * .4), abs=1e-5)
    assert (b.tokens, b.finish_reason) == ([2], EOS)
    assert b.score == pytest.approx(math.log(.45 * .9), abs=1e-5)


def test_length_limit_counts_the_end_token_and_sets_max_tokens():
    table = table_from({"start": [.1, .9, 1e-9], 1: [.3, .7, 1e-9]}, 3)  # end never the argmax
    for max_new in (1, 2, 5):
        g = run("greedy", table, [max_new])[0]
        assert g.tokens == [1] * max_new and g.finish_reason == MAX_TOKENS
        assert g.score == pytest.approx(math.log(.9) + (max_new - 1) * math.log(.7), abs=1e-4)
    # end as the last allowed token: 2 new tokens = "a <end>"
    table = table_from({"start": [.1, .9, 1e-9], 1: [.8, .2, 1e-9]}, 3)
    g = run("greedy", table, [2])[0]
    assert (g.tokens, g.finish_reason) == ([1], EOS)


def brute_force(table_u: torch.Tensor, max_new: int, vocab: int):
    """Best (score, tokens, reason) over every sequence the limit allows (length_penalty 0)."""
    best = (-math.inf, None, None)
    for n in range(max_new + 1):
        for seq in itertools.product(range(1, vocab), repeat=n):
            score, state = 0.0, vocab
            for tok in seq:
                score += float(table_u[state, tok])
                state = tok
            if n < max_new:
                cand = (score + float(table_u[state, END]), list(seq), EOS)
            else:
                cand = (score, list(seq), MAX_TOKENS)
            if cand[0] > best[0]:
                best = cand
    return best


def test_wide_beam_is_exact_on_small_problems():
    g = torch.Generator().manual_seed(0)
    vocab, max_new = 3, 4
    table = torch.log_softmax(torch.randn(6, vocab + 1, vocab, generator=g) * 2, dim=-1)
    hyps = run("beam", table, [max_new] * 6, beam_size=2 ** max_new, length_penalty=0.0)
    for u, h in enumerate(hyps):
        score, tokens, reason = brute_force(table[u], max_new, vocab)
        assert (h.tokens, h.finish_reason) == (tokens, reason)
        assert h.score == pytest.approx(score, abs=1e-4)


@pytest.mark.parametrize("search,kw", [("greedy", {}), ("beam", {"beam_size": 3}),
                                       ("beam", {"beam_size": 2, "length_penalty": 0.0})])
def test_batched_rows_equal_rows_alone(search, kw):
    """Rows finish at different steps (own limits, end tokens): the bookkeeping must keep them apart."""
    g = torch.Generator().manual_seed(1)
    vocab = 6
    table = torch.log_softmax(torch.randn(8, vocab + 1, vocab, generator=g) * 3, dim=-1)
    max_new = [1, 7, 3, 9, 2, 6, 4, 8]
    together = run(search, table, max_new, **kw)
    for u in range(8):
        alone = run(search, table, [max_new[u]], utts=[u], **kw)[0]
        assert (together[u].tokens, together[u].finish_reason) == (alone.tokens, alone.finish_reason)
        assert together[u].score == pytest.approx(alone.score, abs=1e-5)
    assert {h.finish_reason for h in together} == {EOS, MAX_TOKENS}


def test_beam_of_one_is_greedy():
    g = torch.Generator().manual_seed(2)
    table = torch.log_softmax(torch.randn(10, 6, 5, generator=g) * 2, dim=-1)
    max_new = [2, 5, 9, 3, 7, 1, 4, 6, 8, 5]
    greedy = run("greedy", table, max_new)
    for lp in (0.0, 1.0):
        beam = run("beam", table, max_new, beam_size=1, length_penalty=lp)
        assert [(h.tokens, h.finish_reason) for h in beam] == [(h.tokens, h.finish_reason) for h in greedy]


def test_banned_ngram_tokens():
    assert banned_ngram_tokens([5, 6, 7, 5, 6], 3) == [7]  # "5 6 7" exists, prefix "5 6" again
    assert banned_ngram_tokens([5, 6, 5, 8, 5], 2) == [6, 8]
    assert banned_ngram_tokens([1, 2, 3], 1) == [1, 2, 3]
    assert banned_ngram_tokens([1, 2], 3) == []
    assert banned_ngram_tokens([1, 2, 1, 2], 0) == []


def test_repetition_guard_changes_what_is_chosen():
    # "a" is always best without a guard: the plain search loops on it until the limit
    table = table_from({"start": [.05, .6, .35], 1: [.05, .6, .35], 2: [.9, .05, .05]}, 3)
    assert run("greedy", table, [6])[0].tokens == [1] * 6
    # no_repeat_ngram_size=1 bans "a" after it was emitted: a b <end>
    g = run("greedy", table, [6], guard=RepetitionGuard(no_repeat_ngram_size=1))[0]
    assert (g.tokens, g.finish_reason) == ([1, 2], EOS)
    # a penalty of 4 multiplies the (negative) logit of the emitted "a": -0.51 -> -2.04 < -1.05 of "b"
    g = run("greedy", table, [6], guard=RepetitionGuard(repetition_penalty=4.0))[0]
    assert g.tokens[:2] == [1, 2]
