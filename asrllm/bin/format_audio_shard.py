"""Stage 3, one shard (run by format_audio through the launcher, JOB=1:N)."""

import sys
from pathlib import Path

from asrllm.audio.format import FormatOptions
from asrllm.audio.format_shard import format_shard
from asrllm.data.cli import run_data_stage, stage_parser


def build_parser():
    p = stage_parser("format_audio_shard", __doc__, sharded=False)
    p.add_argument("--split-dir", required=True, help="this shard's wav.scp (+ segments)")
    p.add_argument("--work-dir", required=True, help="where the shard writes its tables and stats.json")
    p.add_argument("--dump-dir", required=True, help="where rewritten audio goes")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run_data_stage("format_audio_shard", args, lambda cfg: format_shard(
        Path(args.split_dir), Path(args.work_dir), Path(args.dump_dir), FormatOptions.from_config(cfg)))


if __name__ == "__main__":
    sys.exit(main())
