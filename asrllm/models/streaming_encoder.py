"""The speech encoder run chunk by chunk, with cached left context: what a streaming recogniser feeds.

StreamingEncoder(encoder, chunk) takes fbank frames as they arrive (accept) and returns the encoder
frames each complete chunk yields; flush() ends the stream with the last, shorter chunk. It runs the
encoder's own modules (espnet2's Conformer layers, their relative-position attention, convolution and
feed-forward modules) one chunk at a time and keeps, per layer, the attention keys and values of the
`left_chunks` chunks before (the chunk mask's left context) and the convolution's last input frames.
Its output equals the chunk-masked full-sequence forward, SpeechEncoder(feats, lens, chunk_size=chunk),
to float rounding (tests/models/test_streaming_encoder.py), so the state is bounded: left_chunks x
chunk frames per layer, whatever the stream's length.

Written here (espnet2 has no chunk-wise Conformer step): the input-window bookkeeping of the
subsampling convolution (7 input frames per output frame, stride 4 or 2), attention over cached keys
with relative positions for a query block shorter than its keys, and the convolution's cache.
A model trained without chunks (symmetric convolutions) streams too, its convolution seeing zeros for
the frames after the chunk: the caller warns that quality will suffer.
"""

import math
from dataclasses import dataclass

import torch
from torch.nn import functional as F

from asrllm.models.chunk import CausalConv1d
from asrllm.models.encoder import SpeechEncoder

SUB_CONTEXT = 7  # input frames under one output frame of the subsampling convolutions (two 3x3, stride 2)


@dataclass
class LayerCache:
    keys: torch.Tensor | None = None     # (1, heads, frames, d_k) of the left context
    values: torch.Tensor | None = None
    conv: torch.Tensor | None = None     # (1, channels, left) the depthwise convolution's last inputs


