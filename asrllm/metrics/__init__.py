"""Encoder-side metrics: linear CKA (and, in entropy_allocation, NSE / PAI / CSAI)."""

from asrllm.metrics.cka import CKAAccumulator, linear_cka

__all__ = ["CKAAccumulator", "linear_cka"]
