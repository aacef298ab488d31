"""Stage 4: drop training utterances outside the duration range or with an empty / too long transcript.

python -m asrllm.bin.filter_data --in-dir dump/raw/train --out-dir dump/filtered/train --config conf/data.yaml
python -m asrllm.bin.filter_data --in-dir dump/raw/test --out-dir dump/filtered/test --no-filter
Writes filter.report.json (counts by reason) and filter.dropped (utt reason) into the output dir.
Clips too short for one encoder frame (< 0.085 s) are always dropped from training sets; --no-filter keeps
them (they decode to an empty too_short hypothesis) and warns, naming them.
"""

import argparse
import sys

from asrllm.cli import run
from asrllm.data.config import load_data_config
from asrllm.features.filtering import filter_data


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="filter_data", description=__doc__.splitlines()[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--in-dir", required=True, help="formatted data dir (from format_audio)")
    p.add_argument("--out-dir", required=True, help="filtered, validated data dir")
    p.add_argument("--config", default=None, help="data config YAML (filter section); default: built-in")
    p.add_argument("--no-filter", action="store_true",
                   help="copy and validate only (dev/test sets are never filtered)")
    p.add_argument("--log-level", default="INFO")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    def body() -> None:
        filter_data(args.in_dir, args.out_dir, load_data_config(args.config), args.no_filter)

    return run("filter_data", body, args.log_level)


if __name__ == "__main__":
    sys.exit(main())
