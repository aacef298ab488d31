"""Speech2Text: transcribe audio files or arrays with a packed model folder (asrllm.inference.pack).

    from asrllm.inference import Speech2Text
    s2t = Speech2Text.from_pretrained("exp/asr_llm_entropy/packed")
    print(s2t("audio.wav"))                       # one transcript
    results = s2t.transcribe(["a.wav", "b.flac"])  # batched; Transcript objects with chunk details
    for r in s2t.stream("audio.wav"):              # chunk by chunk: partials, then the final text
        print(r.final, r.text)

The folder gives everything: weights, tokenizer, prompt (config.yaml), frontend (frontend.yaml),
CMVN statistics (cmvn.json) and decoding settings (decode.yaml). Loading reads local files only
(the Hugging Face hub is put offline first). Audio longer than max_chunk_sec is cut at low-energy
points and the chunk transcripts joined. A chunk too short for one encoder frame (< 0.09 s) gets an
empty transcript with finish reason too_short.
"""

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import torch

from asrllm.audio.audiofile import read_entry
from asrllm.audio.errors import AudioError
from asrllm.audio.resample import resample
from asrllm.config import ConfigError
from asrllm.data.config import DataConfig, load_data_config
from asrllm.data.sampler import cut_sorted
from asrllm.decode.config import DecodeConfig, load_decode_config
from asrllm.decode.recognizer import Recognizer
from asrllm.decode.shard import one_line
from asrllm.features.cmvn import GlobalCmvn
from asrllm.features.fbank import Fbank
from asrllm.features.fbank_stream import FbankStream
from asrllm.inference.chunking import chunk_bounds, join_texts

FRONTEND_YAML = "frontend.yaml"
CMVN_JSON = "cmvn.json"
DECODE_YAML = "decode.yaml"


@dataclass
class Chunk:
    start: float  # seconds
    end: float
    text: str
    finish_reason: str


@dataclass
class Transcript:
    text: str
    chunks: list[Chunk] = field(default_factory=list)
    error: str = ""  # why the input could not be read (transcribe(..., skip_errors=True)); text is then ""

    @property
    def finish_reason(self) -> str:
        """The chunks' finish reasons (eos | max_tokens | too_short), comma-joined for chunked audio."""
        return ",".join(c.finish_reason for c in self.chunks)


