"""Stage 5: global CMVN statistics (mean/std per bin) of a training set, as JSON.

python -m asrllm.bin.compute_cmvn --data-dir dump/filtered/train --config conf/data.yaml \
    --out dump/global_cmvn.json [--nj 4 --cmd utils/run.pl]
Reads DATA/feats.scp when present, else computes the configured fbank from the audio.
"""

import argparse
import sys
from pathlib import Path

from asrllm.cli import run
from asrllm.data.config import load_data_config
from asrllm.data.shards import DEFAULT_CMD, check_nj
from asrllm.features.cmvn_stage import accumulate, compute_cmvn


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="compute_cmvn", description=__doc__.splitlines()[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--data-dir", required=True, help="training data dir (feats.scp, or wav.scp [+ segments])")
    p.add_argument("--out", help="output JSON (mean, std, frames, utts, fbank options)")
    p.add_argument("--config", default=None, help="data config YAML (fbank, cmvn.max_utts); default: built-in")
    p.add_argument("--nj", type=int, default=1, help="number of shard jobs (1: run in this process)")
    p.add_argument("--cmd", default=DEFAULT_CMD, help="Kaldi-style launcher (JOB=1:N log command)")
    p.add_argument("--job", type=int, default=None, help="internal: run shard JOB of --nj only")
    p.add_argument("--shard-out", default=None, help="internal: where a shard writes its partial sums (.npz)")
    p.add_argument("--log-level", default="INFO")
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.job is None and not args.out:
        parser.error("--out is required")

    def body() -> None:
        check_nj(args.nj)
        cfg = load_data_config(args.config)
        if args.job is not None:
            stats, _ = accumulate(args.data_dir, cfg, args.job, args.nj)
            stats.save_npz(Path(args.shard_out))
        else:
            compute_cmvn(args.data_dir, args.out, cfg, args.config, args.nj, args.cmd)

    return run("compute_cmvn", body, args.log_level)


if __name__ == "__main__":
    sys.exit(main())
