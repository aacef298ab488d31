"""Stage 5, one shard (run by compute_fbank through the launcher, JOB=1:N)."""

import argparse
import sys
from pathlib import Path

from asrllm.data.cli import run_stage
from asrllm.data.config import load_data_config
from asrllm.features.dump import fbank_shard


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="compute_fbank_shard", description=__doc__.splitlines()[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--split-dir", required=True, help="this shard's wav.scp (+ segments)")
    p.add_argument("--ark", required=True, help="output ark file")
    p.add_argument("--work-dir", required=True, help="where the shard writes its scp, tables and stats.json")
    p.add_argument("--config", default=None, help="data config YAML; default: built-in defaults")
    p.add_argument("--log-level", default="INFO")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    def body() -> None:
        fbank_shard(Path(args.split_dir), Path(args.ark), Path(args.work_dir), load_data_config(args.config))

    return run_stage("compute_fbank_shard", body, args.log_level)


if __name__ == "__main__":
    sys.exit(main())
