"""Hotword retrieval at scale: build time, memory and per-utterance retrieval time for 1k-1M hotwords.

python -m asrllm.bench.hotword_scale [--sizes 1000 100000 1000000] [--phones 60] [--utts 200] [--out FILE]

Random hotwords of 4-12 phones over --phones phone ids (asrllm.hotwords.retrieval.HotwordIndex, the
stage's own code), random greedy-CTC hypotheses of 75 phones (about 5 s of speech) with one planted
hotword each. Each size runs in a fresh process; memory is its peak resident memory (ru_maxrss) less
the resident memory before building. Retrieval time is the mean over --utts hypotheses.
"""

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np


def rss_kib() -> int:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


def one_size(n: int, phones: int, utts: int) -> dict:
    from asrllm.hotwords.lists import Hotword
    from asrllm.hotwords.retrieval import HotwordIndex

    rng = np.random.default_rng(0)
    lengths = rng.integers(4, 13, n)
    flat = rng.integers(0, phones, int(lengths.sum()))
    bounds = np.concatenate([[0], np.cumsum(lengths)])
    entries = [Hotword(f"w{i}", tuple(flat[bounds[i]:bounds[i + 1]].tolist()), i + 1) for i in range(n)]
    before = rss_kib()
    t = time.perf_counter()
    index = HotwordIndex(entries)
    build = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    hyps = []
    for u in range(utts):
        hyp = rng.integers(0, phones, 75).tolist()
        planted = entries[int(rng.integers(n))].phone_ids
        hyp[30:30 + len(planted)] = planted
        hyps.append(hyp)
    t = time.perf_counter()
    hits = sum(len(index.find(h)) for h in hyps)
    per_utt = (time.perf_counter() - t) / utts
    return {"hotwords": n, "build_s": round(build, 3), "memory_mib": round((peak - before) / 1024, 1),
            "retrieval_ms_per_utt": round(1000 * per_utt, 4), "hits_per_utt": round(hits / utts, 2)}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m asrllm.bench.hotword_scale", description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[1000, 100000, 1000000])
    p.add_argument("--phones", type=int, default=60)
    p.add_argument("--utts", type=int, default=200)
    p.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)  # a child: one size, JSON out
    p.add_argument("--out", default=None)
    args = p.parse_args(argv)
    if args.one is not None:
        print(json.dumps(one_size(args.one, args.phones, args.utts)))
        return 0
    rows = []
    for n in args.sizes:
        r = subprocess.run([sys.executable, "-m", "asrllm.bench.hotword_scale", "--one", str(n), "--phones",
                            str(args.phones), "--utts", str(args.utts)], capture_output=True, text=True, check=True)
        rows.append(json.loads(r.stdout.strip().splitlines()[-1]))
    print("| hotwords | build (s) | memory (MiB) | retrieval (ms / utterance) | hits / utterance |")
    print("|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['hotwords']:,} | {r['build_s']} | {r['memory_mib']} | {r['retrieval_ms_per_utt']} | "
              f"{r['hits_per_utt']} |")
    if args.out:
        Path(args.out).write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
