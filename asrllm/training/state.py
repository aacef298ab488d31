"""Trainable-weight and optimizer state dicts that work the same for plain, DDP and FSDP2 models.

A checkpoint holds the trainable part only: parameters with requires_grad, and buffers of
modules that are not frozen (e.g. BatchNorm statistics of a trainable module). Frozen weights
come from their own source (the pre-trained LLM, the encoder snapshot named in the swap state),
which keeps a stage-2 checkpoint at adapter size instead of LLM size. Keys are the unwrapped
module's names. Under FSDP these calls are collective: every rank must make them.
"""

from pathlib import Path

import torch
import torch.nn as nn
from torch.distributed.checkpoint.state_dict import (
    StateDictOptions,
    get_model_state_dict,
    get_optimizer_state_dict,
    set_model_state_dict,
    set_optimizer_state_dict,
)

from asrllm.training.freeze import is_frozen_name

_GATHER = StateDictOptions(full_state_dict=True, cpu_offload=True, ignore_frozen_params=True)


def trainable_keys(module: nn.Module) -> set[str]:
    """State-dict keys a checkpoint of `module` (unwrapped) holds."""
    params = dict(module.named_parameters(remove_duplicate=False))
    keys = set()
    for key in module.state_dict(keep_vars=True):
        if key in params:
            if params[key].requires_grad:
                keys.add(key)
        elif not is_frozen_name(module, key):
            keys.add(key)
    return keys


def trainable_state_dict(model: nn.Module, module: nn.Module) -> dict[str, torch.Tensor]:
    """Full (unsharded, CPU) trainable state of `model` (wrapped) / `module` (unwrapped).

    Under FSDP only rank 0 receives the tensors; other ranks get an empty dict.
    """
    keep = trainable_keys(module)
    full = get_model_state_dict(model, options=_GATHER)
    return {k: v for k, v in full.items() if k in keep}


def _scatter(from_rank0: bool) -> StateDictOptions:
    return StateDictOptions(full_state_dict=True, strict=False, broadcast_from_rank0=from_rank0)


def check_trainable_keys(module: nn.Module, state: dict[str, torch.Tensor], source: str | Path) -> None:
    """Fail unless `state` holds exactly the trainable keys of `module`."""
    want = trainable_keys(module)
    missing, unexpected = sorted(want - state.keys()), sorted(state.keys() - want)
    if missing or unexpected:
        raise RuntimeError(
            f"{source}: trainable weights do not match the model (did 'trainable' change?): "
            f"missing {missing[:5]}{'...' if len(missing) > 5 else ''}, "
            f"unexpected {unexpected[:5]}{'...' if len(unexpected) > 5 else ''}")


def load_trainable_state_dict(model: nn.Module, state: dict[str, torch.Tensor], from_rank0: bool = False) -> None:
    """Load what `trainable_state_dict` wrote (check the keys first with check_trainable_keys).

    from_rank0: only rank 0 holds `state` (others pass {}) and broadcasts it, so a large
    checkpoint is read into host memory once per job, not once per rank. Collective then.
    """
    set_model_state_dict(model, state, options=_scatter(from_rank0))


def load_named_weights(model: nn.Module, module: nn.Module, state: dict[str, torch.Tensor],
                       source: str | Path = "weights") -> None:
    """Load full tensors for some of the model's keys (e.g. a hot-swapped encoder snapshot, with
    keys like 'encoder.*') into a plain, DDP or FSDP2 model, in place: requires_grad and the
    frozen/eval plan stay as they are. Every key must exist in the model. Collective under FSDP."""
    unknown = sorted(state.keys() - module.state_dict(keep_vars=True).keys())
    if unknown:
        raise RuntimeError(f"{source}: keys not in the model: {unknown[:5]}{'...' if len(unknown) > 5 else ''}")
    set_model_state_dict(model, state, options=_scatter(False))


def optimizer_state_dict(model: nn.Module, optimizer: torch.optim.Optimizer) -> dict:
    """Optimizer state keyed by parameter name (robust to parameter order and to wrapping)."""
    return get_optimizer_state_dict(model, optimizer, options=_GATHER)


def load_optimizer_state_dict(model: nn.Module, optimizer: torch.optim.Optimizer, state: dict,
                              from_rank0: bool = False) -> None:
    """Inverse of optimizer_state_dict; from_rank0 as in load_trainable_state_dict."""
    # strict=False: a trainable parameter that never received a gradient (e.g. a CTC head while
    # ctc_weight is 0) has no optimizer state to restore
    options = StateDictOptions(full_state_dict=True, broadcast_from_rank0=from_rank0, strict=False)
    set_optimizer_state_dict(model, optimizer, state, options=options)
