"""Job logs: a new attempt moves the old log aside instead of overwriting it."""

import os
from pathlib import Path

KEEP = 3  # older attempts kept: <log>.1 (the newest) .. <log>.3; the oldest beyond that is dropped


def rotate_log(log: str | os.PathLike, keep: int = KEEP) -> None:
    """Shift <log>.1..<log>.{keep-1} up by one and move <log> to <log>.1 (nothing if no <log>)."""
    log = Path(log)
    if not log.exists():
        return
    for i in range(keep - 1, 0, -1):
        older = log.with_name(f"{log.name}.{i}")
        if older.exists():
            os.replace(older, log.with_name(f"{log.name}.{i + 1}"))
    os.replace(log, log.with_name(f"{log.name}.1"))
