"""Adapter from encoder frames to LLM embeddings: stack k frames (25 Hz -> 25/k Hz), 2-layer MLP."""

import torch
from torch import nn


class FrameStackAdapter(nn.Module):
    def __init__(self, input_size: int, llm_size: int, stack: int = 4, hidden: int = 2048):
        super().__init__()
        self.stack = stack
        self.mlp = nn.Sequential(nn.Linear(input_size * stack, hidden), nn.GELU(), nn.Linear(hidden, llm_size))

    def output_lengths(self, lengths: torch.Tensor) -> torch.Tensor:
        return (lengths + self.stack - 1) // self.stack

    def forward(self, frames: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """[B, T, D] -> [B, ceil(T/k), llm_size]; frames past each length are zeroed before stacking."""
        b, t, d = frames.shape
        mask = torch.arange(t, device=frames.device)[None, :] < lengths[:, None]
        frames = frames * mask[..., None]
        pad = (-t) % self.stack
        if pad:
            frames = torch.nn.functional.pad(frames, (0, 0, 0, pad))
        stacked = frames.reshape(b, (t + pad) // self.stack, d * self.stack)
        return self.mlp(stacked), self.output_lengths(lengths)
