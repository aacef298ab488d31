"""Streaming cost: compute per chunk as the stream grows, latency and real-time factor, against re-feeding.

python -m asrllm.bench.streaming [--model-dir DIR] [--size demo|smoke] [--chunks 50] [--chunk-ms 640]
    [--threads 1] [--repeats 3] [--out FILE.json]

Without --model-dir: a random model of the mini demo's size (Conformer 4 x 144 with dynamic-chunk
training's causal convolutions and left_chunks 4, Qwen3 6 x 256) on random features; the numbers
are compute, not quality. One stream of --chunks chunks (one segment: max_segment_s is raised to
hold it). Each partial search may generate --tokens new tokens beyond the kept prefix (max_new_tokens_constant,
factor 0), so the random model's transcript grows by a few tokens per chunk (the table reports the
count; with --tokens 3 about 3 per 640 ms, roughly the mini corpus's speaking rate):
- streaming (asrllm.decode.streaming): per chunk, the streaming encoder's chunk and the chunked
  prefill of its speech embeddings (the "speech side"), then the partial (prompt suffix + kept
  prefix prefilled, new tokens);
- re-feeding (the pseudo-streaming of the public LLM-ASR toolkits): per chunk, the offline encoder
  and a full prefill over all audio so far, then the whole transcript so far generated again (the
  Recognizer on the audio so far, allowed as many tokens as streaming's transcript has).
Reported: milliseconds per chunk at chunks 1, 10 and --chunks (best of --repeats), first-partial
latency (chunk 1's compute), final latency (compute after the end of the audio: flush and the
final search), and the real-time factor of the whole stream (compute / audio).
"""

import argparse
import dataclasses
import json
import tempfile
import time
from pathlib import Path

import torch

from asrllm.bench.corpus import machine
from asrllm.bench.decode_speed import SIZES
from asrllm.decode.config import DecodeConfig, StreamingOptions
from asrllm.decode.recognizer import Recognizer
from asrllm.decode.streaming import StreamingRecognizer
from asrllm.models.build import from_pretrained
from asrllm.testing.toy_model import build_toy_model

CHUNK = {"size": [4, 16], "full_context_share": 0.5, "left_chunks": 4}


def stream_once(srec: StreamingRecognizer, feats: torch.Tensor, step: int) -> list:
    return list(srec.stream(feats[i:i + step] for i in range(0, feats.shape[0], step)))


def run(model, chunks: int, chunk_ms: int, repeats: int, tokens: int, points: list[int]) -> dict:
    cfg = DecodeConfig(device="cpu", max_new_tokens_factor=0.0, max_new_tokens_constant=tokens,
                       streaming=StreamingOptions(chunk_ms=chunk_ms, max_segment_s=chunk_ms * (chunks + 1) / 1000))
    rec = Recognizer(model, cfg)
    srec = StreamingRecognizer(rec)
    step = chunk_ms // 10  # fbank frames per chunk of audio
    torch.manual_seed(0)
    feats = torch.randn(step * chunks + 3, 80)  # + the subsampling's look-ahead of the last chunk
    runs = [stream_once(srec, feats, step) for _ in range(repeats)]
    partials = [[r for r in results if not r.final] for results in runs]
    per_chunk = [min(p[i].compute_ms for p in partials) for i in range(chunks)]
    speech = [min(p[i].speech_ms for p in partials) for i in range(chunks)]
    text_len = [len(r.tokens) for r in partials[0]]
    final_ms = min(results[-1].compute_ms for results in runs)
    refeed = {}
    for n in points:  # the whole transcript so far is generated again, as re-feeding toolkits do
        frames = step * n + 3
        again = Recognizer(model, dataclasses.replace(cfg, max_new_tokens_constant=text_len[n - 1] + 1))
        best = float("inf")
        for _ in range(repeats):
            t = time.perf_counter()
            again(feats[None, :frames], torch.tensor([frames]))
            best = min(best, time.perf_counter() - t)
        refeed[n] = 1000 * best
    audio_s = chunks * chunk_ms / 1000
    return {"chunk_ms": chunk_ms, "chunks": chunks, "search_tokens": tokens,
            "streaming_ms": {n: round(per_chunk[n - 1], 2) for n in points},
            "streaming_speech_ms": {n: round(speech[n - 1], 2) for n in points},
            "transcript_tokens": {n: text_len[n - 1] for n in points},
            "refeed_ms": {n: round(refeed[n], 2) for n in points},
            "first_partial_ms": round(per_chunk[0], 2), "final_ms": round(final_ms, 2),
            "rtf_streaming": round((sum(per_chunk) + final_ms) / 1000 / audio_s, 4),
            "audio_seconds": audio_s}


def table(r: dict) -> str:
    rows = ["| chunk | transcript tokens | streaming (ms) | of it speech side (ms) | re-feeding (ms) | ratio |",
            "|---:|---:|---:|---:|---:|---:|"]
    for n in r["streaming_ms"]:
        s, f = r["streaming_ms"][n], r["refeed_ms"][n]
        rows.append(f"| {n} | {r['transcript_tokens'][n]} | {s:.1f} | {r['streaming_speech_ms'][n]:.1f} | {f:.1f} | "
                    f"{f / s:.1f}x |")
    rows.append(f"\nfirst partial {r['first_partial_ms']:.1f} ms, final {r['final_ms']:.1f} ms after the end of "
                f"the audio, RTF {r['rtf_streaming']:.3f} ({r['chunks']} chunks of {r['chunk_ms']} ms)")
    return "\n".join(rows)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m asrllm.bench.streaming", description=__doc__.splitlines()[0])
    p.add_argument("--model-dir", default=None, help="a saved model folder (default: a random demo-size one)")
    p.add_argument("--size", default="demo", choices=sorted(SIZES))
    p.add_argument("--chunks", type=int, default=50)
    p.add_argument("--chunk-ms", type=int, default=640)
    p.add_argument("--tokens", type=int, default=8, help="search limit per call (max_new_tokens_constant)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--out", default=None)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    points = sorted({1, min(10, args.chunks), args.chunks})
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = args.model_dir or build_toy_model(Path(tmp) / "model", chunk=CHUNK, **SIZES[args.size])
        model, _ = from_pretrained(model_dir)
        result = run(model.eval(), args.chunks, args.chunk_ms, args.repeats, args.tokens, points)
    result.update({"model": args.model_dir or f"random, {args.size} size", "threads": args.threads,
                   "machine": machine()})
    print(table(result))
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
