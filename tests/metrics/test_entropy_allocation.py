"""NSE, PAI and CSAI: known answers (CKA's are in test_cka.py, alignment's in tests/analysis)."""

import numpy as np
import pytest
import torch

from asrllm.metrics import entropy_allocation as ea
from asrllm.metrics.entropy_allocation import NSEAccumulator, ProbeConfig, csai, normalized_spectral_entropy, pai


# ---- NSE -------------------------------------------------------------------------------------------
def test_isotropic_gaussian_is_close_to_one():
    # Sample-covariance eigenvalues of N isotropic frames in D dims spread with variance ~ D/N
    # (Marchenko-Pastur), so E[1 - NSE] ~ D / (2 N ln D): 32 dims, 20000 frames -> about 2.3e-4.
    rng = np.random.default_rng(0)
    d, n = 32, 20000
    value = normalized_spectral_entropy(rng.normal(size=(n, d)) * 3.0 + 7.0)
    deficit = 1.0 - value
    assert 0.0 < deficit < 4 * d / (2 * n * np.log(d))


def test_rank_one_frames_give_zero():
    rng = np.random.default_rng(1)
    direction = rng.normal(size=16)
    frames = 50.0 + rng.normal(size=(500, 1)) * direction  # large offset: must not leak variance
    assert normalized_spectral_entropy(frames) == pytest.approx(0.0, abs=1e-9)


def test_known_diagonal_spectrum():
    rng = np.random.default_rng(2)
    lam = np.array([8.0, 4.0, 2.0, 1.0, 0.5, 0.5])
    n = 400
    z = rng.normal(size=(n, len(lam)))
    z -= z.mean(0)
    q, _ = np.linalg.qr(z)  # centred orthonormal columns: covariance exactly diag(lam)
    frames = q * np.sqrt(lam * (n - 1)) + 1.0
    p = lam / lam.sum()
    expected = -(p * np.log(p)).sum() / np.log(len(lam))
    assert normalized_spectral_entropy(frames) == pytest.approx(expected, abs=1e-10)
    rot, _ = np.linalg.qr(rng.normal(size=(6, 6)))  # the spectrum, not the axes, is what counts
    assert normalized_spectral_entropy(frames @ rot) == pytest.approx(expected, abs=1e-10)


def test_streamed_equals_one_shot_and_accepts_torch():
    rng = np.random.default_rng(3)
    frames = rng.normal(size=(1000, 8)) @ rng.normal(size=(8, 8)) + 4.0
    acc = NSEAccumulator()
    for i in range(0, 1000, 93):
        acc.update(torch.from_numpy(frames[i:i + 93]))
    assert acc.value() == pytest.approx(normalized_spectral_entropy(frames), abs=1e-12)
    assert acc.n == 1000


def test_nse_bad_input():
    with pytest.raises(ValueError, match="constant"):
        normalized_spectral_entropy(np.ones((10, 4)))
    with pytest.raises(ValueError, match="2 frames"):
        normalized_spectral_entropy(np.ones((1, 4)))
    acc = NSEAccumulator()
    acc.update(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="dims"):
        acc.update(np.zeros((3, 5)))


def test_public_names():
    for name in ("normalized_spectral_entropy", "linear_cka", "forced_align", "pai", "csai", "CKAAccumulator"):
        assert callable(getattr(ea, name))
    assert ea.linear_cka(np.eye(5), np.eye(5)) == pytest.approx(1.0)


# ---- PAI / CSAI ----------------------------------------------------------------------------------------
CFG = ProbeConfig(seeds=[0, 1], weight_decays=[0.1, 10.0, 1000.0], max_iter=100, device="cpu")


def _utterances(rng, n_utts, lengths, vocab, word_phones):
    """Phone tokens of random word sequences: (phones, word ids, position in word, utterance ids)."""
    phones, words, utt = [], [], []
    for u in range(n_utts):
        for _ in range(lengths):
            w = int(rng.integers(len(vocab)))
            for p in word_phones[w]:
                phones.append(p)
                words.append(w)
                utt.append(u)
    return np.array(phones), np.array(words), np.array(utt)


