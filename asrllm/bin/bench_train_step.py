"""Time training steps of one stage at a given model size on random input (no data, no LLM weights).

  python -m asrllm.bin.bench_train_step --model-config conf/model/paper.yaml \
      --scale-config conf/scale/paper.yaml --llm-config conf/llm/qwen3-1.7b-config --stage joint \
      --utt-seconds 10 --batch-size 8 --tokens-per-utt 40 --steps 10 --warmup 3 [--amp bf16] \
      [--device cuda] [--out result.json]

The model is built as asrllm.bin.train builds it from the stage config (conf/train/<stage>.yaml, or
--train-config) with --model-config and --scale-config, with a random-weight LLM from --llm-config's
config.json (its tokenizer too when the folder has one, else a tiny byte-level BPE for the prompt text). Each step
is the trainer's own update on one batch of --batch-size utterances of random 80-bin fbank,
--utt-seconds long, with transcripts of --tokens-per-utt random tokens (plus the end token) and as many
random CTC labels. Reports step time, audio seconds per second, LLM tokens per second, parameter counts
and peak GPU memory, as a table and as JSON (--out). One process, one device: no DDP/FSDP.
Exit status: 0 ok, 1 bad input, 2 out of memory (the JSON then says where). Library: asrllm.bench.train_step.
"""

import argparse
import json
import logging
import sys
from pathlib import Path

from asrllm.bench.train_step import STAGE_CONFIGS, BenchSpec, run
from asrllm.bench.train_step_report import table
from asrllm.cli import run as run_entry


def parse_args(argv) -> tuple[BenchSpec, str | None]:
    d = BenchSpec("", "")
    p = argparse.ArgumentParser(prog="bench_train_step", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model-config", required=True, help="model size config (conf/model/*.yaml)")
    p.add_argument("--llm-config", default=None, help="folder with the LLM's config.json (and, optionally, "
                                                      "its tokenizer); needed by every stage but pretrain")
    p.add_argument("--stage", required=True, help=" | ".join(STAGE_CONFIGS))
    p.add_argument("--train-config", default=None, help="stage config (default: conf/train/<stage's>.yaml)")
    p.add_argument("--scale-config", default=None, help="training settings of a scale (conf/scale/*.yaml: "
                                                        "train.amp, ...), as the recipe merges them")
    p.add_argument("--data-config", default=d.data_config, help="data config (its specaug section drives "
                                                                "CR-CTC's two views in pretrain)")
    p.add_argument("--utt-seconds", type=float, default=d.utt_seconds)
    p.add_argument("--batch-size", type=int, default=d.batch_size)
    p.add_argument("--tokens-per-utt", type=int, default=d.tokens_per_utt,
                   help="transcript tokens (LLM) and CTC labels per utterance")
    p.add_argument("--ctc-vocab", type=int, default=d.ctc_vocab, help="units of a CTC head whose config names "
                                                                      "no units.txt")
    p.add_argument("--steps", type=int, default=d.steps, help="timed steps")
    p.add_argument("--warmup", type=int, default=d.warmup, help="untimed steps first")
    p.add_argument("--amp", default=None, help="bf16 | fp16 | none (default: the config's train.amp; "
                                                "autocast only on CUDA, as in training)")
    p.add_argument("--llm-dtype", default=None, help="the LLM weights' dtype: float32 | bfloat16 (default: "
                                                    "the model config's model.llm.dtype, as training loads it)")
    p.add_argument("--device", default=d.device, help="auto | cpu | cuda")
    p.add_argument("--seed", type=int, default=d.seed)
    p.add_argument("--out", default=None, help="write the result as JSON here")
    args = vars(p.parse_args(argv))
    out = args.pop("out")
    return BenchSpec(**args), out


def bench(spec: BenchSpec, out: str | None) -> int:
    result = run(spec, logging.getLogger("asrllm.bench_train_step"))
    print(table(result), flush=True)
    if out:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0 if result["status"] == "ok" else 2


def main(argv=None) -> int:
    spec, out = parse_args(sys.argv[1:] if argv is None else argv)
    return run_entry("bench_train_step", lambda: bench(spec, out))


if __name__ == "__main__":
    sys.exit(main())
