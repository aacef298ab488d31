"""Chunk attention for the Conformer: the masks of dynamic-chunk training and the causal convolution.

What espnet2 provides and what is ours: the Conformer layers, relative-position attention and
convolution modules are espnet2's, unchanged, and take an attention mask of shape (B, T, T). espnet2
has no chunk masks (its streaming encoders are other architectures), so the mask, the per-batch
chunk draw (the WeNet recipe: a chunk size per batch, a share of full-context batches) and a causal
depthwise convolution (left padding only: no frame sees the future through the convolution) are
written here. asrllm/models/streaming_encoder.py runs the same layers chunk by chunk with caches.
"""

import torch
from torch import nn
from torch.nn import functional as F

from asrllm.models.config import ChunkConfig


def chunk_mask(length: int, chunk: int, left_chunks: int, device=None) -> torch.Tensor:
    """(T, T) bool, True where query frame i may attend to key frame j: j's chunk is i's chunk or one
    of the `left_chunks` chunks before it (-1: every earlier chunk)."""
    idx = torch.arange(length, device=device) // chunk
    q, k = idx[:, None], idx[None, :]
    visible = k <= q
    if left_chunks >= 0:
        visible &= k >= q - left_chunks
    return visible


def draw_chunk(cfg: ChunkConfig) -> int | None:
    """A training batch's chunk size in encoder frames, or None for full context (torch's RNG, so a
    resumed run draws what the uninterrupted one did)."""
    if torch.rand(()).item() < cfg.full_context_share:
        return None
    low, high = cfg.size
    return int(torch.randint(low, high + 1, ()).item())


class CausalConv1d(nn.Conv1d):
    """A depthwise time convolution padded on the left only (kernel - 1 frames): espnet's symmetric
    one, made causal. Same parameters, so its state dict is espnet's."""

    def __init__(self, conv: nn.Conv1d):
        k = conv.kernel_size[0]
        super().__init__(conv.in_channels, conv.out_channels, k, stride=1, padding=0, groups=conv.groups,
                         bias=conv.bias is not None)
        self.left = k - 1

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(F.pad(x, (self.left, 0)))


def make_convolutions_causal(body: nn.Module) -> None:
    """Swap each Conformer layer's depthwise convolution for its causal counterpart (at construction)."""
    for layer in body.encoders:
        conv_module = getattr(layer, "conv_module", None)
        if conv_module is not None:
            conv_module.depthwise_conv = CausalConv1d(conv_module.depthwise_conv)


def run_layers(body: nn.Module, x, valid: torch.Tensor, chunk: int | None, left_chunks: int) -> torch.Tensor:
    """The espnet2 Conformer body's layers and final norm after its input layer (`x`: that layer's
    output, a (frames, pos_emb) pair), attending to the valid frames (valid: (B, 1, T) bool) and,
    with a chunk, only within chunk_mask. Returns (B, T, D)."""
    mask = valid if chunk is None else valid & chunk_mask(valid.shape[-1], chunk, left_chunks, valid.device)[None]
    for layer in body.encoders:
        x, _ = layer(x, mask)
    x = x[0] if isinstance(x, tuple) else x
    return body.after_norm(x) if body.normalize_before else x
