"""Time subsampling with two 3x3 convolutions: 4x (both stride 2: 100 Hz fbank -> 25 Hz, espnet's
Conv2dSubsampling geometry) or 2x (the second with stride 1 in time: 50 Hz, espnet's
Conv2dSubsampling2 geometry), with the channel count decoupled from the model width: a light front
end (e.g. 32 channels) is about twice as fast on CPU at toy sizes.
"""

import torch
from torch import nn

# The fewest fbank frames an encoder front end turns into one frame: 7 for each geometry here (4x,
# 2x) and for espnet's Conv2dSubsampling. Stage 4 drops shorter training clips.
MIN_INPUT_FRAMES = 7


def conv2d4_output_lengths(lengths: torch.Tensor) -> torch.Tensor:
    """Frames after espnet's Conv2dSubsampling (and this module at factor 4)."""
    return ((lengths - 1) // 2 - 1) // 2


class Conv2dSubsampling4(nn.Module):
    """[B, T, idim] -> [B, T', odim] with T' = ((T - 1) // 2 - 1) // 2 (factor 4) or
    (T - 1) // 2 - 2 (factor 2); the frequency axis is halved twice either way."""

    def __init__(self, idim: int, odim: int, channels: int = 32, factor: int = 4):
        super().__init__()
        if factor not in (2, 4):
            raise ValueError(f"subsampling factor must be 2 or 4, got {factor}")
        self.factor = factor
        self.conv = nn.Sequential(nn.Conv2d(1, channels, 3, 2), nn.ReLU(),
                                  nn.Conv2d(channels, channels, 3, (2 if factor == 4 else 1, 2)), nn.ReLU())
        self.out = nn.Linear(channels * (((idim - 1) // 2 - 1) // 2), odim)

    def output_lengths(self, lengths: torch.Tensor) -> torch.Tensor:
        return conv2d4_output_lengths(lengths) if self.factor == 4 else (lengths - 1) // 2 - 2

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = self.conv(x.unsqueeze(1))
        b, c, t, f = x.shape
        x = self.out(x.transpose(1, 2).reshape(b, t, c * f))
        return x, self.output_lengths(lengths).clamp(min=0)
