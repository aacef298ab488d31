"""linear_cka: known answers and invariances."""

import numpy as np
import pytest
import torch

from asrllm.metrics import CKAAccumulator, linear_cka


def test_self_similarity_is_one():
    x = np.random.default_rng(0).normal(size=(200, 16))
    assert linear_cka(x, x) == pytest.approx(1.0, abs=1e-12)


def test_invariant_to_rotation_and_isotropic_scaling():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(300, 8))
    y = x @ rng.normal(size=(8, 12)) + 0.5 * rng.normal(size=(300, 12))
    q, _ = np.linalg.qr(rng.normal(size=(12, 12)))
    base = linear_cka(x, y)
    assert linear_cka(x, 3.0 * y @ q) == pytest.approx(base, abs=1e-10)
    assert 0.3 < base < 1.0


def test_independent_inputs_give_small_values_that_shrink_with_n():
    rng = np.random.default_rng(2)
    small = np.mean([linear_cka(rng.normal(size=(100, 8)), rng.normal(size=(100, 8))) for _ in range(5)])
    large = np.mean([linear_cka(rng.normal(size=(5000, 8)), rng.normal(size=(5000, 8))) for _ in range(5)])
    assert small < 0.2 and large < small / 5


def test_streamed_equals_one_shot_and_accepts_torch():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(500, 6)) + 5.0, rng.normal(size=(500, 4))
    y[:, 0] += x[:, 0]
    acc = CKAAccumulator()
    for i in range(0, 500, 37):
        acc.update(torch.from_numpy(x[i:i + 37]).float(), y[i:i + 37])
    assert acc.value() == pytest.approx(linear_cka(x, y), abs=1e-6)


def test_bad_shapes():
    with pytest.raises(ValueError, match="row counts differ"):
        linear_cka(np.zeros((3, 2)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match="constant"):
        linear_cka(np.ones((5, 2)), np.random.default_rng(0).normal(size=(5, 2)))
