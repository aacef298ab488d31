"""Stage 6: check the configured LLM and report the target token lengths of the training text.

    python -m asrllm.bin.check_llm --llm /path/to/Qwen3-1.7B --text dump/filtered/train/text \
        --prompt-config conf/prompt.yaml --out exp/llm_check.json

Loads the tokenizer and config from a local folder, or from a hub id in the local Hugging Face
cache (downloads only with --allow-download); fails with a message naming the path and how to
supply the model when it is missing. Writes a JSON report (see asrllm/llm/check.py).
"""

import argparse
import json
import logging
import os

from asrllm.cli import run
from asrllm.utils.atomic import atomic_write

log = logging.getLogger("asrllm.bin.check_llm")


def get_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m asrllm.bin.check_llm", description=__doc__.split("\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--llm", required=True, help="local model folder, or a hub id (e.g. Qwen/Qwen3-1.7B)")
    p.add_argument("--allow-download", action="store_true", help="allow downloading a hub id")
    p.add_argument("--text", action="append", required=True,
                   help="Kaldi text file(s) of the training set (repeat for several)")
    p.add_argument("--prompt-config", default=None,
                   help="prompt config (conf/prompt.yaml); None: the default prompt (same values)")
    p.add_argument("--out", default=None, help="JSON report to write")
    p.add_argument("--max-utts", type=int, default=200000,
                   help="tokenize a uniform sample of this many utterances (0: all)")
    p.add_argument("--seed", type=int, default=0, help="sampling seed")
    p.add_argument("--log-level", default="INFO")
    return p


def check(args) -> int:
    from asrllm.llm.check import check_llm
    from asrllm.llm.loading import LLMNotFoundError
    from asrllm.llm.prompt import PromptTemplate

    try:
        template = PromptTemplate.from_config(args.prompt_config)
        report = check_llm(args.llm, args.text, template, args.allow_download, args.max_utts, args.seed)
    except LLMNotFoundError as e:  # status 2: the model is not there (the message says how to supply it)
        log.error("%s", e)
        return 2
    t = report["target_tokens"]
    log.info("%s: %s, %d tokens; prompt %d tokens + speech", args.llm, report["config"]["model_type"],
             report["tokenizer"]["size"], report["prompt"]["tokens"])
    log.info("target tokens over %d utterances%s: mean %.1f, p50 %.0f, p95 %.0f, max %d (%s)", t["utterances"],
             " (sampled)" if t["sampled"] else "", t["mean"], t["p50"], t["p95"], t["max"], t["longest_utt"])
    for w in report["warnings"]:
        log.warning("%s", w)
    text = json.dumps(report, ensure_ascii=False, indent=2)
    if args.out:
        with atomic_write(args.out) as f:
            f.write(text + "\n")
        log.info("wrote %s", args.out)
    else:
        print(text)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = get_parser().parse_args(argv)
    if not args.allow_download:
        os.environ["HF_HUB_OFFLINE"] = "1"  # before transformers / huggingface_hub are imported
    return run("check_llm", lambda: check(args), args.log_level)

if __name__ == "__main__":
    raise SystemExit(main())
