"""Print a paradigm's stage configs for stages 7-10 ("-": skipped), or the paradigms' names.

    python -m asrllm.bin.paradigm_plan conventional    ->  pretrain_aed align - joint
    python -m asrllm.bin.paradigm_plan --list          ->  entropy conventional ...
The plan is asrllm/recipe/paradigms.py's.
"""

import argparse
import sys

from asrllm.cli import run
from asrllm.recipe.paradigms import PLANS, plan


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m asrllm.bin.paradigm_plan", description=__doc__.splitlines()[0])
    p.add_argument("paradigm", nargs="?")
    p.add_argument("--list", action="store_true", help="print the paradigms' names")
    args = p.parse_args(argv)
    if args.list:
        return run("paradigm_plan", lambda: print(" ".join(PLANS)))
    return run("paradigm_plan", lambda: print(" ".join(c or "-" for c in plan(args.paradigm or ""))))


if __name__ == "__main__":
    sys.exit(main())
