"""Streaming through the packed model: incremental fbank, Speech2Text.stream and transcribe --streaming."""

from pathlib import Path

import numpy as np
import pytest

from asrllm.bin import transcribe as cli
from asrllm.data.config import DataConfig, FbankConfig
from asrllm.config import ConfigError
from asrllm.decode.streaming import StreamingRecognizer
from asrllm.features.fbank import Fbank
from asrllm.features.fbank_stream import FbankStream
from asrllm.inference import Speech2Text
from asrllm.inference.pack import pack_model
from asrllm.kaldi.table import read_table_dict
from asrllm.testing.toy_model import build_toy_model, write_cmvn
from tests.inference.conftest import DECODE


@pytest.fixture(scope="module")
def streaming_pack(tmp_path_factory, audio_dir):
    root = tmp_path_factory.mktemp("stream_pack")
    model = build_toy_model(root / "src", chunk={"size": [4, 8], "left_chunks": 2})
    return pack_model(model, root / "packed", DataConfig(), write_cmvn(audio_dir, root / "cmvn.json"), DECODE)


def longest(audio_dir) -> str:
    return max(read_table_dict(audio_dir / "wav.scp").values(), key=lambda w: Path(w).stat().st_size)


def test_fbank_of_a_stream_equals_the_whole_recordings():
    fb = Fbank(FbankConfig())
    x = np.random.default_rng(0).uniform(-0.3, 0.3, 16000 * 2 + 123).astype(np.float32)
    stream = FbankStream(fb)
    cuts = [0, 77, 400, 401, 5000, 9999, 20000, len(x)]
    got = np.concatenate([stream.accept(x[a:b]) for a, b in zip(cuts, cuts[1:])])
    assert np.array_equal(got, fb(x))
    with pytest.raises(ConfigError, match="snip_edges"):
        FbankStream(Fbank(FbankConfig(snip_edges=False)))


def test_speech2text_stream_gives_the_streaming_recognizers_final(streaming_pack, audio_dir):
    s2t = Speech2Text.from_pretrained(streaming_pack, device="cpu")
    wav = longest(audio_dir)
    results = list(s2t.stream(wav, chunk_ms=160))
    assert results[-1].final and sum(r.final for r in results) == 1 and len(results) > 3
    x = s2t.load_audio(wav)
    srec = StreamingRecognizer(s2t.recognizer, s2t.recognizer.cfg.streaming.__class__(chunk_ms=160))
    whole = list(srec.stream([s2t.features(x)]))
    assert [r.tokens for r in results] == [r.tokens for r in whole]  # fed in pieces = fed at once


def test_transcribe_streaming_prints_partials_and_the_final(streaming_pack, audio_dir, capsys):
    wav = longest(audio_dir)
    assert cli.main(["--model-dir", str(streaming_pack), "--streaming", "--chunk-ms", "160", wav]) == 0
    out, err = capsys.readouterr()
    s2t = Speech2Text.from_pretrained(streaming_pack, device="cpu")
    final = [r for r in s2t.stream(wav, chunk_ms=160) if r.final][0].text
    assert out.splitlines() == [f"{wav} {' '.join(final.split())}".rstrip()]
    assert f"{wav} partial 1 unstable" in err and f"{wav} partial 3 stable" in err
    assert cli.main(["--model-dir", str(streaming_pack), "--streaming", "--chunk-ms", "300", wav]) == 1
