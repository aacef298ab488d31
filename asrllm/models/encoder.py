"""The speech encoder: 4x subsampling + an espnet2 Conformer or E-Branchformer, from config.

Config (`encoder:` section):
  type: conformer | e_branchformer      (registry below; no if-chains elsewhere)
  input_size: 80
  subsampling: {type: light, channels: 32, factor: 4 | 2} | {type: espnet}   (espnet = its own conv2d layer)
  conf: {...}                           keyword arguments of the espnet2 class
  chunk: {size, full_context_share, left_chunks}   dynamic-chunk training (asrllm/models/chunk.py)
"""

import torch
from espnet2.asr.encoder.conformer_encoder import ConformerEncoder
from espnet2.asr.encoder.e_branchformer_encoder import EBranchformerEncoder
from torch import nn

from asrllm.config import ConfigError, check_keys
from asrllm.models.chunk import draw_chunk, make_convolutions_causal, run_layers
from asrllm.models.config import ChunkConfig, EncoderConfig
from asrllm.models.padding import PaddingMaskHooks
from asrllm.models.subsampling import Conv2dSubsampling4, conv2d4_output_lengths

# name -> (espnet2 class, defaults we prefer over espnet's legacy ones)
ENCODERS: dict[str, tuple[type[nn.Module], dict]] = {
    "conformer": (ConformerEncoder, {"rel_pos_type": "latest", "pos_enc_layer_type": "rel_pos",
                                     "selfattention_layer_type": "rel_selfattn"}),
    "e_branchformer": (EBranchformerEncoder, {}),  # its defaults are already the current ones
}


class SpeechEncoder(nn.Module):
    """fbank [B, T, 80] -> encoder frames [B, T/4, D] at 25 Hz (T/2 at 50 Hz with a 2x light front end),
    with lengths."""

    def __init__(self, kind: str, input_size: int, subsampling: dict, conf: dict, chunk: ChunkConfig | None = None):
        super().__init__()
        if kind not in ENCODERS:
            raise ConfigError(f"encoder.type '{kind}' is not one of {sorted(ENCODERS)}")
        body_cls, defaults = ENCODERS[kind]
        conf = {"output_size": 256, **defaults, **conf}
        sub_type = subsampling.get("type", "light")
        if sub_type == "light":
            check_keys(subsampling, {"type", "channels", "factor"}, "encoder.subsampling")
            self.subsampling = Conv2dSubsampling4(input_size, conf["output_size"], subsampling.get("channels", 32),
                                                  subsampling.get("factor", 4))
            self.body = body_cls(input_size=conf["output_size"], input_layer=None, **conf)
        elif sub_type == "espnet":
            self.subsampling = None
            self.body = body_cls(input_size=input_size, input_layer="conv2d", **conf)
        else:
            raise ConfigError(f"encoder.subsampling.type '{sub_type}' is not 'light' or 'espnet'")
        self.output_size = conf["output_size"]
        self.chunk = chunk
        if chunk is not None:
            make_convolutions_causal(self.body)
        # espnet's convolution modules would otherwise mix batch padding into the valid frames
        self.padding_hooks = PaddingMaskHooks(self)

    @classmethod
    def from_config(cls, cfg: EncoderConfig) -> "SpeechEncoder":
        return cls(cfg.type, cfg.input_size, cfg.subsampling or {}, cfg.conf or {}, cfg.chunk)

    def output_lengths(self, lengths: torch.Tensor) -> torch.Tensor:
        """Encoder frames for `lengths` input frames (0: too short for one)."""
        sub = self.subsampling.output_lengths(lengths) if self.subsampling is not None else \
            conv2d4_output_lengths(lengths)
        return sub.clamp(min=0)

    def forward(self, feats: torch.Tensor, lengths: torch.Tensor, chunk_size: int | None = None
                ) -> tuple[torch.Tensor, torch.Tensor]:
        """Full context, unless chunk attention applies: a chunk-trained encoder in training draws a
        chunk size per batch; `chunk_size` (encoder frames, with the config's left_chunks, or all
        left context without a chunk section) asks for one, e.g. to simulate streaming.

        The padding mask comes from output_lengths: espnet2's own subsampled mask marks a frame
        valid when its 7-frame input window merely starts inside the utterance, so in a padded batch
        it counted up to two frames computed from padding (a batched utterance then encoded
        differently from the same one alone)."""
        if chunk_size is None and self.training and self.chunk is not None:
            chunk_size = draw_chunk(self.chunk)
        out_lens = self.output_lengths(lengths)
        if self.subsampling is not None:
            feats, _ = self.subsampling(feats, lengths)
            x = self.body.embed(feats)
        else:
            x, _ = self.body.embed(feats, None)
        valid = (torch.arange(x[0].shape[1], device=feats.device)[None] < out_lens[:, None])[:, None, :]
        return run_layers(self.body, x, valid, chunk_size, self.left_chunks), out_lens

    @property
    def left_chunks(self) -> int:
        return self.chunk.left_chunks if self.chunk is not None else -1
