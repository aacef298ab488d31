"""Data-loader throughput (seconds of audio delivered per second) against what a training step consumes.

python -m asrllm.bench.loader_throughput [--utts 120]
Loader: one training epoch through build_dataloader at 0 (main process), 1 and 2 workers, for
feats_type raw (fbank on the fly; default augmentation: 20% noise + silence padding, SpecAugment)
and feats_type fbank (dumped arks; SpecAugment). Step: forward + backward + Adam of a small espnet2
Conformer (4 blocks x 144, conv2d subsampling) with CTC on the same batches, in this process.
"""

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from asrllm.bench.corpus import machine, make_corpus
from asrllm.data.config import data_config_from_dict
from asrllm.loading.loader import build_dataloader
from asrllm.data.shards import REPO
from asrllm.features.cmvn_stage import compute_cmvn
from asrllm.features.dump import compute_fbank


def loader_rate(data: Path, cfg, cmvn: str, workers: int) -> tuple[float, float]:
    """(audio s per wall s over one epoch, s until the first batch)."""
    loader, sampler = build_dataloader(str(data), cfg, "train", cmvn, num_workers=workers)
    sampler.set_epoch(1)
    t = time.perf_counter()
    first = None
    frames = 0
    for batch in loader:
        first = first or time.perf_counter() - t
        frames += int(batch["feats_lengths"].sum())
    return frames / 100 / (time.perf_counter() - t), first


def step_rate(data: Path, cfg, cmvn: str, steps: int) -> tuple[float, int]:
    """(audio s consumed per s by training steps, parameters) of the small Conformer + CTC."""
    from espnet2.asr.ctc import CTC
    from espnet2.asr.encoder.conformer_encoder import ConformerEncoder

    enc = ConformerEncoder(80, output_size=144, attention_heads=4, linear_units=576, num_blocks=4,
                           input_layer="conv2d", rel_pos_type="latest", pos_enc_layer_type="rel_pos",
                           selfattention_layer_type="rel_selfattn", macaron_style=True, use_cnn_module=True,
                           cnn_module_kernel=15)
    ctc = CTC(odim=100, encoder_output_size=144)
    params = list(enc.parameters()) + list(ctc.parameters())
    opt = torch.optim.Adam(params, 1e-3)
    loader, sampler = build_dataloader(str(data), cfg, "train", cmvn, num_workers=0)
    batches = []
    for b in loader:
        batches.append(b)
        if len(batches) == steps + 1:
            break
    rng = torch.Generator().manual_seed(0)
    spent, audio = 0.0, 0.0
    for k, b in enumerate(batches):
        ys = torch.randint(1, 100, (len(b["uttids"]), 20), generator=rng)
        ylens = torch.full((len(b["uttids"]),), 20)
        t = time.perf_counter()
        h, hlens, _ = enc(b["feats"], b["feats_lengths"])
        loss = ctc(h, hlens, ys, ylens)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if k:  # the first step warms up
            spent += time.perf_counter() - t
            audio += int(b["feats_lengths"].sum()) / 100
    return audio / spent, sum(p.numel() for p in params)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--utts", type=int, default=80)
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--frames-budget", type=int, default=4000, help="padded frames per batch (4000 = 40 s)")
    args = p.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench_loader_"))
    durations = np.random.default_rng(1).uniform(2, 10, args.utts)
    data = make_corpus(work, durations)
    batching = {"frames_budget": args.frames_budget}
    raw = data_config_from_dict({"feats_type": "raw", "batching": batching})
    dumped = data_config_from_dict({"feats_type": "fbank", "noise": {"enabled": False}, "batching": batching})
    cmvn = str(work / "cmvn.json")
    compute_cmvn(str(data), cmvn, raw, None, 1, "")
    compute_fbank(str(data), str(work / "fbank"), dumped, None, 1, str(REPO / "utils" / "run.pl"))
    print(f"{args.utts} utterances, {durations.sum():.0f} s of audio (uniform 2-10 s), frames_budget "
          f"{raw.batching.frames_budget}; {machine()}\n")
    print("| feats_type | workers | audio s / s | first batch s |")
    print("|---|---:|---:|---:|")
    for name, cfg in (("raw (fbank + noise/padding + SpecAugment on the fly)", raw),
                      ("fbank (dumped arks + SpecAugment)", dumped)):
        for workers in (0, 1, 2):
            rate, first = loader_rate(data, cfg, cmvn, workers)
            print(f"| {name} | {workers} | {rate:.0f} | {first:.2f} |")
    rate, params = step_rate(data, raw, cmvn, args.steps)
    print(f"\ntraining step (espnet2 Conformer 4x144 + CTC, {params / 1e6:.1f}M parameters, "
          f"{torch.get_num_threads()} threads, batches of ~{raw.batching.frames_budget / 100:.0f} s): "
          f"consumes {rate:.0f} s of audio per s")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
