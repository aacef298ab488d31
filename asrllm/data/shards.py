"""Split a data dir into JOB=1:N shards by recording and run shard jobs through a Kaldi launcher."""

import bisect
import contextlib
import logging
import os
import shlex
import subprocess
import sys
from pathlib import Path

from asrllm.errors import UserError
from asrllm.kaldi.datadir import DataDir, count_lines
from asrllm.kaldi.table import DataError, read_table, table_line

REPO = Path(__file__).resolve().parents[2]
DEFAULT_CMD = str(REPO / "utils" / "run.pl")


class StageError(UserError, RuntimeError):
    """A stage that must stop with a non-zero exit status (message says why)."""


def split_by_recording(data: DataDir, split_root: Path, nj: int) -> list[Path]:
    """Write split_root/JOB/{wav.scp,segments}: the JOB-th of nj contiguous ranges of recordings.

    All segments of one recording land in the same shard; shards may be empty when there are
    fewer recordings than jobs. Streaming: only the nj-1 boundary ids are held in memory.
    """
    data.require("wav.scp")
    n = count_lines(data.file("wav.scp"))
    dirs = [split_root / str(j) for j in range(1, nj + 1)]
    for d in dirs:
        d.mkdir(parents=True, exist_ok=True)
    cuts = [n * j // nj for j in range(nj + 1)]
    boundaries: list[str] = []
    with contextlib.ExitStack() as stack:
        outs = [stack.enter_context(open(d / "wav.scp", "w", encoding="utf-8")) for d in dirs]
        job = 0
        for i, (key, value, _) in enumerate(data.read("wav.scp")):
            while i >= cuts[job + 1]:
                job += 1
                boundaries.append(key)
            outs[job].write(table_line(key, value))
    if data.has_segments:
        with contextlib.ExitStack() as stack:
            outs = [stack.enter_context(open(d / "segments", "w", encoding="utf-8")) for d in dirs]
            for utt, value, lineno in data.read("segments"):
                reco = value.split(maxsplit=1)[0]
                outs[bisect.bisect_right(boundaries, reco)].write(table_line(utt, value))
    return dirs


def run_jobs(cmd: str, nj: int, log_pattern: Path, module: str, args: list[str]) -> None:
    """Run `python -m module args` as JOB=1:nj through the launcher; StageError if any job fails."""
    log_pattern.parent.mkdir(parents=True, exist_ok=True)
    # one pre-quoted command argument: the launcher passes paths with shell characters literally
    argv = shlex.split(cmd) + [f"JOB=1:{nj}", str(log_pattern), shlex.join([sys.executable, "-m", module, *args])]
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    logging.info("running %d job(s): %s", nj, " ".join(shlex.quote(a) for a in argv))
    proc = subprocess.run(argv, env=env)
    if proc.returncode != 0:
        raise StageError(f"{module}: {cmd} reported failed job(s); see {log_pattern}")


def iter_sorted_lines(path: Path):
    """(key, value) of a sorted shard table (missing file = empty)."""
    if not path.is_file():
        return iter(())
    return ((k, v) for k, v, _ in read_table(path, check_sorted=True))


def require_done(markers: list[Path]) -> None:
    """Every shard wrote its completion marker (it is written last)."""
    missing = [str(m) for m in markers if not m.is_file()]
    if missing:
        raise StageError(f"shard(s) did not finish: no {', '.join(missing)}")


def check_nj(nj: int) -> None:
    if nj < 1:
        raise DataError(f"--nj must be >= 1, got {nj}")
