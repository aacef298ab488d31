"""Write files under a temporary name and rename them when complete."""

import contextlib
import os
from pathlib import Path
from typing import IO, Iterator

from asrllm.errors import UserError


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Open `path.tmp.<pid>` for writing; on success fsync and rename it to `path`.

    On an exception the temporary file is removed and `path` is left untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp.{os.getpid()}")
    if "b" in mode:
        encoding = None
    try:
        with open(tmp, mode, encoding=encoding) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


class NotWritableError(UserError, OSError):
    """A folder a job must write to refuses writes."""


def check_writable(directory: str | os.PathLike) -> None:
    """Create `directory` and write, then remove, a probe file in it: a job that will save there
    learns at start, not after its first hours, that it cannot (permissions, read-only mounts and
    root's exemption from permission bits all show up in a real write, not in os.access)."""
    directory = Path(directory)
    probe = directory / f".write_probe.{os.getpid()}"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with open(probe, "w", encoding="utf-8") as f:
            f.write("probe\n")
        probe.unlink()
    except OSError as e:
        raise NotWritableError(f"{directory} is not writable ({e.strerror or e}): nothing can be saved there") from e
