"""CTC compression: one vector per greedy CTC token, differentiable in the kept posteriors."""

import random

import torch

from asrllm.models.ctc_compress import ctc_compress
from asrllm.synth.posterior_sim import PosteriorSimOptions, simulate_posteriors


def one_hot(best: list[int], vocab: int = 6) -> torch.Tensor:
    return torch.nn.functional.one_hot(torch.tensor(best), vocab).float()


def test_blanks_are_dropped_and_repeats_merged_but_a_blank_separates_tokens():
    frames = one_hot([0, 2, 2, 0, 3, 0, 0, 3, 4, 4])
    out, lens = ctc_compress(frames[None], torch.tensor([10]))
    assert lens.tolist() == [4]
    assert out[0].argmax(-1).tolist() == [2, 3, 3, 4]


def test_merged_frames_are_averaged_and_padding_is_ignored():
    a = one_hot([0, 2, 2, 0, 5, 5])  # the last two frames are padding
    a[1] = torch.tensor([0.2, 0.0, 0.8, 0.0, 0.0, 0.0])
    b = one_hot([3, 0, 0, 0, 0, 0])
    out, lens = ctc_compress(torch.stack([a, b]), torch.tensor([4, 6]))
    assert lens.tolist() == [1, 1]
    torch.testing.assert_close(out[0, 0], torch.tensor([0.1, 0.0, 0.9, 0.0, 0.0, 0.0]))
    torch.testing.assert_close(out[1, 0], one_hot([3])[0])


def test_an_utterance_without_spikes_keeps_its_least_blank_frame():
    frames = one_hot([0, 0, 0, 0])
    frames[2] = torch.tensor([0.6, 0.0, 0.0, 0.0, 0.4, 0.0])
    out, lens = ctc_compress(frames[None], torch.tensor([4]))
    assert lens.tolist() == [1]
    torch.testing.assert_close(out[0, 0], frames[2])


def test_gradients_reach_exactly_the_kept_frames():
    frames = one_hot([0, 2, 2, 0, 3, 0])[None].requires_grad_(True)
    out, lens = ctc_compress(frames, torch.tensor([6]))
    out.sum().backward()
    # each of the two merged frames gets half of its token's gradient; blanks none
    assert frames.grad[0].sum(-1).tolist() == [0.0, 3.0, 3.0, 0.0, 6.0, 0.0]


def test_clean_simulated_posteriors_compress_to_their_phones():
    rng = random.Random(0)
    clean = PosteriorSimOptions(substitution=0.0, deletion=0.0, insertion=0.0, confidence=(0.6, 1.0))
    for _ in range(20):
        phones = [rng.randrange(1, 30) for _ in range(rng.randint(1, 12))]
        phones = [p for i, p in enumerate(phones) if i == 0 or p != phones[i - 1]]
        frames = simulate_posteriors(phones, 30, clean, rng)
        out, lens = ctc_compress(frames[None], torch.tensor([frames.shape[0]]))
        assert out[0, :lens[0]].argmax(-1).tolist() == phones
