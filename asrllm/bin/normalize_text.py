"""Normalise the transcripts of a Kaldi `text` stream: stdin -> stdout, uttid kept.

    python -m asrllm.bin.normalize_text --normalizer zh < data/test/text > text.norm

An utterance may be empty ("uttid" alone) and stays so; a line whose transcript normalises to
nothing is written as the bare uttid. Invalid UTF-8, blank lines and duplicate ids stop with
FILE:LINE (/dev/stdin:LINE when reading stdin).
"""

import argparse
import sys
from typing import TextIO

from asrllm.cli import run
from asrllm.kaldi.table import read_table, table_line
from asrllm.text import NORMALIZERS, get_normalizer

STDIN = "/dev/stdin"


def normalize_file(path: str, out: TextIO, normalizer: str) -> int:
    """Write every `uttid text` line of `path` to `out` with the text normalised; returns the count."""
    norm = get_normalizer(normalizer)
    n = 0
    for uttid, text, _ in read_table(path, allow_empty_value=True):
        out.write(table_line(uttid, norm(text)))
        n += 1
    return n


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m asrllm.bin.normalize_text", description=__doc__.split("\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--normalizer", required=True, choices=list(NORMALIZERS))
    p.add_argument("--in", dest="inp", default=STDIN, help="input Kaldi text file")
    args = p.parse_args(argv)
    sys.stdout.reconfigure(encoding="utf-8", newline="\n")  # whatever the locale says

    def body() -> None:
        normalize_file(args.inp, sys.stdout, args.normalizer)
        sys.stdout.flush()

    return run("normalize_text", body, "WARNING")  # stdout is the text: only problems are logged


if __name__ == "__main__":
    sys.exit(main())
