"""Check or write a stage's .done marker (used by egs/TEMPLATE/asr_llm/asr_llm.sh).

  check: exit 0 and print 'run' or 'skip'; exit 3 and list the changes when the stage ran
         before with other settings or inputs.
  done:  write the marker (call only after the stage's outputs are complete).
"""

import argparse
import sys
from pathlib import Path

from asrllm.config import ConfigError
from asrllm.recipe import stage_marker


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("action", choices=["check", "done"])
    p.add_argument("--marker", required=True, type=Path, help="marker file")
    p.add_argument("--stage", default="", help="stage label recorded in the marker")
    p.add_argument("--setting", action="append", default=[], help="name=value the stage depends on")
    p.add_argument("--config", action="append", default=[], help="YAML config the stage reads")
    p.add_argument("--input", action="append", default=[], help="input file the stage reads")
    args = p.parse_args(argv)
    try:
        state = stage_marker.StageState.collect(args.setting, args.config, args.input)
    except (ConfigError, ValueError) as e:
        print(f"stage_marker: {e}", file=sys.stderr)
        return 2
    if args.action == "done":
        stage_marker.write(args.marker, state, args.stage)
        return 0
    diffs = stage_marker.check(args.marker, state)
    if diffs is None:
        print("skip")
        return 0
    if not diffs:
        print("run")
        return 0
    for d in diffs:
        print(d)
    return 3


if __name__ == "__main__":
    sys.exit(main())