class Speech2Text:
    def __init__(self, recognizer: Recognizer, frontend: DataConfig, cmvn: GlobalCmvn | None,
                 max_chunk_sec: float = 30.0):
        self.recognizer = recognizer
        self.sample_rate = frontend.sample_rate
        self.fbank = Fbank(frontend.fbank, frontend.sample_rate)
        self.cmvn = cmvn
        self.max_chunk_sec = max_chunk_sec

    @classmethod
    def from_pretrained(cls, model_dir: str | os.PathLike, device: str | None = None,
                        max_chunk_sec: float = 30.0, **decode_overrides) -> "Speech2Text":
        """Load a packed model folder; decode_overrides replace decode.yaml keys (beam_size=4, ...)."""
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        root = Path(model_dir)
        for name in (FRONTEND_YAML, CMVN_JSON):
            if not (root / name).is_file():
                raise ConfigError(f"{root} has no {name}: it is not a packed model (make one with "
                                  f"python -m asrllm.bin.pack_model)")
        decode_file = root / DECODE_YAML
        cfg: DecodeConfig = load_decode_config(decode_file if decode_file.is_file() else None, decode_overrides)
        recognizer = Recognizer.from_pretrained(root, cfg, device)
        return cls(recognizer, load_data_config(root / FRONTEND_YAML), GlobalCmvn.from_json(root / CMVN_JSON),
                   max_chunk_sec)

    def load_audio(self, audio, sample_rate: int | None = None) -> np.ndarray:
        """A path or wav.scp value (str / Path) or a 1-D float array (with its sample_rate) -> mono samples
        at the model's rate."""
        if isinstance(audio, (str, os.PathLike)):
            x, sr = read_entry(str(audio), multi_channel="mix")
        else:
            x = np.asarray(audio, dtype=np.float32)
            if x.ndim != 1:
                raise ValueError(f"audio array must be 1-D (mono samples), got shape {x.shape}")
            if sample_rate is None:
                raise ValueError("give the sample_rate of an audio array")
            sr = sample_rate
        return resample(x, sr, self.sample_rate)

    def features(self, x: np.ndarray) -> torch.Tensor:
        feats = self.fbank(x)
        if self.cmvn is not None:
            feats = self.cmvn(feats)
        return torch.from_numpy(np.ascontiguousarray(feats, dtype=np.float32))

    def transcribe(self, audios: list, sample_rate: int | None = None, skip_errors: bool = False) -> list[Transcript]:
        """Transcribe several inputs; all their chunks are decoded in length-sorted batches. With skip_errors,
        an input that cannot be read gets Transcript("", error=reason) instead of stopping the others."""
        chunks: list[tuple[int, int, int]] = []  # (input, start sample, end sample)
        samples = []
        errors = [""] * len(audios)
        for i, audio in enumerate(audios):
            try:
                x = self.load_audio(audio, sample_rate)
            except (AudioError, OSError, ValueError) as e:
                if not skip_errors:
                    raise
                errors[i] = str(e) or type(e).__name__
                x = np.zeros(0, np.float32)
            samples.append(x)
            if not errors[i]:
                chunks += [(i, a, b) for a, b in chunk_bounds(x, self.sample_rate, self.max_chunk_sec)]
        feats = [self.features(samples[i][a:b]) for i, a, b in chunks]
        order = sorted(range(len(feats)), key=lambda j: feats[j].shape[0])
        cfg = self.recognizer.cfg
        ends = cut_sorted([max(1, feats[j].shape[0]) for j in order], cfg.frames_budget, cfg.max_batch_size)
        results = [None] * len(feats)
        lo = 0
        for hi in ends:
            idx = order[lo:hi]
            lens = torch.tensor([feats[j].shape[0] for j in idx])
            batch = torch.zeros(len(idx), int(lens.max()), self.fbank.dim)
            for b, j in enumerate(idx):
                batch[b, :feats[j].shape[0]] = feats[j]
            for j, r in zip(idx, self.recognizer(batch, lens)):
                results[j] = r
            lo = hi
        out = [Transcript("", error=e) for e in errors]
        for (i, a, b), r in zip(chunks, results):
            out[i].chunks.append(Chunk(a / self.sample_rate, b / self.sample_rate, one_line(r.text), r.finish_reason))
        for t in out:
            t.text = join_texts([c.text for c in t.chunks])
        return out

    def stream(self, audio, sample_rate: int | None = None, partials: bool = True, **streaming_overrides):
        """Recognise chunk by chunk (asrllm.decode.streaming): `audio` a path, wav.scp value or array
        (fed as if it arrived a chunk at a time), or an iterable of sample arrays at the model's rate
        (a live source). Yields StreamResult: a partial after every chunk, the final text of each
        segment. streaming_overrides replace decode.yaml's streaming keys (chunk_ms=320, ...)."""
        from asrllm.decode.streaming import StreamingRecognizer  # the streaming path's imports, when used

        opts = replace(self.recognizer.cfg.streaming, **streaming_overrides)
        recognizer = StreamingRecognizer(self.recognizer, opts, self.fbank.cfg.frame_shift_ms)
        if isinstance(audio, (str, os.PathLike, np.ndarray)):
            x = self.load_audio(audio, sample_rate)
            step = int(self.sample_rate * opts.chunk_ms / 1000)
            audio = (x[i:i + step] for i in range(0, len(x), step))
        fbank = FbankStream(self.fbank)

        def features():
            for samples in audio:
                feats = fbank.accept(samples)
                if self.cmvn is not None and len(feats):
                    feats = self.cmvn(feats)
                yield torch.from_numpy(np.ascontiguousarray(feats, dtype=np.float32))

        yield from recognizer.stream(features(), partials=partials)

    def __call__(self, audio, sample_rate: int | None = None) -> str:
        """The transcript of one input (path, wav.scp value or array)."""
        return self.transcribe([audio], sample_rate)[0].text
