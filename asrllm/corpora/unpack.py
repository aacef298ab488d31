"""Unpack tar archives once: a `.<archive>.unpacked` marker is written only after a full extraction."""

import logging
import tarfile
from pathlib import Path

from asrllm.kaldi.table import DataError
from asrllm.utils.atomic import atomic_write

log = logging.getLogger(__name__)


def marker_of(archive: Path, dest_dir: Path) -> Path:
    return dest_dir / f".{archive.name}.unpacked"


def unpack(archive: Path, dest_dir: Path) -> bool:
    """Extract `archive` into `dest_dir` unless its marker says it was; return whether it extracted.

    Members that would land outside `dest_dir` (absolute paths, `..`, links out) are refused
    (tarfile's "data" filter). An interrupted extraction leaves no marker and is redone.
    """
    marker = marker_of(archive, dest_dir)
    if marker.is_file():
        log.info("%s: already unpacked (%s)", archive, marker)
        return False
    dest_dir.mkdir(parents=True, exist_ok=True)
    log.info("unpacking %s into %s", archive, dest_dir)
    try:
        with tarfile.open(archive, "r:*") as tar:
            tar.extractall(dest_dir, filter="data")
    except (tarfile.TarError, EOFError, OSError) as e:
        raise DataError(f"{archive}: cannot unpack ({e}); delete it and download again") from None
    with atomic_write(marker) as f:
        f.write(f"{archive.name} {archive.stat().st_size}\n")
    return True
