"""Stage 12: score a hypothesis `text` against a reference `text` (WER/CER/MER, sclite counts).

    python -m asrllm.bin.score --ref REF --hyp HYP --unit {char,word,mixed} \
        --normalizer {none,en,zh,zh_t2s,gigaspeech,wenetspeech,aishell} --out DIR

Writes DIR/result.json, DIR/result.txt, DIR/ref.trn, DIR/hyp.trn, DIR/per_utt.jsonl
(see asrllm/scoring/README.md). `--corpus NAME` fills in the corpus default unit/normalizer.
"""

import argparse
import logging
import os
import sys

from asrllm.cli import run
from asrllm.scoring.defaults import CORPUS_DEFAULTS
from asrllm.scoring.environment import command_string, environment, module_command
from asrllm.scoring.report import RESULT_JSON, score_to_dir
from asrllm.text import NORMALIZERS, UNITS

log = logging.getLogger("asrllm.bin.score")


def get_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m asrllm.bin.score",
        description="Score Kaldi `text` hypotheses against references with sclite's alignment rules.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--ref", required=True, help="reference Kaldi text file (uttid transcript)")
    p.add_argument("--hyp", required=True, help="hypothesis Kaldi text file (uttid transcript)")
    p.add_argument("--out", required=True, help="output folder (result.json, result.txt, ref.trn, hyp.trn)")
    p.add_argument("--unit", choices=UNITS, default=None,
                   help="scoring unit; required unless --corpus gives it")
    p.add_argument("--normalizer", choices=list(NORMALIZERS), default=None,
                   help="text normaliser applied to REF and HYP; required unless --corpus gives it")
    p.add_argument("--corpus", choices=list(CORPUS_DEFAULTS), default=None,
                   help="take --unit/--normalizer defaults for this corpus "
                        + "; ".join(f"{k}: {u}/{n}" for k, (u, n) in CORPUS_DEFAULTS.items()))
    p.add_argument("--log-level", default="INFO")
    return p


def score(args, argv: list[str] | None) -> int:
    unit, normalizer = args.unit, args.normalizer
    if args.corpus:
        unit = unit or CORPUS_DEFAULTS[args.corpus][0]
        normalizer = normalizer or CORPUS_DEFAULTS[args.corpus][1]
    if unit is None or normalizer is None:
        get_parser().error("give --unit and --normalizer (or --corpus for its defaults)")
    command = module_command("asrllm.bin.score", sys.argv[1:] if argv is None else argv)
    extra = {"command": command, "cwd": os.getcwd(), "environment": environment()}
    data = score_to_dir(args.ref, args.hyp, unit, normalizer, args.out, extra)
    rate = data["error_rate"]
    log.info("%s %s%% [%d errors / %d %s tokens] S.Err %.2f%% over %d utts (unit=%s, normalizer=%s) -> %s",
             data["metric"], "n/a" if rate is None else f"{rate:.2f}", data["num_errors"], data["num_ref_tokens"],
             unit, data["sentence_error_rate"], data["num_utts"], unit, normalizer,
             os.path.join(args.out, RESULT_JSON))
    log.debug("command: %s", command_string(command))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = get_parser().parse_args(argv)
    return run("score", lambda: score(args, argv), args.log_level)


if __name__ == "__main__":
    sys.exit(main())
