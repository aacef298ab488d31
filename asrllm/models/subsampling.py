"""4x time subsampling (100 Hz fbank -> 25 Hz) with two stride-2 3x3 convolutions.

Same geometry as espnet's Conv2dSubsampling, with the channel count decoupled from the model
width: a light front end (e.g. 32 channels) is about twice as fast on CPU at toy sizes.
"""

import torch
from torch import nn


class Conv2dSubsampling4(nn.Module):
    """[B, T, idim] -> [B, T', odim] with T' = ((T - 1) // 2 - 1) // 2."""

    def __init__(self, idim: int, odim: int, channels: int = 32):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(1, channels, 3, 2), nn.ReLU(),
                                  nn.Conv2d(channels, channels, 3, 2), nn.ReLU())
        self.out = nn.Linear(channels * (((idim - 1) // 2 - 1) // 2), odim)

    @staticmethod
    def output_lengths(lengths: torch.Tensor) -> torch.Tensor:
        return ((lengths - 1) // 2 - 1) // 2

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = self.conv(x.unsqueeze(1))
        b, c, t, f = x.shape
        x = self.out(x.transpose(1, 2).reshape(b, t, c * f))
        return x, self.output_lengths(lengths).clamp(min=0)
