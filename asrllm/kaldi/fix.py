"""fix_data_dir.sh: sort every table, drop duplicate lines and the utterances some table lacks.

The originals are kept (hard links) in <dir>/.backup/, with `dropped_ids` listing each dropped
utterance, recording or line and why. Unsorted tables are sorted with `LC_ALL=C sort` (which
spills to disk), and the tables are then intersected by a streaming merge.
"""

import argparse
import heapq
import itertools
import logging
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import IO, Iterator

from asrllm.kaldi.cli import run_tool
from asrllm.kaldi.datadir import EMPTY_VALUE_TABLES, DataDir, count_lines
from asrllm.kaldi.partition import copy_meta_files, write_parts
from asrllm.kaldi.sorted_join import join_sorted
from asrllm.kaldi.staging import staged_dir
from asrllm.kaldi.table import DataError, parse_line, read_table, strip_bom, table_line

PROG = "fix_data_dir.sh"


class DropLog:
    """Writes `<id> <why>` lines and counts the drops by kind."""

    def __init__(self, f: IO[str]):
        self.f = f
        self.counts: Counter[str] = Counter()

    def add(self, kinds: list[str], key: str | None = None, why: str = "") -> None:
        if key is not None:
            self.f.write(f"{key} {why}\n")
        self.counts.update(kinds)


def sort_file(src: Path, dst: Path) -> None:
    """Stable sort of table lines by key (the text before the first space), C-locale byte order."""
    env = {**os.environ, "LC_ALL": "C"}
    cmd = ["sort", "-s", "-t", " ", "-k1,1", "-T", str(dst.parent), "-o", str(dst), str(src)]
    proc = subprocess.run(cmd, env=env, stderr=subprocess.PIPE, text=True)
    if proc.returncode:
        raise DataError(f"{src}: sort failed: {proc.stderr.strip()}")


def clean_table(src: Path, dst: Path, drops: DropLog) -> None:
    """Copy table `src` to `dst` sorted, without empty lines, value-less lines or duplicate keys."""
    name = src.name
    allow_empty = name in EMPTY_VALUE_TABLES
    in_order, prev = True, None
    staged = dst.with_name(dst.name + ".unsorted")
    with open(src, "rb") as f, open(staged, "w", encoding="utf-8") as out:
        for lineno, raw in enumerate(f, 1):
            raw = strip_bom(raw, lineno, src)
            if not raw.strip():
                drops.add([f"empty lines in {name}"])
                continue
            try:
                key, value = parse_line(raw, allow_empty_value=True)
            except ValueError as e:
                raise DataError(f"{src}:{lineno}: {e}; fix_data_dir.sh cannot repair that line") from None
            if not value and not allow_empty:
                drops.add([f"lines without a value in {name}"], key, f"line {lineno} of {name} has no value")
                continue
            in_order = in_order and (prev is None or key > prev)
            prev = key
            out.write(table_line(key, value))
    if in_order:
        os.replace(staged, dst)
        return
    sorted_path = dst.with_name(dst.name + ".sorted")
    sort_file(staged, sorted_path)
    prev = None
    with open(dst, "w", encoding="utf-8") as out:
        for key, value, _ in read_table(sorted_path, allow_empty_value=True, check_sorted=True, check_unique=False):
            if key == prev:
                drops.add([f"duplicate lines in {name}"], key, f"duplicate line in {name} (kept the first)")
                continue
            prev = key
            out.write(table_line(key, value))
    staged.unlink()
    sorted_path.unlink()


