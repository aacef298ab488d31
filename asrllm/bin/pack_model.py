"""Stage 15: pack a trained model into a self-contained folder for asrllm.bin.transcribe / Speech2Text.

    python -m asrllm.bin.pack_model --model-dir exp/asr_llm_entropy/joint/final \
        --data-config conf/data.yaml --cmvn dump/global_cmvn.json --decode-config conf/decode.yaml \
        --results exp/asr_llm_entropy/RESULTS.md --out-dir exp/asr_llm_entropy/packed [--merge-lora]
"""

import argparse
import logging
import sys

from asrllm.cli import run
from asrllm.data.config import load_data_config
from asrllm.decode.config import load_decode_config
from asrllm.inference.pack import pack_model
from asrllm.scoring.environment import module_command


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m asrllm.bin.pack_model", description=__doc__.splitlines()[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--model-dir", required=True, help="the saved model to pack (<exp>/<stage>/final)")
    p.add_argument("--out-dir", required=True, help="the packed folder to write")
    p.add_argument("--data-config", default=None, help="data config whose sample_rate and fbank the model used")
    p.add_argument("--cmvn", required=True, help="global CMVN json the model was trained with")
    p.add_argument("--decode-config", default=None, help="decode config to ship as decode.yaml")
    p.add_argument("--results", default=None, help="RESULTS.md whose numbers go into the README")
    p.add_argument("--merge-lora", action="store_true", help="merge LoRA weights into the LLM")
    p.add_argument("--log-level", default="INFO")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    def body() -> None:
        sources = {"data_config": args.data_config, "decode_config": args.decode_config,
                   "command": module_command("asrllm.bin.pack_model", sys.argv[1:] if argv is None else argv)}
        out = pack_model(args.model_dir, args.out_dir, load_data_config(args.data_config), args.cmvn,
                         load_decode_config(args.decode_config), args.results, args.merge_lora, sources)
        logging.info("packed %s -> %s", args.model_dir, out)

    return run("pack_model", body, args.log_level)


if __name__ == "__main__":
    sys.exit(main())
