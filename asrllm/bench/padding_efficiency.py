"""Padding efficiency of DynamicBatchSampler (real frames / padded frames) on realistic length mixes.

python -m asrllm.bench.padding_efficiency [--utts 200000]
Durations are synthetic draws (no corpus needed): AISHELL-like (lognormal, median 4.5 s, clipped
to 2-10 s), GigaSpeech-like (gamma k=2, scale 2.5 s, clipped to 1-20 s) and uniform 1-20 s.
"""

import argparse
import time

import numpy as np

from asrllm.bench.corpus import machine
from asrllm.data.sampler import DynamicBatchSampler


def distributions(n: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    secs = {"AISHELL-like 2-10 s": np.clip(rng.lognormal(np.log(4.5), 0.3, n), 2, 10),
            "GigaSpeech-like 1-20 s": np.clip(rng.gamma(2.0, 2.5, n), 1, 20),
            "uniform 1-20 s": rng.uniform(1, 20, n)}
    return {k: (1 + (v * 16000 - 400) // 160).astype(np.int64) for k, v in secs.items()}  # 10 ms frames


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--utts", type=int, default=200000)
    args = p.parse_args()
    print(f"{args.utts} utterances per distribution; {machine()}\n")
    print("| lengths | frames_budget | pool_size | batches | mean batch | efficiency | plan s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, lens in distributions(args.utts).items():
        for budget in (10000, 20000, 40000):
            for pool in (1000, 20000):
                s = DynamicBatchSampler(lens, budget, seed=0, pool_size=pool, max_batch_size=256)
                t = time.perf_counter()
                real, padded = s.batch_frames()
                plan = time.perf_counter() - t
                print(f"| {name} | {budget} | {pool} | {len(real)} | {len(lens) / len(real):.1f} | "
                      f"{real.sum() / padded.sum():.2%} | {plan:.2f} |")


if __name__ == "__main__":
    main()
