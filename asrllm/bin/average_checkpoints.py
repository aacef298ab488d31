"""Average the trainable weights of the last N, the best N or chosen checkpoints into one file."""

import argparse
import logging
import sys

import torch

from asrllm.cli import run
from asrllm.training.average import average_checkpoints, select_checkpoints
from asrllm.utils.atomic import atomic_write

log = logging.getLogger(__name__)


def get_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m asrllm.bin.average_checkpoints", description=__doc__,
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--dir", required=True, help="checkpoint directory (<exp>/checkpoints)")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--num", type=int, default=None, help="the last N checkpoints (with --best: the best N)")
    which.add_argument("--steps", type=int, nargs="+", default=None, help="these steps")
    p.add_argument("--best", action="store_true", help="rank by best.json instead of by step")
    p.add_argument("--out", required=True, help="output file; holds {'model': ..., 'averaged': [...]}")
    p.add_argument("--log-level", default="INFO")
    return p


def average(args) -> int:
    if args.steps and args.best:
        log.error("--steps and --best exclude each other")
        return 2
    paths = select_checkpoints(args.dir, num=args.num, steps=args.steps, best=args.best)
    model = average_checkpoints(paths)
    with atomic_write(args.out, "wb") as f:
        torch.save({"format": "asrllm-averaged-weights", "model": model,
                    "averaged": [str(p) for p in paths]}, f)
    log.info("averaged %d checkpoints (%s) into %s", len(paths), ", ".join(p.name for p in paths), args.out)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = get_parser().parse_args(argv)
    return run("average_checkpoints", lambda: average(args), args.log_level)


if __name__ == "__main__":
    sys.exit(main())
