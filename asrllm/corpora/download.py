"""Fetch one file over HTTP(S) (or file://): resumable with HTTP Range, verified by checksum.

The file grows as `<name>.part` and is renamed to `<name>` only once complete and verified;
`.<name>.verified` then records the checksum, so a re-run skips it without re-hashing. An
interrupted transfer resumes from the bytes it has (a server that ignores Range starts over).
A checksum mismatch moves the file to `<name>.bad` and fails; the next run downloads afresh.
"""

import hashlib
import http.client
import logging
import os
import re
import time
import urllib.error
import urllib.request
from pathlib import Path

from asrllm.errors import UserError
from asrllm.kaldi.table import DataError
from asrllm.utils.atomic import atomic_write

log = logging.getLogger(__name__)

Checksum = tuple[str, str]  # (algorithm, lower-case hex digest)
ALGORITHMS = {32: "md5", 40: "sha1", 64: "sha256", 128: "sha512"}
CHUNK = 1 << 20


class DownloadError(UserError, RuntimeError):
    """A download that failed; the message says whether re-running resumes it."""


def read_checksums(path: str | os.PathLike) -> dict[str, Checksum]:
    """File name -> (algorithm, hex) from `md5sum`/`sha256sum` style lines (`<hex>  <name>`); `#` comments.

    The algorithm follows from the digest's length (32 hex digits: md5, 64: sha256, ...).
    """
    out: dict[str, Checksum] = {}
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(maxsplit=1)
            digest = parts[0].lower()
            if len(parts) != 2 or not re.fullmatch(r"[0-9a-f]+", digest) or len(digest) not in ALGORITHMS:
                raise DataError(f"{path}:{lineno}: expected '<md5 or sha256 hex digest>  <file name>'")
            out[parts[1].lstrip("*").strip()] = (ALGORITHMS[len(digest)], digest)
    return out


def file_digest(path: Path, algorithm: str) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, algorithm).hexdigest()


def stamp_of(dest: Path) -> Path:
    return dest.with_name(f".{dest.name}.verified")


def is_verified(dest: Path, checksum: Checksum | None) -> bool:
    """True when `dest` is complete: its stamp matches the expected checksum (or any, without one)."""
    stamp = stamp_of(dest)
    if not dest.is_file() or not stamp.is_file():
        return False
    return checksum is None or stamp.read_text().split() == list(checksum)


def fetch(url: str, dest: str | os.PathLike, checksum: Checksum | None, retries: int = 3,
          timeout: float = 60.0) -> Path:
    """Download `url` to `dest` (resuming `dest.part`), verify it, and return `dest`."""
    dest = Path(dest)
    if is_verified(dest, checksum):
        log.info("%s: already downloaded and verified", dest)
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    if dest.is_file() and not part.exists():
        os.replace(dest, part)  # a complete-looking file without a stamp: verify it below
    for attempt in range(retries + 1):
        try:
            transfer(url, part, timeout)
            break
        except DownloadError as e:
            if attempt == retries:
                raise
            log.warning("%s (attempt %d of %d; retrying)", e, attempt + 1, retries + 1)
            time.sleep(min(2 ** attempt, 30))
    if checksum is not None:
        algorithm, expected = checksum
        got = file_digest(part, algorithm)
        if got != expected:
            bad = dest.with_name(dest.name + ".bad")
            os.replace(part, bad)
            raise DownloadError(f"{url}: {algorithm} checksum mismatch (expected {expected}, got {got}); the file "
                                f"was moved to {bad}; run again to download it afresh")
    else:
        log.warning("%s: no checksum to verify it against", url)
    os.replace(part, dest)
    with atomic_write(stamp_of(dest)) as f:
        f.write(" ".join(checksum) + "\n" if checksum else "unverified\n")
    log.info("%s: downloaded%s", dest, f" ({checksum[0]} verified)" if checksum else "")
    return dest


def transfer(url: str, part: Path, timeout: float) -> None:
    """Append the rest of `url` to `part` (from its current size); DownloadError when it stops short."""
    offset = part.stat().st_size if part.exists() else 0
    headers = {"User-Agent": "asrllm-download"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    try:
        resp = urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout)
    except urllib.error.HTTPError as e:
        if e.code == 416 and offset:
            log.info("%s: server says %s is already complete", url, part)
            return
        raise DownloadError(f"{url}: HTTP {e.code} {e.reason}") from None
    except (urllib.error.URLError, OSError) as e:
        raise DownloadError(f"{url}: cannot connect ({getattr(e, 'reason', e)}); run again to retry") from None
    with resp:
        status = resp.getcode() or 200
        if offset and status == 206 and (resp.headers.get("Content-Range") or "").startswith(f"bytes {offset}-"):
            log.info("%s: resuming at byte %d", url, offset)
        else:
            if offset:
                log.info("%s: the server does not resume (status %s); starting over", url, status)
            offset = 0
        length = resp.headers.get("Content-Length")
        expected = int(length) if length and length.isdigit() else None
        got = 0
        with open(part, "ab" if offset else "wb") as f:
            try:
                while True:
                    block = resp.read(CHUNK)
                    if not block:
                        break
                    f.write(block)
                    got += len(block)
            except (OSError, http.client.HTTPException) as e:
                raise DownloadError(f"{url}: interrupted after {offset + got} bytes ({type(e).__name__}); "
                                    f"run again to resume from {part}") from None
    if expected is not None and got < expected:
        raise DownloadError(f"{url}: interrupted after {offset + got} of {offset + expected} bytes; "
                            f"run again to resume from {part}")
