"""combine_data.sh: one data dir holding the utterances of several, merged streaming in sorted order.

An utterance id in two sources is an error. Speaker and recording ids may be shared when their
lines agree (two subsets cut from the same long recording). A table only some sources have is
left out with a warning, as Kaldi does, except: utt2uniq is filled with the identity map and,
when some sources have segments, the others get one segment per recording from utt2dur/reco2dur.
"""

import argparse
import heapq
import itertools
import logging
import shutil
import sys
from pathlib import Path
from typing import Iterator

from asrllm.kaldi.cli import run_tool
from asrllm.kaldi.datadir import META_FILES, RECO_TABLES, SPK_TABLES, UTT_TABLES, DataDir, format_seconds
from asrllm.kaldi.speakers import write_spk2utt
from asrllm.kaldi.staging import staged_dir
from asrllm.kaldi.table import DataError, table_line
from asrllm.kaldi.validate import Options, ensure_valid

PROG = "combine_data.sh"
Lines = Iterator[tuple[str, str, int]]
MAX_SHOWN = 10


def generated_segments(d: DataDir) -> Lines | None:
    """One whole-recording segment per utterance of a dir without segments, from its durations."""
    name = next((n for n in ("utt2dur", "reco2dur") if d.has(n)), None)
    return None if name is None else _whole_segments(d, name)


def _whole_segments(d: DataDir, name: str) -> Lines:
    for utt, dur, ln in d.read(name):
        try:
            yield utt, f"{utt} 0 {format_seconds(float(dur))}", ln
        except ValueError:
            raise DataError(f"{d.file(name)}:{ln}: duration of '{utt}' is not a number: '{dur}'") from None


def source_lines(d: DataDir, name: str, dest_has_segments: bool) -> Lines | None:
    """What source `d` contributes to table `name` of the combined dir (None: it has nothing)."""
    if d.has(name):
        return d.read(name)
    if name == "segments" and dest_has_segments:
        return generated_segments(d)
    if name == "reco2dur" and dest_has_segments and not d.has_segments and d.has("utt2dur"):
        return d.read("utt2dur")  # its recordings are its utterances
    if name == "utt2uniq":
        return ((utt, utt, ln) for utt, _, ln in d.read("utt2spk"))
    return None


def merge_lines(name: str, ds: list[DataDir], sources: list[Lines], out: Path, per_utt: bool) -> int:
    """Merge sorted sources into `out`; a key in two sources is an error for utterance tables and for
    other tables when the lines differ. Returns the number of lines written."""
    tagged = [_tagged(i, lines) for i, lines in enumerate(sources)]
    clashes: list[str] = []
    n = 0
    with open(out, "w", encoding="utf-8") as f:
        for key, group in itertools.groupby(heapq.merge(*tagged), key=lambda entry: entry[0]):
            entries = list(group)
            if len(entries) > 1 and (per_utt or len({value for _, _, value, _ in entries}) > 1):
                places = ", ".join(f"{ds[i].file(name)}:{ln}" for _, i, _, ln in entries)
                clashes.append(f"'{key}' ({places})")
                continue
            f.write(table_line(key, entries[0][2]))
            n += 1
    if clashes:
        what = "utterance ids in more than one source" if per_utt else f"ids with different lines in {name}"
        shown = "; ".join(clashes[:MAX_SHOWN]) + (f"; and {len(clashes) - MAX_SHOWN} more" if len(clashes) > MAX_SHOWN
                                                   else "")
        raise DataError(f"{len(clashes)} {what}: {shown}")
    return n


def _tagged(i: int, lines: Lines) -> Iterator[tuple[str, int, str, int]]:
    """(key, source index, value, line): merged by key, then by source."""
    for key, value, ln in lines:
        yield key, i, value, ln


def combine_data(dest: str | Path, srcs: list[str], extra_files: tuple[str, ...] = ()) -> str:
    """Write the union of the data dirs `srcs` to `dest`; return a one-line account."""
    ds = [DataDir(s, extra_files) for s in srcs]
    for d in ds:
        d.require("utt2spk")
        if d.root.resolve() == Path(dest).resolve():
            raise DataError(f"{dest}: the destination cannot also be a source")
    with_segments = any(d.has_segments for d in ds)
    for d in ds:
        if with_segments and not d.has_segments and generated_segments(d) is None:
            raise DataError(f"{d.root}: other sources have segments but this one has neither segments nor "
                            f"utt2dur/reco2dur to make them from; add {d.file('utt2dur')}")
    utt_names = list(dict.fromkeys(UTT_TABLES + extra_files)) + ([] if with_segments else list(RECO_TABLES))
    other_names = (list(RECO_TABLES) if with_segments else []) + list(SPK_TABLES)
    omitted: list[str] = []
    with staged_dir(dest, ds[0].known_names()) as tmp:
        for name in utt_names + other_names:
            if not any(d.has(name) for d in ds):
                continue
            sources = [source_lines(d, name, with_segments) for d in ds]
            if any(s is None for s in sources):
                lacking = " ".join(str(d.root) for d, s in zip(ds, sources) if s is None)
                logging.warning("%s: not combining %s: missing in %s", PROG, name, lacking)
                omitted.append(name)
                continue
            n = merge_lines(name, ds, sources, tmp / name, per_utt=name in utt_names)
            if name == "utt2spk":
                n_utts = n
        write_spk2utt(tmp / "utt2spk", tmp / "spk2utt")
        for name in META_FILES:
            contents = {d.file(name).read_bytes() if d.has(name) else None for d in ds}
            if len(contents) == 1 and None not in contents:
                shutil.copyfile(ds[0].file(name), tmp / name)
            elif any(d.has(name) for d in ds):
                logging.warning("%s: not copying %s: not the same in every source", PROG, name)
        c = DataDir(tmp)
        opts = Options(require_feats=c.has("feats.scp"), require_text=c.has("text"), require_wav=c.has("wav.scp"),
                       allow_empty_text=True)
        ensure_valid(tmp, dest, opts)
    return (f"{dest}: {n_utts} utterances from {len(ds)} data dirs"
            + (f"; left out (not in every source): {' '.join(omitted)}" if omitted else ""))


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Combine data dirs into <dest>. Fails on an utterance id in two sources; a file only some "
                    "sources have is left out with a warning (utt2uniq is filled in, segments are made from "
                    "utt2dur where needed). The result is validated before it is put in place.")
    p.add_argument("--extra-files", "--extra_files", default="",
                   help="more utterance-keyed files to combine (space-separated names; default: none)")
    p.add_argument("dest")
    p.add_argument("srcs", nargs="+", metavar="src")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run_tool(PROG, lambda: logging.info("%s: %s", PROG, combine_data(args.dest, args.srcs,
                                                                              tuple(args.extra_files.split()))))


if __name__ == "__main__":
    sys.exit(main())
