"""Print the label sets' names for the driver, one line per unit: `unit lang_dir label_table`.

    python -m asrllm.bin.label_sets --units "phone char bpe" --bpe-size 500
    phone lang_phone text.phone
    char lang_char text.char
    bpe lang_bpe_500 text.bpe_500
The rule is asrllm/lang/naming.py's.
"""

import argparse
import sys

from asrllm.cli import run
from asrllm.lang.naming import label_table_name, lang_dir_name


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m asrllm.bin.label_sets", description=__doc__.splitlines()[0])
    p.add_argument("--units", required=True, help="space-separated units: phone char bpe")
    p.add_argument("--bpe-size", type=int, default=None)
    args = p.parse_args(argv)
    # every line is checked before any is printed: a bad unit leaves no partial table behind
    lines = lambda: [f"{u} {lang_dir_name(u, args.bpe_size)} {label_table_name(u, args.bpe_size)}"  # noqa: E731
                     for u in args.units.split()]
    return run("label_sets", lambda: print("\n".join(lines())))


if __name__ == "__main__":
    sys.exit(main())
