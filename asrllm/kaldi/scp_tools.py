"""Kaldi's line tools on tables: filter_scp.pl, utt2spk_to_spk2utt.pl, spk2utt_to_utt2spk.pl.

Each reads files named on the command line (or stdin, also as `-`) and writes stdout; a bad line
is an error naming the file and line.
"""

import os
import sys
from typing import BinaryIO, Callable, Iterator

from asrllm.kaldi.cli import run_tool
from asrllm.kaldi.speakers import group_by_speaker, speakers_in_order
from asrllm.kaldi.table import DataError, strip_bom

FILTER_USAGE = "usage: filter_scp.pl [--exclude] [-f <field>] <id-list> [<in.scp> ...] > out.scp"
UTT2SPK_USAGE = "usage: utt2spk_to_spk2utt.pl [<utt2spk>] > spk2utt"
SPK2UTT_USAGE = "usage: spk2utt_to_utt2spk.pl [<spk2utt>] > utt2spk"


def _lines(path: str) -> Iterator[tuple[str, int, bytes]]:
    """(name, line number, raw line) of a file, or of stdin for '-'."""
    if path == "-":
        yield from (("<stdin>", n, strip_bom(raw, n, "<stdin>")) for n, raw in enumerate(sys.stdin.buffer, 1))
        return
    try:
        f = open(path, "rb")
    except OSError as e:
        raise DataError(f"{path}: cannot open ({e.strerror})") from None
    with f:
        yield from ((path, n, strip_bom(raw, n, path)) for n, raw in enumerate(f, 1))


def _fields(name: str, lineno: int, raw: bytes, at_least: int, exactly: bool = False) -> list[str]:
    try:
        fields = raw.decode("utf-8").split()
    except UnicodeDecodeError as e:
        raise DataError(f"{name}:{lineno}: not valid UTF-8 ({e.reason} at byte {e.start})") from None
    if len(fields) < at_least or (exactly and len(fields) != at_least):
        want = f"{'exactly' if exactly else 'at least'} {at_least}"
        raise DataError(f"{name}:{lineno}: expected {want} fields, got {len(fields)}")
    return fields


def filter_scp(id_list: str, inputs: list[str], out: BinaryIO, field: int = 1, exclude: bool = False) -> None:
    """Copy the lines of `inputs` whose field `field` is (or with `exclude`, is not) an id of `id_list`."""
    ids = {_fields(name, n, raw, 1)[0] for name, n, raw in _lines(id_list)}
    for path in inputs:
        for name, n, raw in _lines(path):
            if (_fields(name, n, raw, field)[field - 1] in ids) != exclude:
                out.write(raw if raw.endswith(b"\n") else raw + b"\n")


def _run_filter(argv: list[str]) -> int:
    args, exclude, field = list(argv), False, 1
    while args and args[0].startswith("-") and args[0] != "-":
        opt = args.pop(0)
        if opt in ("-h", "--help"):
            print(FILTER_USAGE + "\nKeep (or with --exclude drop) the lines of in.scp whose field <field> "
                  "(default 1) is the first field of a line of <id-list>.")
            return 0
        if opt == "--exclude":
            exclude = True
        elif opt == "-f" and args and args[0].isdigit() and int(args[0]) > 0:
            field = int(args.pop(0))
        else:
            print(FILTER_USAGE, file=sys.stderr)
            return 1
    if not args:
        print(FILTER_USAGE, file=sys.stderr)
        return 1
    filter_scp(args[0], args[1:] or ["-"], sys.stdout.buffer, field, exclude)
    return 0


def _run_utt2spk_to_spk2utt(argv: list[str]) -> int:
    if len(argv) > 1 or argv[:1] in (["-h"], ["--help"]):
        print(UTT2SPK_USAGE, file=sys.stderr)
        return 1 if len(argv) > 1 else 0
    path = argv[0] if argv else "-"

    def pairs() -> Iterator[tuple[str, str]]:
        for name, n, raw in _lines(path):
            utt, spk = _fields(name, n, raw, 2, exactly=True)
            yield utt, spk

    # A file is read twice and streamed when speakers come in sorted runs; stdin is held in memory.
    in_order = path != "-" and speakers_in_order(pairs())
    out = sys.stdout.buffer
    for spk, utts in group_by_speaker(pairs(), in_order):
        out.write(f"{spk} {' '.join(utts)}\n".encode())
    return 0


def _run_spk2utt_to_utt2spk(argv: list[str]) -> int:
    if len(argv) > 1 or argv[:1] in (["-h"], ["--help"]):
        print(SPK2UTT_USAGE, file=sys.stderr)
        return 1 if len(argv) > 1 else 0
    out = sys.stdout.buffer
    for name, n, raw in _lines(argv[0] if argv else "-"):
        spk, *utts = _fields(name, n, raw, 2)
        for utt in utts:
            out.write(f"{utt} {spk}\n".encode())
    return 0


def _main(prog: str, run: Callable[[list[str]], int], argv: list[str]) -> int:
    try:
        return run_tool(prog, lambda: run(argv))
    except BrokenPipeError:  # e.g. `... | head`: the reader is gone, which is not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 0


def filter_scp_main(argv: list[str]) -> int:
    return _main("filter_scp.pl", _run_filter, argv)


def utt2spk_to_spk2utt_main(argv: list[str]) -> int:
    return _main("utt2spk_to_spk2utt.pl", _run_utt2spk_to_spk2utt, argv)


def spk2utt_to_utt2spk_main(argv: list[str]) -> int:
    return _main("spk2utt_to_utt2spk.pl", _run_spk2utt_to_utt2spk, argv)
