"""Who holds a recipe lock: the processes that have the lock file among their open files.

The stage driver holds `<exp>/.lock` and `<dumpdir>/.lock` with flock(1) on a file descriptor its
children inherit, so a trainer left running by a killed driver still holds the lock. Naming the
holder therefore means finding every process with the file open (Linux /proc), not reading a pid
the driver wrote: that pid may be dead while its orphan keeps writing.
"""

import os
from pathlib import Path

PROC = Path("/proc")


def _cmdline(pid: int) -> str:
    try:
        raw = (PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return "?"
    return " ".join(a.decode(errors="replace") for a in raw.split(b"\0") if a) or "?"


def _ppid(pid: int) -> int:
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return 0
    return int(stat.rsplit(")", 1)[1].split()[1])  # the command may contain spaces and ')'


def _ancestors(pid: int) -> set[int]:
    out = set()
    while pid > 1 and pid not in out:
        out.add(pid)
        pid = _ppid(pid)
    return out


def holders(lock: Path) -> list[int]:
    """Pids (ascending) of the processes other than this one and its ancestors with `lock` open."""
    want = os.stat(lock)
    mine = _ancestors(os.getpid())
    found = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit() or int(entry.name) in mine:
            continue
        try:
            fds = list((entry / "fd").iterdir())
        except OSError:  # gone, or not ours to read
            continue
        for fd in fds:
            try:
                st = os.stat(fd)
            except OSError:
                continue
            if (st.st_dev, st.st_ino) == (want.st_dev, want.st_ino):
                found.append(int(entry.name))
                break
    return sorted(found)


def describe(lock: Path) -> str:
    """'pid N (command)' for each holder whose parent is not a holder too (the tops of the trees)."""
    if not PROC.is_dir():
        return "another process (no /proc to name it)"
    pids = holders(lock)
    tops = [p for p in pids if _ppid(p) not in pids] or pids
    if not tops:
        return "a process that has just exited (try again)"
    return ", ".join(f"pid {p} ({_cmdline(p)})" for p in tops)
