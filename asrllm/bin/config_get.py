"""Print one value of a resolved YAML config: `python -m asrllm.bin.config_get FILE a.b.c [default]`."""

import sys

from asrllm.config import ConfigError, load_config


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) not in (2, 3):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        node = load_config(argv[0])
    except ConfigError as e:
        print(e, file=sys.stderr)
        return 1
    for key in argv[1].split("."):
        if not isinstance(node, dict) or key not in node:
            if len(argv) == 3:
                print(argv[2])
                return 0
            print(f"{argv[0]}: no key '{argv[1]}'", file=sys.stderr)
            return 1
        node = node[key]
    print(str(node).lower() if isinstance(node, bool) else node)
    return 0


if __name__ == "__main__":
    sys.exit(main())
