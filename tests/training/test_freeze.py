"""Frozen modules stay frozen (weights and BatchNorm statistics); the plan fails loudly on typos."""

import pytest
import torch

from asrllm.training import Trainer, apply_trainable, train_mode, trainable_summary
from asrllm.training.freeze import frozen_module_names
from tests.training.toy import ToyData, ToyModel, ToySampler, config, make_loader


def test_frozen_module_is_bit_identical_after_training(tmp_path):
    data = ToyData()
    model = ToyModel(dropout=0.1)
    frozen_before = {k: v.clone() for k, v in model.frontend.state_dict().items()}
    body_before = {k: v.clone() for k, v in model.body.state_dict().items()}
    norm_stats_before = model.norm.running_mean.clone()
    modes = []

    def watch(trainer, step):
        modes.append((model.frontend.training, model.frontend[1].training, model.body.training))
        model.train()  # a careless call elsewhere must not bring the frozen BatchNorm back

    Trainer(model, config(max_steps=4, save_every=None), tmp_path, ToySampler(len(data), 4),
            make_loader(data), hooks=[watch]).fit()
    for k, v in model.frontend.state_dict().items():
        assert torch.equal(v, frozen_before[k]), k  # includes running_mean/var, num_batches_tracked
    assert all(not torch.equal(v, body_before[k]) for k, v in model.body.state_dict().items())
    assert not torch.equal(model.norm.running_mean, norm_stats_before)  # trainable BN statistics move
    assert modes == [(False, False, True)] * 4
    assert not any(p.requires_grad for p in model.frontend.parameters())


def test_train_calls_cannot_unfreeze_and_reapply_undoes():
    model = ToyModel()
    apply_trainable(model, ["body"])
    assert frozen_module_names(model) == ["frontend", "norm"]
    model.train()
    model.frontend[1].train()  # even a direct call on a descendant
    assert not model.frontend.training and not model.frontend[1].training and model.body.training
    train_mode(model)
    assert not model.norm.training
    assert trainable_summary(model) == {"frontend": (0, 56), "body": (195, 195), "norm": (0, 6)}
    apply_trainable(model, ["*"])
    model.train()
    assert model.frontend[1].training and all(p.requires_grad for p in model.parameters())


def test_prefix_matches_on_name_boundaries_and_parameters():
    model = ToyModel()
    apply_trainable(model, ["body.3"])  # the last Linear of body only
    assert [n for n, p in model.named_parameters() if p.requires_grad] == ["body.3.weight", "body.3.bias"]
    with pytest.raises(ValueError, match="'bod' matches no module"):
        apply_trainable(model, ["bod"])  # a prefix of a name is not a module name


def test_typo_fails_loudly_with_a_suggestion():
    with pytest.raises(ValueError, match="'bdy' matches no module or parameter.*did you mean 'body'"):
        apply_trainable(ToyModel(), ["body", "bdy"])
    with pytest.raises(ValueError, match="empty list"):
        apply_trainable(ToyModel(), [])


def test_nothing_trainable_under_a_prefix_fails():
    model = ToyModel()
    for p in model.body.parameters():
        p.requires_grad_(False)  # e.g. frozen by the model itself
    with pytest.raises(ValueError, match="'body' matches parameters, but none of them requires grad"):
        apply_trainable(model, ["body"])


def test_swapping_frozen_weights_in_place_keeps_them_frozen():
    """What an encoder hot-swap does: new weights into a frozen module, still frozen and in eval."""
    from asrllm.training.state import load_named_weights

    model = ToyModel()
    apply_trainable(model, ["body"])
    snapshot = {f"frontend.{k}": v + 1 for k, v in ToyModel(seed=1).frontend.state_dict().items()}
    load_named_weights(model, model, snapshot)
    for k, v in model.frontend.state_dict().items():
        assert torch.equal(v, snapshot[f"frontend.{k}"])
    model.train()
    assert not model.frontend[1].training and not any(p.requires_grad for p in model.frontend.parameters())
    with pytest.raises(RuntimeError, match="keys not in the model: \\['encoder.w'\\]"):
        load_named_weights(model, model, {"encoder.w": torch.zeros(1)})