class StreamingEncoder:
    """One stream (batch of 1), in eval mode, without gradients."""

    def __init__(self, encoder: SpeechEncoder, chunk: int, left_chunks: int | None = None):
        if chunk < 1:
            raise ValueError(f"chunk must be >= 1 encoder frame, got {chunk}")
        self.encoder, self.chunk = encoder, chunk
        self.left_chunks = encoder.left_chunks if left_chunks is None else left_chunks
        body = encoder.body
        self.stride = self.stride_of(encoder)
        if encoder.subsampling is not None:
            self.sub_conv, self.sub_out, self.pos_enc = encoder.subsampling.conv, encoder.subsampling.out, body.embed[0]
        else:  # espnet's Conv2dSubsampling: conv, then Sequential(Linear, RelPositionalEncoding)
            self.sub_conv, self.sub_out, self.pos_enc = body.embed.conv, body.embed.out[0], body.embed.out[1]
        self.layers = list(body.encoders)
        self.reset()

    @staticmethod
    def stride_of(encoder: SpeechEncoder) -> int:
        """Input frames per encoder frame: the light front end's factor, 4 for espnet's conv2d."""
        return encoder.subsampling.factor if encoder.subsampling is not None else 4

    def reset(self) -> None:
        """Start a new stream: nothing buffered, no left context."""
        self.buffer: torch.Tensor | None = None   # fbank frames not yet consumed
        self.reset_context()

    def reset_context(self) -> None:
        """Forget the left context (a new segment of the same stream); buffered input stays."""
        self.caches = [LayerCache() for _ in self.layers]

    @property
    def window(self) -> int:
        """Input frames one full chunk needs."""
        return self.stride * (self.chunk - 1) + SUB_CONTEXT

    def push(self, feats: torch.Tensor) -> None:
        """Add fbank frames [T, F] (after CMVN) to the input buffer."""
        self.buffer = feats if self.buffer is None else torch.cat([self.buffer, feats])

    @torch.no_grad()
    def next_chunk(self) -> torch.Tensor | None:
        """The encoder frames [chunk, D] of the next complete chunk, or None until enough input is pushed."""
        if self.buffer is None or self.buffer.shape[0] < self.window:
            return None
        out = self._chunk(self.buffer[:self.window])
        self.buffer = self.buffer[self.stride * self.chunk:]
        return out

    def accept(self, feats: torch.Tensor) -> torch.Tensor:
        """push(feats), then the encoder frames [N, D] of every chunk now complete (N a multiple of the
        chunk, maybe 0)."""
        self.push(feats)
        out = []
        while (frames := self.next_chunk()) is not None:
            out.append(frames)
        return torch.cat(out) if out else self._empty()

    @torch.no_grad()
    def flush(self) -> torch.Tensor:
        """End of the stream: the encoder frames of the last, shorter chunk (maybe none)."""
        out = self._empty()
        if self.buffer is not None and self.buffer.shape[0] >= SUB_CONTEXT:
            out = self._chunk(self.buffer)
        self.buffer = None
        return out

    def _empty(self) -> torch.Tensor:
        p = next(self.encoder.parameters())
        return torch.zeros(0, self.encoder.output_size, dtype=p.dtype, device=p.device)

    def _chunk(self, window: torch.Tensor) -> torch.Tensor:
        x = self.sub_conv(window[None, None])               # (1, C, T', F')
        b, c, t, f = x.shape
        x = self.sub_out(x.transpose(1, 2).reshape(b, t, c * f)) * self.pos_enc.xscale
        for layer, cache in zip(self.layers, self.caches):
            x = self._layer(layer, x, cache)
        if self.encoder.body.normalize_before:
            x = self.encoder.body.after_norm(x)
        return x[0]

    def _layer(self, layer, x: torch.Tensor, cache: LayerCache) -> torch.Tensor:
        nb = layer.normalize_before
        if layer.feed_forward_macaron is not None:
            residual = x
            x = layer.norm_ff_macaron(x) if nb else x
            x = residual + layer.ff_scale * layer.feed_forward_macaron(x)
            x = x if nb else layer.norm_ff_macaron(x)
        residual = x
        x = layer.norm_mha(x) if nb else x
        x_att = self._attention(layer.self_attn, x, cache)
        x = residual + (layer.concat_linear(torch.cat((x, x_att), dim=-1)) if layer.concat_after else x_att)
        x = x if nb else layer.norm_mha(x)
        if layer.conv_module is not None:
            residual = x
            x = layer.norm_conv(x) if nb else x
            x = residual + self._conv(layer.conv_module, x, cache)
            x = x if nb else layer.norm_conv(x)
        residual = x
        x = layer.norm_ff(x) if nb else x
        x = residual + layer.ff_scale * layer.feed_forward(x)
        x = x if nb else layer.norm_ff(x)
        return layer.norm_final(x) if layer.conv_module is not None else x

    def _attention(self, att, x: torch.Tensor, cache: LayerCache) -> torch.Tensor:
        """Relative-position attention of the chunk's queries over [left context, chunk] keys."""
        n = x.shape[1]
        q, k, v = att.forward_qkv(x, x, x)                   # (1, H, n, d_k)
        if cache.keys is not None:
            k, v = torch.cat([cache.keys, k], dim=2), torch.cat([cache.values, v], dim=2)
        total = k.shape[2]
        keep = total if self.left_chunks < 0 else min(total, self.left_chunks * self.chunk)
        cache.keys, cache.values = k[:, :, total - keep:], v[:, :, total - keep:]
        # relative positions query - key from total - 1 (oldest key, first query) down to -(n - 1)
        self.pos_enc.extend_pe(torch.empty(1, total, device=x.device, dtype=x.dtype))
        pe = self.pos_enc.pe
        center = pe.shape[1] // 2
        p = att.linear_pos(pe[:, center - (total - 1):center + n]).view(1, -1, att.h, att.d_k).transpose(1, 2)
        q = q.transpose(1, 2)                                 # (1, n, H, d_k)
        ac = torch.matmul((q + att.pos_bias_u).transpose(1, 2), k.transpose(-2, -1))      # (1, H, n, total)
        bd = torch.matmul((q + att.pos_bias_v).transpose(1, 2), p.transpose(-2, -1))      # (1, H, n, total+n-1)
        qi = torch.arange(n, device=x.device)[:, None]
        kj = torch.arange(total, device=x.device)[None, :]
        index = (n - 1 - qi + kj).expand(1, att.h, n, total)  # key j of query i sits at relative i - j
        scores = (ac + bd.gather(-1, index)) / math.sqrt(att.d_k)
        return att.forward_attention(v, scores, None)

    def _conv(self, module, x: torch.Tensor, cache: LayerCache) -> torch.Tensor:
        """The convolution module with the depthwise convolution's left frames cached; a symmetric
        (non-causal) one sees zeros for the frames after the chunk."""
        x = F.glu(module.pointwise_conv1(x.transpose(1, 2)), dim=1)  # (1, C, n)
        dw = module.depthwise_conv
        k = dw.kernel_size[0]
        left, right = (k - 1, 0) if isinstance(dw, CausalConv1d) else ((k - 1) // 2, (k - 1) // 2)
        past = cache.conv if cache.conv is not None else x.new_zeros(x.shape[0], x.shape[1], left)
        full = torch.cat([past, x], dim=2)
        cache.conv = full[:, :, full.shape[2] - left:] if left else full[:, :, :0]
        y = F.conv1d(F.pad(full, (0, right)), dw.weight, dw.bias, groups=dw.groups)  # no hooks: one stream
        y = module.pointwise_conv2(module.activation(module.norm(y)))
        return y.transpose(1, 2)