def keep_utterances(c: DataDir, kept_path: Path, drops: DropLog) -> tuple[int, int]:
    """Write the utterances every table has (with a known speaker and recording) to `kept_path`.

    Returns (kept, seen). Speaker and recording ids are held in memory; utterances stream.
    """
    spk_ids = {name: set(c.keys(name)) for name in c.spk_tables()}
    reco_ids = {name: set(c.keys(name)) for name in c.reco_tables()}
    tables = c.utt_tables()

    def tagged(idx: int, name: str) -> Iterator[tuple[str, int, tuple[str, str] | None]]:
        """(utt, table index, (kind, detail) of a problem or None) for each line of table `name`."""
        for key, value in c.items(name):
            problem = None
            if name == "utt2spk":
                lacking = " ".join(t for t, ids in spk_ids.items() if value not in ids)
                problem = (f"speaker not in {lacking}", f"speaker '{value}' not in {lacking}") if lacking else None
            elif name == "segments":
                reco = value.split(maxsplit=1)[0]
                lacking = " ".join(t for t, ids in reco_ids.items() if reco not in ids)
                problem = (f"recording not in {lacking}", f"recording '{reco}' not in {lacking}") if lacking else None
            yield key, idx, problem

    kept = seen = 0
    with open(kept_path, "w", encoding="utf-8") as out:
        merged = heapq.merge(*(tagged(i, n) for i, n in enumerate(tables)))
        for key, group in itertools.groupby(merged, key=lambda entry: entry[0]):
            entries = list(group)
            seen += 1
            present = {idx for _, idx, _ in entries}
            problems = [p for _, _, p in entries if p]
            if len(present) == len(tables) and not problems:
                out.write(key + "\n")
                kept += 1
                continue
            missing = [t for i, t in enumerate(tables) if i not in present]
            why = ([f"missing from {' '.join(missing)}"] if missing else []) + [detail for _, detail in problems]
            drops.add([f"missing from {t}" for t in missing] + [kind for kind, _ in problems], key, "; ".join(why))
    return kept, seen


def read_ids(path: Path) -> Iterator[str]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            yield line.rstrip("\n")


def fix_data_dir(path: str | os.PathLike, extra_utt_tables: tuple[str, ...] = ()) -> str:
    """Repair the data dir at `path` in place; return a one-line account of what changed."""
    d = DataDir(path, extra_utt_tables)
    d.require("utt2spk")
    before = {name: count_lines(d.file(name)) for name in d.tables()}
    work = d.root.parent / f".{d.root.name}.fix.{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    backup = d.root / ".backup"
    try:
        clean = work / "clean"
        clean.mkdir(parents=True)
        with open(work / "dropped_ids", "w", encoding="utf-8") as log:
            drops = DropLog(log)
            for name in d.tables():
                if name != "spk2utt":
                    clean_table(d.file(name), clean / name, drops)
            copy_meta_files(d, clean)
            c = DataDir(clean, extra_utt_tables)
            kept, seen = keep_utterances(c, work / "kept", drops)
            if kept == 0:
                raise DataError(f"{d.root}: no utterance is in every table, so nothing would be left; "
                                f"nothing was changed")
            with staged_dir(d.root, d.known_names(), backup=backup) as out:
                write_parts(c, [out], lambda: ((utt, 0) for utt in read_ids(work / "kept")))
                if c.has_segments:
                    for reco, _, used in join_sorted(((r, True) for r in c.keys("wav.scp")),
                                                     ((r, True) for r in DataDir(out).keys("wav.scp"))):
                        if used is None:
                            drops.add(["recordings no kept segment uses"], reco, "recording used by no kept segment")
                after = {name: count_lines(out / name) for name in DataDir(out).tables()}
        os.replace(work / "dropped_ids", backup / "dropped_ids")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    changed = [f"{n} {before.get(n, 0)}->{after.get(n, 0)}" for n in sorted(set(before) | set(after))
               if before.get(n) != after.get(n)]
    dropped = ", ".join(f"{n} {kind}" for kind, n in sorted(drops.counts.items()))
    return (f"{d.root}: kept {kept} of {seen} utterances"
            + (f"; dropped: {dropped}" if dropped else "")
            + (f"; lines per file: {', '.join(changed)}" if changed else "; no file lost lines")
            + f"; originals and dropped_ids in {backup}")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Make a data dir consistent in place: sort every table (C locale), drop empty and duplicate "
                    "lines, keep only utterances present in every table (with their speaker and recording), "
                    "drop recordings no segment uses, rebuild spk2utt. Originals go to <data-dir>/.backup/.")
    p.add_argument("--utt-extra-files", "--utt_extra_files", default="",
                   help="more utterance-keyed files to treat like text (space-separated names; default: none)")
    p.add_argument("data_dir")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    def body() -> None:
        logging.info("%s: %s", PROG, fix_data_dir(args.data_dir, tuple(args.utt_extra_files.split())))

    return run_tool(PROG, body)


if __name__ == "__main__":
    sys.exit(main())
