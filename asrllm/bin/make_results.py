"""(Re)build EXP_DIR/RESULTS.md from the JSON outputs under an experiment folder.

    python -m asrllm.bin.make_results EXP_DIR [--out PATH] [--decimals 2] [--section-module MOD ...]

Tables in ESPnet's format (|dataset|Snt|Wrd|Corr|Sub|Del|Ins|Err|S.Err|), one per metric, from
every **/score*/result.json; an environment block; the exact command behind every number; plus any
sections later stages registered (see asrllm/scoring/README.md).
"""

import argparse
import logging
import sys

from asrllm.cli import run
from asrllm.scoring.results import write_results

log = logging.getLogger("asrllm.bin.make_results")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m asrllm.bin.make_results", description=__doc__.split("\n")[1])
    p.add_argument("exp_dir", help="experiment folder to search for results")
    p.add_argument("--out", default=None, help="output file (default: EXP_DIR/RESULTS.md)")
    p.add_argument("--decimals", type=int, default=2, help="decimals of the percentages")
    p.add_argument("--section-module", action="append", default=[],
                   help="extra module that registers a results section (repeatable)")
    p.add_argument("--log-level", default="INFO")
    args = p.parse_args(argv)

    def body() -> None:
        out = write_results(args.exp_dir, args.out, {"decimals": args.decimals}, args.section_module)
        log.info("wrote %s", out)

    return run("make_results", body, args.log_level)


if __name__ == "__main__":
    sys.exit(main())
