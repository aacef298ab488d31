"""split_data.sh: split a data dir into N valid data dirs for parallel jobs (Kaldi's split<N>/k).

By speaker (default) each speaker goes whole to one part: speakers, largest first, go to the part
with the fewest utterances so far. With --per-utt the sorted utterances are cut into N contiguous,
equal blocks (split<N>utt). Only the speaker -> part map is held in memory.
"""

import argparse
import heapq
import logging
import sys
from collections import Counter
from pathlib import Path

from asrllm.kaldi.cli import run_tool
from asrllm.kaldi.datadir import META_FILES, DataDir
from asrllm.kaldi.partition import Assignment, write_parts
from asrllm.kaldi.staging import staged_dir
from asrllm.kaldi.table import DataError

PROG = "split_data.sh"


def split_dir(d: DataDir, n: int, per_utt: bool) -> Path:
    return d.root / f"split{n}{'utt' if per_utt else ''}"


def is_up_to_date(d: DataDir, out: Path, n: int) -> bool:
    """A complete split that is newer than every file of the source (Kaldi's `-nt` test)."""
    if not all((out / str(k) / "utt2spk").is_file() for k in range(1, n + 1)):
        return False
    newest = max(d.file(name).stat().st_mtime_ns for name in d.tables() + [m for m in META_FILES if d.has(m)])
    return out.stat().st_mtime_ns > newest


def by_speaker(d: DataDir, n: int) -> Assignment:
    counts = Counter(spk for _, spk in d.items("utt2spk"))
    if len(counts) < n:
        raise DataError(f"{d.file('utt2spk')}: {len(counts)} speakers cannot fill {n} parts; "
                        f"split into fewer parts or use --per-utt")
    loads = [(0, k) for k in range(n)]
    part_of: dict[str, int] = {}
    for spk in sorted(counts, key=lambda s: (-counts[s], s)):
        load, k = heapq.heappop(loads)
        part_of[spk] = k
        heapq.heappush(loads, (load + counts[spk], k))
    return lambda: ((utt, part_of[spk]) for utt, spk in d.items("utt2spk"))


def per_utterance(d: DataDir, n: int) -> Assignment:
    m = d.num_utts()
    if m < n:
        raise DataError(f"{d.file('utt2spk')}: {m} utterances cannot fill {n} parts")
    return lambda: ((utt, i * n // m) for i, utt in enumerate(d.keys("utt2spk")))


def split_data(data: str | Path, n: int, per_utt: bool = False) -> tuple[Path, list[int] | None]:
    """Write <data>/split<n>[utt]/{1..n}; return the split dir and utterances per part (None: up to date)."""
    if n < 1:
        raise DataError(f"number of parts must be at least 1, got {n}")
    d = DataDir(data)
    d.require("utt2spk")
    out = split_dir(d, n, per_utt)
    if is_up_to_date(d, out, n):
        return out, None
    assignment = per_utterance(d, n) if per_utt else by_speaker(d, n)
    with staged_dir(out, whole=True) as tmp:
        counts = write_parts(d, [tmp / str(k) for k in range(1, n + 1)], assignment)
    return out, counts


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Split a data dir into N data dirs <data-dir>/split<N>/{1..N}: by speaker (a speaker is "
                    "never in two parts), balanced by utterance count. Does nothing when the split exists and "
                    "is newer than every file of <data-dir>.")
    p.add_argument("--per-utt", "--per_utt", action="store_true",
                   help="split utterances into N contiguous blocks in <data-dir>/split<N>utt (default: by speaker)")
    p.add_argument("data_dir")
    p.add_argument("num_parts", type=int)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    def body() -> None:
        out, counts = split_data(args.data_dir, args.num_parts, args.per_utt)
        if counts is None:
            logging.info("%s: %s is up to date", PROG, out)
        else:
            sizes = " ".join(map(str, counts)) if len(counts) <= 16 else f"{min(counts)} to {max(counts)}"
            logging.info("%s: wrote %s: utterances per part: %s", PROG, out, sizes)

    return run_tool(PROG, body)


if __name__ == "__main__":
    sys.exit(main())
