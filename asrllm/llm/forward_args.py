"""Keyword names of a Hugging Face causal LM's forward() that changed across transformers versions."""

import functools
import inspect


def forward_params(llm) -> frozenset[str]:
    """The forward() parameter names of a plain or peft-wrapped causal LM (looked up once per class:
    the training loss asks at every step)."""
    base = llm.get_base_model() if hasattr(llm, "get_base_model") else llm
    return _class_forward_params(type(base))


@functools.lru_cache(maxsize=None)
def _class_forward_params(cls) -> frozenset[str]:
    return frozenset(inspect.signature(cls.forward).parameters)


def cache_arg(llm) -> str:
    """The key/value cache keyword: `cache` in transformers 5.x, `past_key_values` before."""
    return "cache" if "cache" in forward_params(llm) else "past_key_values"


def logits_to_keep_arg(llm) -> str | None:
    """The keyword that computes logits at the last N positions only, if the model has one."""
    params = forward_params(llm)
    return next((k for k in ("logits_to_keep", "num_logits_to_keep") if k in params), None)
