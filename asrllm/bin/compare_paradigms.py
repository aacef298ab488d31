"""Compare trained paradigms over seeds: accuracy, encoder CTC, NSE/PAI/CSAI/CKA, hallucination, budget.

    python -m asrllm.bin.compare_paradigms --runs 0=exp 1=exp/seed1 2=exp/seed2 \
        --paradigms entropy conventional projector_only single_stage \
        --out exp/paradigm_comparison.md [--json exp/paradigm_comparison.json]

Each run is one seed's expdir, holding <expdir>/asr_llm_<paradigm> (the driver's naming). Every
number is read from what stages 11-14 wrote (asrllm/recipe/compare.py says where from).
"""

import argparse
import json
import logging
import sys
from pathlib import Path

from asrllm.recipe.compare import collect_seed
from asrllm.recipe.compare_report import render
from asrllm.utils.atomic import atomic_write
from asrllm.utils.log import setup_logging

log = logging.getLogger("asrllm.bin.compare_paradigms")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m asrllm.bin.compare_paradigms", description=__doc__.split("\n")[0])
    p.add_argument("--runs", nargs="+", required=True, metavar="SEED=EXPDIR", help="one expdir per seed")
    p.add_argument("--paradigms", nargs="+", required=True, help="paradigms to compare (entropy first)")
    p.add_argument("--out", required=True, type=Path, help="markdown report")
    p.add_argument("--json", type=Path, default=None, help="also write the collected numbers as JSON")
    p.add_argument("--log-level", default="INFO")
    args = p.parse_args(argv)
    setup_logging(args.log_level)
    seeds, runs, analyses = [], {name: [] for name in args.paradigms}, []
    for item in args.runs:
        seed, sep, expdir = item.partition("=")
        if not sep or not seed or not expdir:
            log.error("--runs: expected SEED=EXPDIR, got %r", item)
            return 1
        exps = [(name, Path(expdir) / f"asr_llm_{name}") for name in args.paradigms]
        missing = [str(e) for _, e in exps if not e.is_dir()]
        if missing:
            log.error("--runs %s: no experiment folder %s", seed, ", ".join(missing))
            return 1
        rows, analysis = collect_seed(exps)
        for row in rows:
            row["seed"] = seed
            runs[row["paradigm"]].append(row)
            if not row["scores"]:
                log.warning("%s: no scored decoding under %s (stages 11-12 not run?)", row["paradigm"], row["exp"])
        seeds.append(seed)
        analyses.append(analysis)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(args.out) as f:
        f.write(render(runs, seeds, analyses))
    if args.json:
        with atomic_write(args.json) as f:
            json.dump({"seeds": seeds, "paradigms": runs, "analyses": [str(a) if a else None for a in analyses]},
                      f, indent=1)
    log.info("wrote %s", args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
