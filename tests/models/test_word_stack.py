"""Word stacking: each word's compressed phones side by side, one adapter input per word."""

import pytest
import torch

from asrllm.lang.word_ends import is_mandarin_final, word_end_flags
from asrllm.models.word_stack import word_stack

UNITS = ["<blank>", "<unk>", "|", "K", "AE", "T", "zh", "ong1", "a5", "ii"]
B, K, AE, T, ZH, ONG1, A5 = 2, 3, 4, 5, 6, 7, 8
WORD_END = torch.tensor(word_end_flags(UNITS, "|")[0])


def one_hot(ids: list[int]) -> torch.Tensor:
    return torch.nn.functional.one_hot(torch.tensor(ids), len(UNITS)).float()


def test_word_ends_are_the_boundary_and_mandarin_finals():
    assert [u for u, end in zip(UNITS, WORD_END.tolist()) if end] == ["|", "ong1", "a5"]
    assert not is_mandarin_final("ii") and not is_mandarin_final("zh") and not is_mandarin_final("<unk>")


def test_each_word_gets_width_slots_and_the_boundary_is_dropped():
    # "CAT | zhong1 a5": three words (an English word, two syllables)
    seq = [K, AE, T, B, ZH, ONG1, A5]
    out, lens = word_stack(one_hot(seq)[None], torch.tensor([7]), WORD_END, B, 4)
    assert lens.tolist() == [12]
    ids = out[0].argmax(-1).tolist()
    nonzero = out[0].abs().sum(-1) > 0
    assert [i if z else None for i, z in zip(ids, nonzero.tolist())] == [
        K, AE, T, None, ZH, ONG1, None, None, A5, None, None, None]


def test_long_words_are_truncated_and_padding_is_ignored():
    a = one_hot([K, AE, T, K, AE, B, T, 0])  # last frame is padding (length 7)
    b = one_hot([B, B, 0, 0, 0, 0, 0, 0])  # only boundaries: one empty word
    out, lens = word_stack(torch.stack([a, b]), torch.tensor([7, 2]), WORD_END, B, 2)
    assert lens.tolist() == [4, 2]
    assert out[0, :4].argmax(-1).tolist() == [K, AE, T, 0]
    assert out[0, 3].abs().sum() == 0
    assert out[1].abs().sum() == 0


def test_gradients_flow_to_the_kept_vectors_only():
    x = one_hot([K, B, T, AE])[None].requires_grad_()
    out, _ = word_stack(x, torch.tensor([4]), WORD_END, B, 1)  # width 1 keeps each word's first phone
    out.sum().backward()
    assert x.grad[0].sum(-1).tolist() == [len(UNITS), 0, len(UNITS), 0]


def test_character_units_end_words_at_each_chinese_character_and_at_space():
    units = ["<blank>", "<unk>", "<space>", "C", "A", "T", "红", "色"]
    flags, boundary_id = word_end_flags(units, "|")
    assert boundary_id == 2 and [u for u, end in zip(units, flags) if end] == ["<space>", "红", "色"]


def test_a_missing_boundary_unit_is_an_error():
    with pytest.raises(ValueError, match="word_boundary"):
        word_end_flags(["<blank>", "<unk>", "K"], "|")
