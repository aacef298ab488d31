"""Stage 3, one shard (run by format_audio through the launcher, JOB=1:N)."""

import argparse
import sys
from pathlib import Path

from asrllm.audio.format import FormatOptions
from asrllm.audio.format_shard import format_shard
from asrllm.data.cli import run_stage
from asrllm.data.config import load_data_config


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="format_audio_shard", description=__doc__.splitlines()[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--split-dir", required=True, help="this shard's wav.scp (+ segments)")
    p.add_argument("--work-dir", required=True, help="where the shard writes its tables and stats.json")
    p.add_argument("--dump-dir", required=True, help="where rewritten audio goes")
    p.add_argument("--config", default=None, help="data config YAML; default: built-in defaults")
    p.add_argument("--log-level", default="INFO")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    def body() -> None:
        opts = FormatOptions.from_config(load_data_config(args.config))
        format_shard(Path(args.split_dir), Path(args.work_dir), Path(args.dump_dir), opts)

    return run_stage("format_audio_shard", body, args.log_level)


if __name__ == "__main__":
    sys.exit(main())
