"""Compare trained paradigms: accuracy, encoder CTC, NSE/PAI/CSAI/CKA, hallucination, budget.

    python -m asrllm.bin.compare_paradigms --exps entropy=exp/asr_llm_entropy conventional=... \
        --out exp/paradigm_comparison.md [--json exp/paradigm_comparison.json]

Every number is read from what stages 11-14 wrote (asrllm/recipe/compare.py says where from).
"""

import argparse
import json
import logging
import sys
from pathlib import Path

from asrllm.recipe.compare import attach_analysis, collect, newest_analysis, render
from asrllm.utils.atomic import atomic_write
from asrllm.utils.log import setup_logging

log = logging.getLogger("asrllm.bin.compare_paradigms")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m asrllm.bin.compare_paradigms", description=__doc__.split("\n")[0])
    p.add_argument("--exps", nargs="+", required=True, metavar="NAME=DIR", help="paradigm experiment folders")
    p.add_argument("--out", required=True, type=Path, help="markdown report")
    p.add_argument("--json", type=Path, default=None, help="also write the collected numbers as JSON")
    p.add_argument("--log-level", default="INFO")
    args = p.parse_args(argv)
    setup_logging(args.log_level)
    exps = []
    for item in args.exps:
        name, sep, path = item.partition("=")
        if not sep or not name or not path:
            log.error("--exps: expected NAME=DIR, got %r", item)
            return 1
        if not Path(path).is_dir():
            log.error("--exps %s: no experiment folder %s", name, path)
            return 1
        exps.append((name, Path(path)))
    rows = [collect(name, exp) for name, exp in exps]
    for row in rows:
        if not row["scores"]:
            log.warning("%s: no scored decoding under %s (stages 11-12 not run?)", row["paradigm"], row["exp"])
    analysis_path, analysis = newest_analysis([exp for _, exp in exps])
    attach_analysis(rows, analysis)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(args.out) as f:
        f.write(render(rows, analysis_path))
    if args.json:
        with atomic_write(args.json) as f:
            json.dump({"paradigms": rows, "analysis": str(analysis_path) if analysis_path else None}, f, indent=1)
    log.info("wrote %s", args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