def _prior_entropy_bits(labels):
    _, c = np.unique(labels, return_counts=True)
    p = c / c.sum()
    return float(-(p * np.log2(p)).sum())


@pytest.mark.slow  # a few seconds to a minute: make test only, not make check
def test_pai_of_phone_identity_is_about_the_prior_entropy_and_of_noise_about_zero():
    rng = np.random.default_rng(0)
    n, n_phones = 2000, 12
    weights = rng.dirichlet(np.ones(n_phones) * 2)
    phones = rng.choice(n_phones, size=n, p=weights)
    groups = np.arange(n) // 20
    embed = rng.normal(size=(n_phones, 16)) * 3
    informative = embed[phones] + rng.normal(size=(n, 16)) * 0.3
    noise = rng.normal(size=(n, 16))
    h = _prior_entropy_bits(phones)
    good = pai(informative, phones, groups, CFG)
    bad = pai(noise, phones, groups, CFG)
    assert good["ce_prior"] == pytest.approx(h, abs=0.1)  # CE of the zeroed-feature probe = prior entropy
    assert good["bits"] > 0.95 * h and good["ce_feat"] < 0.1
    assert abs(bad["bits"]) < 0.05
    assert len(good["per_seed"]) == 2 and good["segments"] == n


def _homophone_lexicon(rng, n_phones=10, n_words=24):
    """Words of 2-3 phones where every pronunciation is shared by 3 words (homophones, as for
    Mandarin characters): the phones cannot tell these words apart, anything word-specific can."""
    prons = [tuple(rng.integers(n_phones, size=int(rng.integers(2, 4)))) for _ in range(n_words // 3)]
    return [prons[w // 3] for w in range(n_words)]


def _csai_case(seed):
    rng = np.random.default_rng(seed)
    word_phones = _homophone_lexicon(rng)
    phones, words, utt = _utterances(rng, 150, 6, range(len(word_phones)), word_phones)
    prev = np.concatenate(([-1], phones[:-1]))
    nxt = np.concatenate((phones[1:], [-1]))
    edge_prev = np.concatenate(([True], utt[1:] != utt[:-1]))
    edge_next = np.concatenate((utt[:-1] != utt[1:], [True]))
    context = np.stack([np.where(edge_prev, -1, prev), phones, np.where(edge_next, -1, nxt)], axis=1)
    phone_embed = rng.normal(size=(phones.max() + 1, 12)) * 2
    word_embed = rng.normal(size=(words.max() + 1, 12)) * 2
    noise = rng.normal(size=(len(phones), 12)) * 0.3
    return context, words, utt, phone_embed[phones] + noise, phone_embed[phones] + word_embed[words] + noise


@pytest.mark.slow  # a few seconds to a minute: make test only, not make check
def test_csai_is_about_zero_for_phone_only_features_and_positive_with_word_identity():
    context, words, utt, phone_only, with_words = _csai_case(0)
    cfg = ProbeConfig(seeds=[0], weight_decays=[0.1, 1.0, 10.0, 100.0], max_iter=100, unit_min_count=1,
                      device="cpu")
    base = csai(phone_only, context, words, utt, cfg)
    semantic = csai(with_words, context, words, utt, cfg)
    # each pronunciation is shared by 3 equally likely words: the context leaves about log2(3) bits
    assert base["ce_context"] > 1.0
    assert abs(base["bits"]) < 0.1
    assert semantic["bits"] > 1.0 and semantic["ce_context_feat"] < 0.3


def test_probe_inputs_are_checked():
    with pytest.raises(ValueError, match="rows"):
        pai(np.zeros((5, 3)), np.zeros(6), np.arange(6), CFG)
    from asrllm.config import ConfigError

    with pytest.raises(ConfigError, match="split_by"):
        ProbeConfig.from_dict({"split_by": "speaker"})
    with pytest.raises(ConfigError, match="unknown key"):
        ProbeConfig.from_dict({"seed": 1})
