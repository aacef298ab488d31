"""Inference from a packed model folder: `Speech2Text.from_pretrained(dir)`, long-audio chunking, packing."""

from asrllm.inference.speech2text import Speech2Text, Transcript

__all__ = ["Speech2Text", "Transcript"]
