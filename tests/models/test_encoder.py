"""SpeechEncoder front ends: frame rates and the lengths they report."""

import pytest
import torch

from asrllm.config import ConfigError
from asrllm.models.config import EncoderConfig
from asrllm.models.encoder import SpeechEncoder

CONF = {"output_size": 16, "attention_heads": 2, "linear_units": 32, "num_blocks": 1, "dropout_rate": 0.0,
        "positional_dropout_rate": 0.0, "attention_dropout_rate": 0.0}


@pytest.mark.parametrize("factor, expected", [(4, [24, 19]), (2, [47, 37])])
def test_light_subsampling_factor(factor, expected):
    enc = SpeechEncoder.from_config(EncoderConfig(subsampling={"type": "light", "channels": 4, "factor": factor}, conf=CONF))
    lens = torch.tensor([100, 80])
    out, out_lens = enc(torch.randn(2, 100, 80), lens)
    assert out_lens.tolist() == expected
    assert out.shape[1] == max(expected)


def test_unknown_subsampling_key_is_named():
    with pytest.raises(ConfigError, match="factr"):
        SpeechEncoder.from_config(EncoderConfig(subsampling={"type": "light", "factr": 2}, conf=CONF))
