"""Stage 5, one shard (run by compute_fbank through the launcher, JOB=1:N)."""

import sys
from pathlib import Path

from asrllm.data.cli import run_data_stage, stage_parser
from asrllm.features.dump import fbank_shard


def build_parser():
    p = stage_parser("compute_fbank_shard", __doc__, sharded=False)
    p.add_argument("--split-dir", required=True, help="this shard's wav.scp (+ segments)")
    p.add_argument("--ark", required=True, help="output ark file")
    p.add_argument("--work-dir", required=True, help="where the shard writes its scp, tables and stats.json")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run_data_stage("compute_fbank_shard", args, lambda cfg: fbank_shard(
        Path(args.split_dir), Path(args.ark), Path(args.work_dir), cfg))


if __name__ == "__main__":
    sys.exit(main())
