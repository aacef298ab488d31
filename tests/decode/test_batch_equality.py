"""On a real (random, tiny) SpeechLLM: a batched hypothesis equals the one decoded alone and the one of a
per-utterance Hugging Face generate(); the encoder ignores batch padding.

Near ties: where two tokens' log-probs differ by float rounding only, batch shapes may pick either.
A mismatch is accepted only at such a tie (gap below NEAR_TIE at the first differing token, decoded
alone); the ones found are printed (run with -s) so they can be listed.
"""

import pytest
import torch

from asrllm.decode.config import DecodeConfig
from asrllm.decode.naive import generate_one, top2_gap
from asrllm.models.padding import PaddingMaskHooks
from asrllm.decode.recognizer import Recognizer

NEAR_TIE = 1e-4


def pad(feats_list):
    lens = torch.tensor([f.shape[0] for f in feats_list])
    batch = torch.zeros(len(feats_list), int(lens.max()), feats_list[0].shape[1])
    for i, f in enumerate(feats_list):
        batch[i, :f.shape[0]] = f
    return batch, lens


def check_same(model, feats, a: list[int], b: list[int], what: str, ties: list) -> None:
    if a == b:
        return
    k = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    gap = top2_gap(model, feats, a[:k])
    ties.append((what, k, gap))
    print(f"near tie: {what} differ at token {k}, top-2 log-prob gap {gap:.3g}")
    assert gap < NEAR_TIE, f"{what}: hypotheses differ at token {k} where the top-2 gap is {gap:.3g} (not a tie)"


def test_encoder_ignores_padding_with_the_hooks(toy_model, toy_feats):
    """SpeechEncoder installs the hooks itself; without them padding leaks."""
    feats = [f for f, _ in toy_feats]
    batch, lens = pad(feats)
    enc = toy_model.encoder
    with torch.no_grad():
        masked, out_lens = enc(batch, lens)
        alone = [enc(f[None], torch.tensor([f.shape[0]]))[0][0] for f in feats]
        enc.padding_hooks.remove()
        try:
            leaky, _ = enc(batch, lens)
        finally:
            enc.padding_hooks = PaddingMaskHooks(enc)
    worst_leak = max((leaky[i, :len(a)] - a).abs().max() for i, a in enumerate(alone))
    worst = max((masked[i, :len(a)] - a).abs().max() for i, a in enumerate(alone))
    assert [len(a) for a in alone] == out_lens.tolist()
    assert worst < 1e-5
    assert worst_leak > 1e-3  # without the hooks padding leaks (so the check above means something)


@pytest.mark.parametrize("cfg", [DecodeConfig(max_new_tokens_factor=1.0, max_new_tokens_constant=4),
                                 DecodeConfig(max_new_tokens_factor=1.0, max_new_tokens_constant=4,
                                              no_repeat_ngram_size=2, repetition_penalty=1.3)],
                         ids=["plain", "guard"])
def test_batched_greedy_equals_alone_and_generate(toy_model, toy_feats, cfg):
    rec = Recognizer(toy_model, cfg, "cpu")
    feats = [f for f, _ in toy_feats]
    ties = []
    batched = rec(*pad(feats))
    for f, r in zip(feats, batched):
        alone = rec(f[None], torch.tensor([f.shape[0]]))[0]
        check_same(toy_model, f, r.tokens, alone.tokens, "batched vs alone", ties)
        if r.tokens == alone.tokens:
            assert r.score == pytest.approx(alone.score, abs=1e-3)
        naive = generate_one(toy_model, f, cfg)
        check_same(toy_model, f, r.tokens, naive.tokens, "batched vs generate()", ties)
        assert r.finish_reason == naive.finish_reason or r.tokens != naive.tokens
        assert r.text == toy_model.prompt.decode(r.tokens)
    assert len(ties) <= 1, ties
    assert any(len(r.tokens) > 3 for r in batched)  # long enough to exercise the cache


def test_batched_beam_equals_alone(toy_model, toy_feats):
    cfg = DecodeConfig(beam_size=3, max_new_tokens_factor=1.0, max_new_tokens_constant=4)
    rec = Recognizer(toy_model, cfg, "cpu")
    feats = [f for f, _ in toy_feats]
    ties = []
    batched = rec(*pad(feats))
    for f, r in zip(feats, batched):
        alone = rec(f[None], torch.tensor([f.shape[0]]))[0]
        if r.tokens != alone.tokens:  # beam scores are sums: compare them, not one step's gap
            ties.append(abs(r.score - alone.score))
            assert abs(r.score - alone.score) < NEAR_TIE
        assert r.finish_reason == alone.finish_reason or r.tokens != alone.tokens
    assert len(ties) <= 1, ties


def test_ctc_diagnostic_uses_the_encoder_frames(toy_model, toy_feats):
    rec = Recognizer(toy_model, DecodeConfig(max_new_tokens_constant=1, max_new_tokens_factor=0.0,
                                             ctc_heads=["phone", "char"]), "cpu")
    feats = [f for f, _ in toy_feats]
    out = rec(*pad(feats))
    assert rec.ctc_heads == ["phone"]  # the model has no char head: skipped
    head = toy_model.ctc_heads["phone"]
    for f, r in zip(feats, out):
        frames, lens = toy_model.encoder(f[None], torch.tensor([f.shape[0]]))
        assert r.ctc["phone"] == head.greedy(head.log_probs(frames), lens)[0]
        assert len(r.tokens) == 1
