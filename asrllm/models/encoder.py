"""The speech encoder: 4x subsampling + an espnet2 Conformer or E-Branchformer, from config.

Config (`encoder:` section):
  type: conformer | e_branchformer      (registry below; no if-chains elsewhere)
  input_size: 80
  subsampling: {type: light, channels: 32, factor: 4 | 2} | {type: espnet}   (espnet = its own conv2d layer)
  conf: {...}                           keyword arguments of the espnet2 class
"""

import torch
from espnet2.asr.encoder.conformer_encoder import ConformerEncoder
from espnet2.asr.encoder.e_branchformer_encoder import EBranchformerEncoder
from torch import nn

from asrllm.config import ConfigError, check_keys
from asrllm.models.config import EncoderConfig
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

    def __init__(self, kind: str, input_size: int, subsampling: dict, conf: dict):
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
        # espnet's convolution modules would otherwise mix batch padding into the valid frames
        self.padding_hooks = PaddingMaskHooks(self)

    @classmethod
    def from_config(cls, cfg: EncoderConfig) -> "SpeechEncoder":
        return cls(cfg.type, cfg.input_size, cfg.subsampling or {}, cfg.conf or {})

    def output_lengths(self, lengths: torch.Tensor) -> torch.Tensor:
        """Encoder frames for `lengths` input frames (0: too short for one)."""
        sub = self.subsampling.output_lengths(lengths) if self.subsampling is not None else \
            conv2d4_output_lengths(lengths)
        return sub.clamp(min=0)

    def forward(self, feats: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if self.subsampling is not None:
            feats, lengths = self.subsampling(feats, lengths)
        out, out_lens, _ = self.body(feats, lengths)
        return out, out_lens
