"""Stage 11, one shard (run by asrllm.bin.decode through the launcher, JOB=1:N)."""

import argparse
import os
import sys

import torch

from asrllm.cli import run
from asrllm.data.config import load_data_config
from asrllm.decode.config import load_decode_config
from asrllm.decode.recognizer import Recognizer
from asrllm.decode.shard import decode_shard
from asrllm.decode.streaming import StreamingDecoder


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m asrllm.bin.decode_shard", description=__doc__.splitlines()[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--model-dir", required=True)
    p.add_argument("--data-dir", action="append", required=True, help="repeatable, paired with --work-dir")
    p.add_argument("--data-config", default=None)
    p.add_argument("--cmvn", default=None)
    p.add_argument("--decode-config", default=None)
    p.add_argument("--job", type=int, required=True, help="this shard, 1..nj")
    p.add_argument("--nj", type=int, required=True)
    p.add_argument("--work-dir", action="append", required=True,
                   help="where this shard's tables and stats.json go (one per --data-dir)")
    p.add_argument("--num-threads", type=int, default=None, help="torch CPU threads")
    p.add_argument("--num-workers", type=int, default=None, help="data-loader workers (default: data config)")
    p.add_argument("--streaming", action="store_true", help="chunk by chunk (asrllm.decode.streaming)")
    p.add_argument("--log-level", default="INFO")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    def body() -> None:
        if not 1 <= args.job <= args.nj:
            raise SystemExit(f"--job {args.job} is outside 1..{args.nj}")
        if len(args.data_dir) != len(args.work_dir):
            raise SystemExit(f"{len(args.data_dir)} --data-dir but {len(args.work_dir)} --work-dir")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        if args.num_threads:
            torch.set_num_threads(args.num_threads)
        data_cfg = load_data_config(args.data_config)
        workers = data_cfg.batching.num_workers if args.num_workers is None else args.num_workers
        recognizer = Recognizer.from_pretrained(args.model_dir, load_decode_config(args.decode_config))
        if args.streaming:
            recognizer = StreamingDecoder(recognizer, data_cfg.fbank.frame_shift_ms)
        for data_dir, work_dir in zip(args.data_dir, args.work_dir):
            decode_shard(recognizer, data_dir, data_cfg, args.cmvn, args.job, args.nj, work_dir, workers)

    return run("decode_shard", body, args.log_level)


if __name__ == "__main__":
    sys.exit(main())
