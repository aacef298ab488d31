"""What trains and what is frozen: module-name prefixes from the stage config.

A frozen module gets requires_grad=False on its parameters and is held in eval() mode for good:
its `train` method is replaced by one that always switches it to eval, so a later
`model.train()` anywhere above it cannot bring BatchNorm statistics or dropout back to life
(espnet2's Conformer has BatchNorm: a "frozen" encoder left in train mode still changes).
Parameters under a trainable prefix keep the requires_grad the model was built with, so a
choice made inside a trainable module (e.g. LoRA freezing the LLM's base weights) survives.
Call `apply_trainable` again to change the plan; it undoes what the previous call froze.
"""

import difflib
import logging
import types
from collections.abc import Sequence

import torch.nn as nn

log = logging.getLogger(__name__)

ALL = "*"
_PLAN_ATTR = "_asrllm_trainable"  # prefixes of the current plan, kept on the root module
_FROZEN_MODULES_ATTR = "_asrllm_frozen_modules"  # names of modules held in eval()
_FROZEN_PARAMS_ATTR = "_asrllm_frozen_params"  # parameters this code set requires_grad=False on


def under_prefix(name: str, prefix: str) -> bool:
    """True when `name` is `prefix` itself or lies inside it (dotted-name boundary)."""
    return prefix == ALL or name == prefix or name.startswith(prefix + ".")


def _is_trainable_name(name: str, prefixes: Sequence[str]) -> bool:
    return any(under_prefix(name, p) for p in prefixes)


def _is_ancestor(name: str, prefixes: Sequence[str]) -> bool:
    """True when the module `name` contains a trainable prefix (the root contains all)."""
    return any(p != ALL and (name == "" or p.startswith(name + ".")) for p in prefixes)


def _stay_eval(self: nn.Module, mode: bool = True) -> nn.Module:
    """Replacement `train` of a frozen module: whatever is asked, stay in eval mode."""
    return nn.Module.train(self, False)


def apply_trainable(model: nn.Module, trainable: Sequence[str]) -> None:
    """Freeze every part of `model` not under one of the `trainable` prefixes ("*" = all).

    Raises ValueError when a prefix names nothing in the model (a config typo) or when no
    parameter would train.
    """
    prefixes = list(trainable)
    if not prefixes:
        raise ValueError("trainable: empty list; name the modules that train (or '*' for all)")
    _undo(model)
    names = [n for n, _ in model.named_modules() if n] + [n for n, _ in model.named_parameters()]
    for p in prefixes:
        if p != ALL and not any(under_prefix(n, p) for n in names):
            top = sorted({n.split(".")[0] for n in names})
            near = difflib.get_close_matches(p, names, n=1)
            hint = f"did you mean '{near[0]}'?" if near else f"top-level modules: {', '.join(top)}"
            raise ValueError(f"trainable: '{p}' matches no module or parameter of the model; {hint}")

    frozen_params = []
    for name, param in model.named_parameters():
        if not _is_trainable_name(name, prefixes) and param.requires_grad:
            param.requires_grad_(False)
            frozen_params.append(name)
    frozen_modules = []
    for name, module in model.named_modules():
        if _is_trainable_name(name, prefixes) or _is_ancestor(name, prefixes):
            continue
        if any(under_prefix(name, f) for f in frozen_modules):
            continue  # inside a frozen module already handled
        for sub in module.modules():  # even a direct .train() on a descendant stays eval
            sub.train = types.MethodType(_stay_eval, sub)
        nn.Module.train(module, False)
        frozen_modules.append(name)
    setattr(model, _PLAN_ATTR, prefixes)
    setattr(model, _FROZEN_MODULES_ATTR, frozen_modules)
    setattr(model, _FROZEN_PARAMS_ATTR, frozen_params)

    for p in prefixes:
        if not any(q.requires_grad for n, q in model.named_parameters() if under_prefix(n, p)):
            raise ValueError(f"trainable: '{p}' matches parameters, but none of them requires grad")


def _undo(model: nn.Module) -> None:
    """Reverse a previous `apply_trainable` (no-op when there was none)."""
    for name in getattr(model, _FROZEN_MODULES_ATTR, []):
        for sub in model.get_submodule(name).modules():
            sub.__dict__.pop("train", None)
    params = dict(model.named_parameters())
    for name in getattr(model, _FROZEN_PARAMS_ATTR, []):
        if name in params:
            params[name].requires_grad_(True)
    for attr in (_PLAN_ATTR, _FROZEN_MODULES_ATTR, _FROZEN_PARAMS_ATTR):
        model.__dict__.pop(attr, None)


def frozen_module_names(model: nn.Module) -> list[str]:
    """Names of the modules `apply_trainable` froze (their descendants are frozen too)."""
    return list(getattr(model, _FROZEN_MODULES_ATTR, []))


def is_frozen_name(model: nn.Module, name: str) -> bool:
    """True when parameter/buffer/module `name` lies in a module frozen by the plan."""
    return any(under_prefix(name, m) for m in frozen_module_names(model))


def train_mode(model: nn.Module) -> nn.Module:
    """model.train(), with frozen modules left in eval (also what a plain model.train() does)."""
    model.train()
    for name in frozen_module_names(model):
        nn.Module.train(model.get_submodule(name), False)
    return model


def trainable_summary(model: nn.Module) -> dict[str, tuple[int, int]]:
    """Per top-level module (and '<root>' for the root's own parameters): (trainable, total)."""
    out: dict[str, tuple[int, int]] = {}
    for name, param in model.named_parameters():
        top = name.split(".")[0] if "." in name else "<root>"
        t, n = out.get(top, (0, 0))
        out[top] = (t + (param.numel() if param.requires_grad else 0), n + param.numel())
    return out


def log_trainable_summary(model: nn.Module, logger: logging.Logger = log) -> None:
    """Log the trainable parameter count per top-level module, and what is held in eval."""
    total_t = total_n = 0
    for top, (t, n) in trainable_summary(model).items():
        total_t, total_n = total_t + t, total_n + n
        logger.info("params %-24s trainable %12d / %12d (%5.1f%%)", top, t, n, 100.0 * t / max(n, 1))
    logger.info("params %-24s trainable %12d / %12d (%5.1f%%)", "TOTAL", total_t, total_n,
                100.0 * total_t / max(total_n, 1))
    frozen = frozen_module_names(model)
    logger.info("frozen (requires_grad=False, held in eval mode): %s", ", ".join(frozen) or "none")
