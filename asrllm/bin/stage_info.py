"""Print what the driver needs to know of a stage config before it runs the stage, one `key value` line each.

    python -m asrllm.bin.stage_info conf/train/iasft.yaml
    labels phone          the CTC head whose label set the loss reads (no value: none, or the one the
                          model it starts from names first, which training resolves)
    swap_mode sequential  IA-SFT's swap.mode (sequential | concurrent)
The config is read and checked as training reads it (asrllm.training.stage_config.StageConfig); the
`model:` section the model size config adds may be missing.
"""

import argparse
import sys

from asrllm.cli import run
from asrllm.config import load_config
from asrllm.training.stage_config import StageConfig


def info_lines(path: str) -> list[str]:
    cfg = StageConfig.from_dict({"model": {}, **load_config(path)}, path)
    return [f"labels {cfg.ctc_head if cfg.uses_labels and cfg.ctc_head else ''}".rstrip(),
            f"swap_mode {cfg.swap.mode}"]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m asrllm.bin.stage_info", description=__doc__.splitlines()[0])
    p.add_argument("config", help="stage config (YAML)")
    args = p.parse_args(argv)
    return run("stage_info", lambda: print("\n".join(info_lines(args.config))))


if __name__ == "__main__":
    sys.exit(main())
