"""Print who holds a stage driver's lock file: `pid N (command)` (egs/TEMPLATE/asr_llm/asr_llm.sh).

  python -m asrllm.bin.lock_holders exp/asr_llm_entropy/.lock
"""

import argparse
import sys
from pathlib import Path

from asrllm.recipe.lock_holders import describe


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("lock", type=Path, help="the lock file")
    args = p.parse_args(argv)
    print(describe(args.lock))
    return 0


if __name__ == "__main__":
    sys.exit(main())
