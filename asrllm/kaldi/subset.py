"""subset_data_dir.sh: a new data dir holding some utterances (or speakers) of another.

A selection is a sorted stream of utterance ids, made from utt2spk without loading it (the
random one with Knuth's selection sampling), so subsets of huge dirs need little memory.
"""

import argparse
import itertools
import logging
import random
import sys
from pathlib import Path
from typing import Callable, Iterator

from asrllm.kaldi.cli import run_tool
from asrllm.kaldi.datadir import DataDir
from asrllm.kaldi.partition import write_parts
from asrllm.kaldi.staging import staged_dir
from asrllm.kaldi.table import DataError

PROG = "subset_data_dir.sh"
Selection = Callable[[], Iterator[str]]


def first(d: DataDir, n: int) -> Selection:
    return lambda: itertools.islice(d.keys("utt2spk"), n)


def last(d: DataDir, n: int) -> Selection:
    skip = d.num_utts() - n
    return lambda: itertools.islice(d.keys("utt2spk"), skip, None)


def evenly_spaced(d: DataDir, n: int) -> Selection:
    """n utterances spread evenly over the sorted list (Kaldi's default subset)."""
    m = d.num_utts()

    def select() -> Iterator[str]:
        k = 0
        for i, utt in enumerate(d.keys("utt2spk")):
            if k < n and i == (2 * k + 1) * m // (2 * n):
                yield utt
                k += 1
    return select


def at_random(d: DataDir, n: int, seed: int) -> Selection:
    """n utterances drawn uniformly without replacement; the same seed gives the same subset."""
    m = d.num_utts()

    def select() -> Iterator[str]:
        rng, need = random.Random(seed), n
        for i, utt in enumerate(d.keys("utt2spk")):
            if need and rng.random() * (m - i) < need:
                yield utt
                need -= 1
    return select


def read_id_list(path: str) -> set[str]:
    """First field of every non-empty line of a list file."""
    try:
        with open(path, encoding="utf-8") as f:
            return {line.split()[0] for line in f if line.strip()}
    except (OSError, UnicodeDecodeError) as e:
        raise DataError(f"{path}: cannot read id list ({e})") from None


def listed_utts(d: DataDir, path: str) -> Selection:
    ids = read_id_list(path)
    return lambda: (utt for utt in d.keys("utt2spk") if utt in ids)


def listed_speakers(d: DataDir, path: str) -> Selection:
    spks = read_id_list(path)
    return lambda: (utt for utt, spk in d.items("utt2spk") if spk in spks)


def subset_data_dir(src: str | Path, dest: str | Path, select: Selection) -> int:
    """Write the utterances `select()` names from `src` to a new data dir `dest`; return how many."""
    d = DataDir(src)
    d.require("utt2spk")
    if Path(dest).resolve() == d.root.resolve():
        raise DataError(f"{dest}: the destination must differ from the source")
    with staged_dir(dest, d.known_names()) as tmp:
        (n,) = write_parts(d, [tmp], lambda: ((utt, 0) for utt in select()))
        if n == 0:
            raise DataError(f"{d.root}: the selection matches no utterance; {dest} not written")
    return n


MODES = ("first", "last", "random")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        usage=f"{PROG} [--first N | --last N | --random N [--seed S] | --utt-list F | --spk-list F] <src> <dest>\n"
              f"       {PROG} [--first | --last | --random] <src> <N> <dest>   (Kaldi's argument order)",
        description="Copy some utterances of a data dir, with every table kept consistent (segments, "
                    "recordings, speakers, feats, durations). Without an option, <src> <N> <dest> takes N "
                    "utterances spread evenly over the sorted list, as Kaldi does.")
    for mode in MODES:
        p.add_argument(f"--{mode}", nargs="?", const="", default=None, metavar="N",
                       help=f"the {mode} N utterances" if mode != "random"
                       else "N utterances drawn at random (see --seed)")
    p.add_argument("--seed", type=int, default=0, help="random seed for --random (default: 0)")
    p.add_argument("--utt-list", "--utt_list", help="keep the utterances listed (first field of each line)")
    p.add_argument("--spk-list", "--spk_list", help="keep all utterances of the speakers listed")
    p.add_argument("args", nargs="+", metavar="<src> [<N>] <dest>")
    return p


def parse_args(argv: list[str] | None) -> tuple[str, str, Callable[[DataDir], Selection]]:
    """(src, dest, selection maker) from either argument order."""
    p = build_parser()
    a = p.parse_args(argv)
    pos = list(a.args)
    modes = [m for m in MODES if getattr(a, m) is not None] + [o for o in ("utt_list", "spk_list") if getattr(a, o)]
    if len(modes) > 1:
        p.error(f"choose one of --first, --last, --random, --utt-list, --spk-list (got {', '.join(modes)})")
    mode = modes[0] if modes else None
    if mode in MODES and not getattr(a, mode).isdigit():
        if getattr(a, mode):  # `--first <src> <N> <dest>`: the value taken for N is the source dir
            pos.insert(0, getattr(a, mode))
        setattr(a, mode, None)
    if mode in ("utt_list", "spk_list"):
        if len(pos) != 2:
            p.error("expected <src> <dest>")
        src, dest = pos
        path = getattr(a, mode)
        return src, dest, (lambda d: listed_utts(d, path)) if mode == "utt_list" else (lambda d: listed_speakers(d, path))
    if mode is not None and getattr(a, mode) is not None:
        if len(pos) != 2:
            p.error(f"expected <src> <dest> after --{mode} N")
        (src, dest), n = pos, int(getattr(a, mode))
    else:
        if len(pos) != 3 or not pos[1].isdigit():
            p.error("expected <src> <N> <dest>")
        src, n, dest = pos[0], int(pos[1]), pos[2]
    if n <= 0:
        p.error("N must be positive")

    def make(d: DataDir) -> Selection:
        m = d.num_utts()
        if n > m:
            raise DataError(f"{d.file('utt2spk')}: asked for {n} utterances but there are only {m}")
        if mode == "first":
            return first(d, n)
        if mode == "last":
            return last(d, n)
        if mode == "random":
            return at_random(d, n, a.seed)
        return evenly_spaced(d, n)
    return src, dest, make


def main(argv: list[str] | None = None) -> int:
    src, dest, make = parse_args(argv)

    def body() -> None:
        d = DataDir(src)
        d.require("utt2spk")
        n = subset_data_dir(src, dest, make(d))
        logging.info("%s: wrote %d of %d utterances of %s to %s", PROG, n, d.num_utts(), src, dest)

    return run_tool(PROG, body)


if __name__ == "__main__":
    sys.exit(main())
