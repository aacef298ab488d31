"""The OpenSLR releases the recipes can download: archive names, base URL, unpacking."""

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from asrllm.corpora.download import Checksum, DownloadError, fetch
from asrllm.corpora.unpack import marker_of, unpack

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Release:
    name: str
    base_url: str                          # <base_url>/<archive>
    archives: tuple[str, ...]              # every archive of the release we know
    unpacks_to: Callable[[Path, str], Path]  # the folder an archive creates under the destination
    after_unpack: Callable[[Path], None] | None = None


def unpack_aishell_speakers(dest: Path) -> None:
    """AISHELL-1 ships data_aishell/wav/<SPK>.tar.gz: unpack each in place, then remove it."""
    wav = dest / "data_aishell" / "wav"
    tars = sorted(wav.glob("*.tar.gz")) if wav.is_dir() else []
    for tar in tars:
        unpack(tar, wav)
        tar.unlink()
    if tars:
        log.info("%s: unpacked %d per-speaker archives", wav, len(tars))


AISHELL = Release(
    name="aishell",
    base_url="https://www.openslr.org/resources/33",
    archives=("data_aishell.tgz", "resource_aishell.tgz"),
    unpacks_to=lambda dest, archive: dest / archive.removesuffix(".tgz"),
    after_unpack=unpack_aishell_speakers,
)

LIBRISPEECH = Release(
    name="librispeech",
    base_url="https://www.openslr.org/resources/12",
    archives=tuple(f"{p}.tar.gz" for p in ("train-clean-100", "train-clean-360", "train-other-500", "dev-clean",
                                          "dev-other", "test-clean", "test-other")),
    unpacks_to=lambda dest, archive: dest / "LibriSpeech" / archive.removesuffix(".tar.gz"),
)

RELEASES = {r.name: r for r in (AISHELL, LIBRISPEECH)}


def already_unpacked(release: Release, dest: Path, archive: str) -> bool:
    """Our marker is there, or the folder exists while neither the archive nor a partial download is."""
    if marker_of(dest / archive, dest).is_file():
        log.info("%s: %s already unpacked", release.name, archive)
        return True
    folder = release.unpacks_to(dest, archive)
    if folder.is_dir() and not (dest / archive).exists() and not (dest / f"{archive}.part").exists():
        log.info("%s: %s exists (unpacked before, not by this tool); skipping %s", release.name, folder, archive)
        return True
    return False


def download_release(release: Release, dest: str | os.PathLike, archives: tuple[str, ...] | None = None,
                     base_url: str | None = None, checksums: dict[str, Checksum] | None = None,
                     allow_unverified: bool = False, retries: int = 3, timeout: float = 60.0) -> None:
    """Fetch (resuming, verified) and unpack each archive into `dest`, skipping what is unpacked already."""
    dest = Path(dest)
    archives = archives or release.archives
    unknown = [a for a in archives if a not in release.archives]
    if unknown:
        raise DownloadError(f"{release.name}: unknown archive(s) {', '.join(unknown)} "
                            f"(choose from {', '.join(release.archives)})")
    checksums = checksums or {}
    todo = [a for a in archives if not already_unpacked(release, dest, a)]
    unverified = [a for a in todo if a not in checksums]
    if unverified and not allow_unverified:
        raise DownloadError(f"{release.name}: no checksum for {', '.join(unverified)}; add `<md5 or sha256>  "
                            f"<name>` lines to the checksum file, or allow unverified downloads")
    base = (base_url or release.base_url).rstrip("/")
    for archive in todo:
        fetch(f"{base}/{archive}", dest / archive, checksums.get(archive), retries=retries, timeout=timeout)
        unpack(dest / archive, dest)
    if release.after_unpack is not None:
        release.after_unpack(dest)
