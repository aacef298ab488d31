"""Build a data dir under a temporary name and put it in place only when it is complete."""

import contextlib
import os
import shutil
from pathlib import Path
from typing import Iterable, Iterator


@contextlib.contextmanager
def staged_dir(dest: str | os.PathLike, known_names: Iterable[str] = (), whole: bool = False,
               backup: Path | None = None) -> Iterator[Path]:
    """Yield an empty temporary dir next to `dest`; on success move its contents into `dest`.

    A `dest` that does not exist yet is created by one rename. An existing one gets each file
    replaced by rename; files named in `known_names` that the new version lacks are removed, so
    no stale table is left (other files, e.g. conf/, stay). `whole=True` replaces the entire
    directory instead. With `backup`, the replaced and removed files are first linked (or copied)
    there. On an exception the temporary dir is deleted and `dest` is untouched.
    """
    dest = Path(dest)
    tmp = dest.parent / f".{dest.name}.tmp.{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        yield tmp
        os.utime(tmp)
        if not dest.exists():
            os.rename(tmp, dest)
        elif whole:
            old = dest.parent / f".{dest.name}.old.{os.getpid()}"
            os.rename(dest, old)
            os.rename(tmp, dest)
            shutil.rmtree(old)
        else:
            install_files(tmp, dest, set(known_names), backup)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def install_files(src: Path, dest: Path, known_names: set[str], backup: Path | None) -> None:
    """Move every file of `src` into `dest` and remove `dest`'s known files that `src` lacks."""
    new = {p.name for p in src.iterdir()}
    stale = sorted(n for n in known_names - new if (dest / n).is_file())
    if backup is not None:
        shutil.rmtree(backup, ignore_errors=True)
        backup.mkdir(parents=True)
        for name in sorted(new | set(stale)):
            if (dest / name).is_file():
                link_or_copy(dest / name, backup / name)
    for name in sorted(new):
        os.replace(src / name, dest / name)
    for name in stale:
        (dest / name).unlink()


def link_or_copy(src: Path, dst: Path) -> None:
    """Hard-link `src` to `dst` (no data copied), or copy it where links are not possible."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
