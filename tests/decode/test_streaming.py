"""Streaming recognition (asrllm/decode/streaming.py): the final transcript is the offline search over
the streaming encoder's frames; partials keep their prefix; the state stays bounded."""

import dataclasses

import pytest
import torch

from asrllm.config import ConfigError
from asrllm.decode.config import DecodeConfig, StreamingOptions
from asrllm.decode.lm import CachedLM
from asrllm.decode.recognizer import Recognizer
from asrllm.decode.search import greedy_search
from asrllm.decode.streaming import StreamingRecognizer
from asrllm.models.build import from_pretrained
from asrllm.testing.toy_model import build_toy_model

CHUNK_MS = 320  # 8 encoder frames, 2 adapter frames


@pytest.fixture(scope="module")
def streaming_model(tmp_path_factory):
    model, _ = from_pretrained(build_toy_model(tmp_path_factory.mktemp("stream_model"),
                                               chunk={"size": [4, 8], "left_chunks": 2}))
    return model.eval()


def offline_on_chunked_frames(model, feats: torch.Tensor, chunk: int, cfg: DecodeConfig) -> list[int]:
    """The offline greedy search over the chunk-masked encoder forward (what streaming must equal)."""
    lens = torch.tensor([feats.shape[0]])
    frames, frame_lens = model.encoder(feats[None], lens, chunk_size=chunk)
    speech, speech_lens = model.adapter(frames, frame_lens)
    prompt, embeds = model.llm_inputs(speech, speech_lens, None)
    return greedy_search(CachedLM(model.llm), embeds, prompt.attention_mask, prompt.position_ids,
                         [cfg.max_new_tokens(int(speech_lens[0]))], model.prompt.end_id)[0].tokens


def pieces(feats: torch.Tensor, size: int):
    return [feats[i:i + size] for i in range(0, feats.shape[0], size)]


def test_final_equals_offline_search_on_the_streaming_frames(streaming_model, toy_feats):
    cfg = DecodeConfig(device="cpu")
    rec = Recognizer(streaming_model, cfg)
    srec = StreamingRecognizer(rec, StreamingOptions(chunk_ms=CHUNK_MS))
    compared = 0
    for feats, utt in toy_feats:
        results = list(srec.stream(pieces(feats, 37)))
        finals = [r for r in results if r.final]
        assert len(finals) == 1 and results[-1].final, utt
        with torch.no_grad():
            ref = offline_on_chunked_frames(streaming_model, feats, 8, cfg)
        assert finals[0].tokens == ref, utt
        compared += bool(ref)
        partials = [r for r in results if not r.final]
        assert [r.chunk for r in partials] == list(range(1, len(partials) + 1))
        assert [r.stable for r in partials] == [r.chunk > 2 for r in partials]
    assert compared >= 3  # real hypotheses, not only empty ones


def test_a_stable_partial_keeps_the_previous_one_less_the_rollback(streaming_model, toy_feats):
    rec = Recognizer(streaming_model, DecodeConfig(device="cpu"))
    opts = StreamingOptions(chunk_ms=160, rollback_tokens=1, unstable_chunks=1)
    feats = max(toy_feats, key=lambda f: f[0].shape[0])[0]
    partials = [r for r in StreamingRecognizer(rec, opts).stream([feats]) if not r.final]
    assert len(partials) > 5
    for prev, cur in zip(partials[1:], partials[2:]):  # both stable
        keep = prev.tokens[:max(0, len(prev.tokens) - 1)]
        assert cur.tokens[:len(keep)] == keep


def test_segments_bound_the_state(streaming_model, toy_feats):
    rec = Recognizer(streaming_model, DecodeConfig(device="cpu"))
    long = torch.cat([f for f, _ in toy_feats] * 3)  # about 38 s
    srec = StreamingRecognizer(rec, StreamingOptions(chunk_ms=CHUNK_MS, max_segment_s=3.2))
    lengths, finals = [], 0
    for r in srec.stream(pieces(long, 100)):
        finals += r.final
        lengths.append(max(c.keys.shape[2] for c in srec.encoder.caches if c.keys is not None) if not r.final else 0)
    assert finals >= 10
    assert max(lengths) <= 2 * 8  # left_chunks x chunk encoder frames per layer


def test_bad_chunk_sizes_and_a_model_without_chunks(toy_model, caplog):
    rec = Recognizer(toy_model, DecodeConfig(device="cpu"))
    with pytest.raises(ConfigError, match="multiple of 160 ms"):
        StreamingRecognizer(rec, StreamingOptions(chunk_ms=200))
    srec = StreamingRecognizer(rec, StreamingOptions(chunk_ms=CHUNK_MS))
    assert "trained without chunks" in caplog.text and "quality will suffer" in caplog.text
    assert [r.final for r in srec.stream([torch.zeros(0, 80)])] == [True]  # zero-length input: one empty final
    assert list(srec.stream([torch.zeros(0, 80)]))[0].text == ""


def test_streaming_options_are_checked():
    with pytest.raises(ConfigError, match="streaming"):
        StreamingOptions(chunk_ms=0)
    cfg = DecodeConfig(streaming=StreamingOptions(rollback_tokens=3))
    assert dataclasses.asdict(cfg)["streaming"]["rollback_tokens"] == 3
