"""Train the tiny text LM (own byte-level BPE tokenizer + Qwen3-architecture causal LM) on text only.

Sentences are trained as the assistant turn of the ASR prompt (--prompt-config) with an empty
speech slot. The output is a Hugging Face folder (AutoTokenizer / AutoModelForCausalLM load it
offline) with metrics.json (train/dev loss, dev perplexity per target token). Skips the work if
--out-dir was built from the same config, prompt and texts, and copies --pretrained instead of
training when that folder was.
"""

import argparse
from pathlib import Path

from asrllm.synth.text_lm_build import build_text_lm
from asrllm.utils.log import setup_logging


def get_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--text", type=Path, nargs="+", required=True,
                   help="training sentences, one per line (plain text, no utterance ids)")
    p.add_argument("--out-dir", type=Path, required=True, help="the Hugging Face folder to write")
    p.add_argument("--config", type=Path, required=True, help="e.g. conf/text_lm.yaml")
    p.add_argument("--dev-text", type=Path, nargs="*", default=[],
                   help="held-out sentences for the dev loss and perplexity")
    p.add_argument("--exclude", type=Path, nargs="*", default=[],
                   help="sentences removed from the training text (dev and test transcripts)")
    p.add_argument("--prompt-config", type=Path, default=None,
                   help="conf/prompt.yaml of the recipe (default: the method's prompt)")
    p.add_argument("--lang-config", type=Path, default=None,
                   help="conf/lang.yaml: phone options of the reading task (config 'reading:')")
    p.add_argument("--pretrained", type=Path, default=None,
                   help="a folder built earlier (e.g. pretrained/text_lm): copied when built from the same inputs")
    p.add_argument("--require-pretrained", action="store_true",
                   help="fail instead of training when --pretrained was built from other inputs")
    p.add_argument("--log-level", default="INFO")
    return p


def main(argv: list[str] | None = None) -> None:
    args = get_parser().parse_args(argv)
    setup_logging(args.log_level)
    build_text_lm(args.text, args.out_dir, args.config, dev=args.dev_text, exclude=args.exclude,
                  prompt_config=args.prompt_config, lang_config=args.lang_config, pretrained=args.pretrained,
                  require_pretrained=args.require_pretrained)


if __name__ == "__main__":
    main()
