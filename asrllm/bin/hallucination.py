"""Stage 14: hallucination measures of a decode dir -> hallucination.json (and a RESULTS.md section).

    python -m asrllm.bin.hallucination --decode-dir exp/asr_llm_entropy/decode_joint \
        --test-sets "test_clean test_other" --nonspeech-sets nonspeech \
        --out exp/asr_llm_entropy/decode_joint/hallucination.json

Test sets need stage 11 (<decode-dir>/<set>/{text,finish_reason}) and stage 12 (<set>/score/); non-speech
sets only stage 11. Measures and their settings: asrllm/hallucination/README.md.
"""

import argparse
import sys

from asrllm.cli import run
from asrllm.hallucination import measures as m
from asrllm.hallucination.evaluate import HALLUCINATION_JSON, evaluate
from asrllm.scoring.environment import environment, module_command


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m asrllm.bin.hallucination", description=__doc__.splitlines()[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--decode-dir", required=True, help="folder with one decoded folder per set")
    p.add_argument("--test-sets", default="", help="space-separated decoded and scored test sets")
    p.add_argument("--nonspeech-sets", default="", help="space-separated decoded non-speech sets")
    p.add_argument("--out", default=None, help=f"output file (default: <decode-dir>/{HALLUCINATION_JSON})")
    p.add_argument("--length-factor", type=float, default=m.NIM4_LENGTH_FACTOR,
                   help="NIM4: hypothesis longer than this x the reference")
    p.add_argument("--overlap-threshold", type=float, default=m.NIM4_OVERLAP_THRESHOLD,
                   help="NIM4: aligned precision below this is negligible overlap")
    p.add_argument("--min-repeats", type=int, default=m.LOOP_MIN_REPEATS,
                   help="looping: an n-gram repeated at least this many times in a row")
    p.add_argument("--log-level", default="INFO")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    def body() -> None:
        tests, nonspeech = args.test_sets.split(), args.nonspeech_sets.split()
        if not tests and not nonspeech:
            raise SystemExit("give --test-sets and/or --nonspeech-sets")
        out = args.out or f"{args.decode_dir.rstrip('/')}/{HALLUCINATION_JSON}"
        extra = {"command": module_command("asrllm.bin.hallucination", sys.argv[1:] if argv is None else argv),
                 "environment": environment()}
        evaluate(args.decode_dir, tests, nonspeech, out, args.length_factor, args.overlap_threshold,
                 args.min_repeats, extra)

    return run("hallucination", body, args.log_level)


if __name__ == "__main__":
    sys.exit(main())
