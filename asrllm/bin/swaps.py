"""Ask pre-training's hot-swap record (swaps.json, asrllm/training/swaps.py) from the shell.

    python -m asrllm.bin.swaps ready exp/asr_llm_entropy/pretrain/swaps.json
exits 0 when a snapshot alignment can start from is recorded (a CKA trigger or the final encoder),
2 when none is yet (or the file does not exist yet), 1 when the file cannot be read.
"""

import argparse
import sys
from pathlib import Path

from asrllm.training.swaps import is_ready

NOT_YET = 2


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m asrllm.bin.swaps", description=__doc__.splitlines()[0])
    p.add_argument("question", choices=["ready"])
    p.add_argument("swaps", type=Path, help="swaps.json of encoder pre-training")
    args = p.parse_args(argv)
    try:
        return 0 if is_ready(args.swaps) else NOT_YET
    except (OSError, ValueError, KeyError) as e:
        print(f"swaps: {args.swaps}: cannot read the hot-swap record: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
