"""Text normalisation and tokenisation for scoring (pure functions)."""

from asrllm.text.normalize import NORMALIZERS, get_normalizer
from asrllm.text.tokenize import UNITS, tokenize

__all__ = ["NORMALIZERS", "UNITS", "get_normalizer", "tokenize"]
