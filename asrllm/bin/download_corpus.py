"""Download and unpack an OpenSLR corpus (AISHELL-1: resource 33, LibriSpeech: resource 12).

    python -m asrllm.bin.download_corpus --corpus aishell --dest downloads/aishell \
        --checksums local/checksums.txt [--base-url https://www.openslr.org/resources/33] [--archives ...]

Resumable (HTTP Range), checksum-verified (md5 or sha256, from --checksums), and skipped for an
archive that is already unpacked. AISHELL-1's per-speaker tarballs are unpacked too.
"""

import argparse
import sys

from asrllm.cli import run
from asrllm.corpora.download import read_checksums
from asrllm.corpora.releases import RELEASES, download_release


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m asrllm.bin.download_corpus", description=__doc__.splitlines()[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--corpus", required=True, choices=sorted(RELEASES))
    p.add_argument("--dest", required=True, help="folder the archives are downloaded to and unpacked in")
    p.add_argument("--base-url", default=None,
                   help="where the archives are (<base-url>/<archive>); default: " +
                        ", ".join(f"{n}: {r.base_url}" for n, r in sorted(RELEASES.items())))
    p.add_argument("--archives", nargs="+", default=None, help="archive names (default: all of the release)")
    p.add_argument("--checksums", default=None, help="file of `<md5 or sha256>  <archive>` lines")
    p.add_argument("--allow-unverified", action="store_true", help="download archives that have no checksum")
    p.add_argument("--retries", type=int, default=3, help="automatic resumes after an interrupted transfer")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds without data before a transfer fails")
    p.add_argument("--log-level", default="INFO")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    def body() -> None:  # a DownloadError is one line and status 1 (asrllm.cli)
        checksums = read_checksums(args.checksums) if args.checksums else {}
        download_release(RELEASES[args.corpus], args.dest, tuple(args.archives) if args.archives else None,
                         args.base_url, checksums, args.allow_unverified, args.retries, args.timeout)

    return run("download_corpus", body, args.log_level)


if __name__ == "__main__":
    sys.exit(main())
