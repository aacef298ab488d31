"""Write chosen utterances of a data dir into one or more new data dirs, all tables consistent.

The choice is a stream of (utt, part) sorted by utterance, so every table is filtered by a
streaming join; only recording ids (with their parts) are held in memory. subset, split and fix use it.
"""

import contextlib
import resource
import shutil
from pathlib import Path
from typing import Callable, Iterable, Sequence

from asrllm.kaldi.datadir import META_FILES, DataDir
from asrllm.kaldi.sorted_join import inner_join
from asrllm.kaldi.speakers import write_spk2utt
from asrllm.kaldi.table import read_table, table_line

Assignment = Callable[[], Iterable[tuple[str, int]]]


def write_parts(src: DataDir, dests: Sequence[Path], assignment: Assignment) -> list[int]:
    """Write each utterance that `assignment()` names to dests[part]; return utterances per part.

    `assignment` is called once per table and must give the same sorted stream every time.
    Recordings (wav.scp, reco2dur, ...) follow the segments kept in each part; spk2utt is rebuilt
    from each part's utt2spk; speaker tables keep the part's speakers.
    """
    for d in dests:
        d.mkdir(parents=True, exist_ok=True)
    allow_open_files(len(dests) + 64)
    counts = [0] * len(dests)
    parts_of_reco: dict[str, set[int]] = {}
    for name in src.utt_tables():
        with contextlib.ExitStack() as stack:
            outs = [stack.enter_context(open(d / name, "w", encoding="utf-8")) for d in dests]
            for key, part, value in inner_join(assignment(), src.items(name)):
                outs[part].write(table_line(key, value))
                if name == "utt2spk":
                    counts[part] += 1
                elif name == "segments":
                    parts_of_reco.setdefault(value.split(maxsplit=1)[0], set()).add(part)
    for name in src.reco_tables():
        with contextlib.ExitStack() as stack:
            outs = [stack.enter_context(open(d / name, "w", encoding="utf-8")) for d in dests]
            for reco, value in src.items(name):
                for part in parts_of_reco.get(reco, ()):
                    outs[part].write(table_line(reco, value))
    for d in dests:
        write_spk2utt(d / "utt2spk", d / "spk2utt")
        for name in src.spk_tables():
            speakers = ((spk, True) for spk, _, _ in read_table(d / "spk2utt"))
            with open(d / name, "w", encoding="utf-8") as out:
                for spk, _, value in inner_join(speakers, src.items(name)):
                    out.write(table_line(spk, value))
        copy_meta_files(src, d)
    return counts


def allow_open_files(n: int) -> None:
    """Raise the soft limit on open files to `n` if it is lower (up to the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < n:
        resource.setrlimit(resource.RLIMIT_NOFILE, (n if hard == resource.RLIM_INFINITY else min(n, hard), hard))


def copy_meta_files(src: DataDir, dest: Path) -> None:
    for name in META_FILES:
        if src.has(name):
            shutil.copyfile(src.file(name), dest / name)
