"""Peak memory of one validation pass over a large dev set: batches held (collated into a list before
the first step, as training did up to 2026-12) against batches streamed (asrllm.loading.loader.SpeechBatches).

python -m asrllm.bench.valid_memory [--utts 20000] [--seconds 4.5] [--work DIR]
The dev set is random 80-bin fbank in a Kaldi ark (`--seconds` per utterance, a 1-word text each),
read through the training stage's dataset, batch sampler and collate (data config defaults,
feats_type fbank). Each mode runs in a fresh process; the number is its peak resident memory
(ru_maxrss) less its resident memory just before the pass.
"""

import argparse
import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np


def make_dev_set(out: Path, utts: int, seconds: float, seed: int = 0) -> Path:
    """A data dir of `utts` utterances of random fbank: feats.scp (+ ark), utt2num_frames, text."""
    import kaldiio

    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    frames = int(seconds * 100)
    ids = [f"utt{i:07d}" for i in range(utts)]
    with kaldiio.WriteHelper(f"ark,scp:{out / 'feats.ark'},{out / 'feats.scp'}") as w:
        for uid in ids:
            w(uid, rng.standard_normal((frames, 80), dtype=np.float32))
    (out / "utt2num_frames").write_text("".join(f"{u} {frames}\n" for u in ids))
    (out / "text").write_text("".join(f"{u} A\n" for u in ids))
    (out / "utt2spk").write_text("".join(f"{u} {u}\n" for u in ids))
    (out / "spk2utt").write_text("".join(f"{u} {u}\n" for u in ids))
    return out


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def one_pass(data_dir: str, mode: str) -> dict:
    """In this process: one validation pass, batches `held` or `streamed`; memory in MiB."""
    from asrllm.data.config import data_config_from_dict
    from asrllm.loading.dataset import SpeechDataset
    from asrllm.loading.loader import SpeechBatches, batch_plan
    from asrllm.training.labels import LabelCollate

    cfg = data_config_from_dict({"feats_type": "fbank"})
    dataset = SpeechDataset(data_dir, cfg, "eval", None, ("text",))
    b = cfg.batching
    plan = batch_plan(dataset.lengths, b.frames_budget, seed=b.seed, max_batch_size=b.max_batch_size)
    before = rss_kib()
    streamed = SpeechBatches(dataset, plan, LabelCollate({}))
    batches = list(streamed) if mode == "held" else streamed
    frames = n = 0
    for batch in batches:  # what validation does with each batch, minus the model
        frames += int(batch["feat_lens"].sum())
        n += 1
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {"mode": mode, "batches": n, "frames": frames, "rss_before_mib": before / 1024,
            "peak_rss_mib": peak / 1024, "pass_mib": (peak - before) / 1024}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m asrllm.bench.valid_memory", description=__doc__.splitlines()[0])
    p.add_argument("--utts", type=int, default=20000)
    p.add_argument("--seconds", type=float, default=4.5, help="per utterance (AISHELL-1 dev averages ~4.5)")
    p.add_argument("--work", default=None, help="folder for the synthetic dev set (default: a temporary one)")
    p.add_argument("--one-pass", nargs=2, metavar=("DATA_DIR", "MODE"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.one_pass:
        print(json.dumps(one_pass(*args.one_pass)))
        return 0
    with tempfile.TemporaryDirectory(prefix="valid_memory.", dir=args.work) as tmp:
        data = make_dev_set(Path(tmp) / "dev", args.utts, args.seconds)
        rows = []
        for mode in ("held", "streamed"):
            out = subprocess.run([sys.executable, "-m", "asrllm.bench.valid_memory", "--one-pass", str(data), mode],
                                 check=True, capture_output=True, text=True).stdout
            rows.append(json.loads(out.strip().splitlines()[-1]))
    print(f"validation pass over {args.utts} utterances x {args.seconds:g} s of fbank "
          f"({args.utts * args.seconds / 3600:.1f} h):")
    print("|batches|mode|peak RSS (MiB)|RSS before the pass (MiB)|pass (MiB)|")
    print("|---|---|---|---|---|")
    for r in rows:
        print(f"|{r['batches']}|{r['mode']}|{r['peak_rss_mib']:.0f}|{r['rss_before_mib']:.0f}|{r['pass_mib']:.0f}|")
    return 0


if __name__ == "__main__":
    sys.exit(main())
