"""Batched decoding (asrllm.decode) against a per-utterance Hugging Face generate() loop, same model and audio.

python -m asrllm.bench.decode_speed [--model-dir DIR --data-dir D ... --data-config C --cmvn J]
    [--size demo|smoke] [--num-utts 32] [--batch-sizes 1 8 16 32] [--threads 1] [--out FILE.json]

Without --model-dir: a random model of the mini recipe's demo size (Conformer 4 x 144, Qwen3 6 x 256,
2k-token BPE; --size smoke: the smoke sizes) on synthetic audio. Features are computed once and held
in memory, so both sides time the same thing: encoder + adapter + LLM search. Greedy search, the
decode config's limits. Hypotheses are compared token by token; a difference is reported with the
top-2 log-prob gap at its first differing token. Each timing is the best of --repeats runs.
"""

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from asrllm.bench.corpus import machine, make_corpus
from asrllm.data.config import DataConfig, load_data_config
from asrllm.loading.dataset import SpeechDataset
from asrllm.decode.config import load_decode_config
from asrllm.decode.naive import generate_one, top2_gap
from asrllm.decode.recognizer import Recognizer
from asrllm.testing.toy_model import build_toy_model, write_cmvn
from asrllm.models.build import from_pretrained

SIZES = {  # random models built when no --model-dir is given
    "demo": dict(llm_hidden=256, llm_layers=6, heads=4, kv_heads=2, vocab_size=2000, encoder_size=144,
                 encoder_blocks=4),
    "smoke": dict(llm_hidden=32, llm_layers=2, heads=4, kv_heads=2, vocab_size=300, encoder_size=32,
                  encoder_blocks=2),
}


def load_feats(data_dirs: list[str], cfg: DataConfig, cmvn: str | None, n: int) -> list[torch.Tensor]:
    feats = []
    for d in data_dirs:
        ds = SpeechDataset(d, cfg, "eval", cmvn, tables=())
        feats += [ds[i]["feats"] for i in range(len(ds)) if len(feats) < n]
        if len(feats) >= n:
            break
    return feats


def best_time(fn, repeats: int):
    out, best = None, float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return out, best


def batched(rec: Recognizer, feats: list[torch.Tensor], size: int) -> list[list[int]]:
    order = sorted(range(len(feats)), key=lambda i: feats[i].shape[0])  # as the decoder batches
    hyps: list[list[int]] = [[] for _ in feats]
    for s in range(0, len(order), size):
        idx = order[s:s + size]
        lens = torch.tensor([feats[i].shape[0] for i in idx])
        batch = torch.zeros(len(idx), int(lens.max()), feats[0].shape[1])
        for b, i in enumerate(idx):
            batch[b, :feats[i].shape[0]] = feats[i]
        for i, r in zip(idx, rec(batch, lens)):
            hyps[i] = r.tokens
    return hyps


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model-dir", default=None)
    p.add_argument("--data-dir", action="append", default=[])
    p.add_argument("--data-config", default=None)
    p.add_argument("--cmvn", default=None)
    p.add_argument("--decode-config", default=None, help="limits and guard (default: conf/decode.yaml defaults)")
    p.add_argument("--size", choices=sorted(SIZES), default="demo")
    p.add_argument("--num-utts", type=int, default=32)
    p.add_argument("--batch-sizes", type=int, nargs="+", default=[1, 8, 16, 32])
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--repeats", type=int, default=2)
    p.add_argument("--out", default=None, help="also write the numbers as JSON here")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    cfg = load_decode_config(args.decode_config)
    with tempfile.TemporaryDirectory() as tmp:
        if args.model_dir:
            model_dir, data_dirs, cmvn = args.model_dir, args.data_dir, args.cmvn
            data_cfg = load_data_config(args.data_config)
        else:
            model_dir = build_toy_model(Path(tmp) / "model", **SIZES[args.size])
            durations = np.random.default_rng(0).uniform(1.5, 4.0, args.num_utts)
            data = make_corpus(Path(tmp) / "corpus", durations)
            data_dirs, cmvn, data_cfg = [str(data)], str(write_cmvn(data, Path(tmp) / "cmvn.json")), DataConfig()
        model, _ = from_pretrained(model_dir)
        model.eval()
        feats = load_feats(data_dirs, data_cfg, cmvn, args.num_utts)
    audio = sum(f.shape[0] for f in feats) * data_cfg.fbank.frame_shift_ms / 1000
    rec = Recognizer(model, cfg, "cpu")
    batched(rec, feats[:2], 2)  # warm-up (lazy initialisation in torch / transformers)
    rec.hooks.remove()  # the naive loop decodes one utterance at a time: no padding to mask
    naive, t_naive = best_time(lambda: [generate_one(model, f, cfg) for f in feats], args.repeats)
    rec = Recognizer(model, cfg, "cpu")
    rows = [{"what": "naive generate() loop", "batch": 1, "seconds": t_naive}]
    for size in args.batch_sizes:
        hyps, t = best_time(lambda: batched(rec, feats, size), args.repeats)
        diffs = []
        for f, h, n in zip(feats, hyps, naive):
            if h != n.tokens:
                k = next((i for i, (a, b) in enumerate(zip(h, n.tokens)) if a != b), min(len(h), len(n.tokens)))
                diffs.append({"token": k, "top2_gap": top2_gap(model, f, h[:k])})
        rows.append({"what": "batched greedy (asrllm.decode)", "batch": size, "seconds": t,
                     "identical": len(feats) - len(diffs), "differences": diffs})
    tokens = sum(len(n.tokens) for n in naive)
    print(f"machine: {machine()}; torch threads {args.threads}")
    print(f"model: {model_dir if args.model_dir else 'random, size ' + args.size}; {len(feats)} utterances, "
          f"{audio:.1f} s of audio, {tokens} generated tokens (naive), "
          f"finish max_tokens: {sum(n.finish_reason == 'max_tokens' for n in naive)}")
    print("| decoder | batch | s | speed-up | RTF | identical to naive |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in rows:
        same = f"{r['identical']}/{len(feats)}" if "identical" in r else "-"
        print(f"| {r['what']} | {r['batch']} | {r['seconds']:.2f} | {t_naive / r['seconds']:.2f}x | "
              f"{r['seconds'] / audio:.4f} | {same} |")
        for d in r.get("differences", []):
            print(f"|   difference at token {d['token']}, top-2 gap {d['top2_gap']:.3g} | | | | | |")
    if args.out:
        Path(args.out).write_text(json.dumps({"machine": machine(), "threads": args.threads, "audio_seconds": audio,
                                              "rows": rows}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
