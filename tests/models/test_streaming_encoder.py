"""Chunk attention (asrllm/models/chunk.py) and the streaming encoder (asrllm/models/streaming_encoder.py)."""

import pytest
import torch

from asrllm.config import ConfigError
from asrllm.models.chunk import CausalConv1d, chunk_mask
from asrllm.models.config import ModelConfig
from asrllm.models.encoder import SpeechEncoder
from asrllm.models.streaming_encoder import StreamingEncoder

CONF = {"output_size": 32, "attention_heads": 2, "linear_units": 64, "num_blocks": 2, "cnn_module_kernel": 7,
        "macaron_style": True}


def encoder(subsampling: dict, chunk: dict | None = {"size": [2, 6], "left_chunks": 2}, seed: int = 0):
    torch.manual_seed(seed)
    cfg = ModelConfig.from_dict({"encoder": {"input_size": 20, "subsampling": subsampling, "conf": CONF,
                                             **({"chunk": chunk} if chunk is not None else {})}})
    return SpeechEncoder.from_config(cfg.encoder).eval()


def test_chunk_mask_limits_left_context():
    m = chunk_mask(6, 2, 1)
    assert m.tolist()[5] == [False, False, True, True, True, True]  # chunk 2 sees chunk 1 and itself
    assert m.tolist()[0] == [True, True, False, False, False, False]
    assert chunk_mask(6, 2, -1)[5].all()


@pytest.mark.parametrize("subsampling", [{"type": "espnet"}, {"type": "light", "channels": 8},
                                         {"type": "light", "channels": 8, "factor": 2}])
@pytest.mark.parametrize("chunk, left", [(4, 2), (3, -1)])
def test_streaming_equals_the_chunk_masked_forward(subsampling, chunk, left):
    enc = encoder(subsampling, {"size": [2, 6], "left_chunks": left})
    feats = torch.randn(1, 173, 20)  # not a whole number of chunks: the stream ends mid-chunk
    with torch.no_grad():
        full, lens = enc(feats, torch.tensor([173]), chunk_size=chunk)
    stream = StreamingEncoder(enc, chunk)
    pieces = [stream.accept(feats[0, i:i + 13]) for i in range(0, 173, 13)] + [stream.flush()]
    out = torch.cat(pieces)
    assert out.shape == full[0, :lens[0]].shape
    assert torch.allclose(out, full[0, :lens[0]], atol=1e-5, rtol=0)
    assert all(len(p) % chunk == 0 for p in pieces[:-1])  # frames come a whole chunk at a time


def test_the_state_is_bounded_by_the_left_context():
    enc = encoder({"type": "espnet"})
    stream = StreamingEncoder(enc, 4)
    stream.accept(torch.randn(2000, 20))
    assert all(c.keys.shape[2] == 2 * 4 and c.conv.shape[2] == 6 for c in stream.caches)
    assert stream.buffer.shape[0] < stream.window


def test_a_chunk_as_long_as_the_input_is_full_context():
    enc = encoder({"type": "espnet"})
    feats, lens = torch.randn(2, 90, 20), torch.tensor([90, 61])
    with torch.no_grad():
        full, n = enc(feats, lens)
        whole, m = encoder({"type": "espnet"}, {"size": [2, 6], "left_chunks": -1})(feats, lens, chunk_size=1000)
    assert torch.equal(n, m) and torch.allclose(full, whole, atol=1e-5)


@pytest.mark.parametrize("subsampling", [{"type": "espnet"}, {"type": "light", "channels": 8}])
@pytest.mark.parametrize("chunk", [None, 4])
def test_a_batched_utterance_encodes_as_it_does_alone(subsampling, chunk):
    enc = encoder(subsampling)
    s = torch.randn(1, 50, 20)
    x = torch.cat([torch.randn(1, 120, 20), torch.cat([s, torch.randn(1, 70, 20)], 1)])  # padding is noise
    with torch.no_grad():
        batch, lens = enc(x, torch.tensor([120, 50]), chunk_size=chunk)
        alone, n = enc(s, torch.tensor([50]), chunk_size=chunk)
    assert lens[1] == n[0] == alone.shape[1] == 11  # espnet2's own mask would count 13 in the batch
    assert torch.allclose(batch[1, :11], alone[0], atol=1e-5)


def test_chunk_outputs_do_not_see_the_future():
    enc = encoder({"type": "espnet"})
    a = torch.randn(1, 120, 20)
    b = a.clone()
    b[:, 80:] = torch.randn(1, 40, 20)  # later input changed
    with torch.no_grad():
        ya, _ = enc(a, torch.tensor([120]), chunk_size=4)
        yb, _ = enc(b, torch.tensor([120]), chunk_size=4)
    first = (80 - 7) // 4 // 4 * 4  # encoder frames of the chunks whose inputs all lie before frame 80
    assert torch.allclose(ya[0, :first], yb[0, :first], atol=1e-6) and not torch.allclose(ya, yb)


def test_training_draws_a_chunk_per_batch_and_the_convolutions_are_causal():
    enc = encoder({"type": "espnet"}, {"size": [2, 3], "full_context_share": 0.0, "left_chunks": 1}).train()
    assert all(isinstance(l.conv_module.depthwise_conv, CausalConv1d) for l in enc.body.encoders)
    x = torch.randn(1, 60, 20)
    torch.manual_seed(1)
    y1, _ = enc(x, torch.tensor([60]))
    torch.manual_seed(1)
    y2, _ = enc(x, torch.tensor([60]))
    assert torch.equal(y1, y2)  # the draw follows torch's RNG
    assert not isinstance(encoder({"type": "espnet"}, None).body.encoders[0].conv_module.depthwise_conv, CausalConv1d)


def test_a_model_trained_without_chunks_streams_with_symmetric_convolutions():
    enc = encoder({"type": "espnet"}, None)
    stream = StreamingEncoder(enc, 4, left_chunks=-1)
    out = torch.cat([stream.accept(torch.randn(100, 20)), stream.flush()])
    assert out.shape == (((100 - 1) // 2 - 1) // 2, 32) and torch.isfinite(out).all()


@pytest.mark.parametrize("chunk, message", [
    ({"size": [0, 4]}, "chunk.size"), ({"full_context_share": 2.0}, "full_context_share"),
    ({"left_chunks": -2}, "left_chunks"), ({"sise": [1, 2]}, "did you mean 'size'")])
def test_bad_chunk_configs_are_named(chunk, message):
    with pytest.raises(ConfigError, match=message):
        ModelConfig.from_dict({"encoder": {"chunk": chunk}})


def test_e_branchformer_chunks_are_not_implemented():
    with pytest.raises(ConfigError, match="not implemented"):
        ModelConfig.from_dict({"encoder": {"type": "e_branchformer", "chunk": {}}})
