"""Run the real sclite (Debian package sctk) on trn files and read its per-utterance alignments."""

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest


def sclite_argv() -> list[str] | None:
    """How to call sclite here: `sclite` on PATH, Debian's /usr/lib/sctk/bin/sclite, or `sctk sclite`."""
    if shutil.which("sclite"):
        return ["sclite"]
    if Path("/usr/lib/sctk/bin/sclite").is_file():
        return ["/usr/lib/sctk/bin/sclite"]
    if shutil.which("sctk"):
        return ["sctk", "sclite"]
    return None


@dataclass
class ScliteResult:
    ops: dict[str, list[str]]  # uttid -> C/S/D/I per alignment column
    counts: dict[str, tuple[int, int, int, int]]  # uttid -> (C, S, D, I) from "Scores:"
    num_snt: int
    num_wrd: int
    err_pct: float
    serr_pct: float


def _ops_from_rows(ref_row: str, hyp_row: str) -> list[str]:
    refs, hyps = ref_row.split(), hyp_row.split()
    assert len(refs) == len(hyps), (ref_row, hyp_row)
    ops = []
    for r, h in zip(refs, hyps):
        if re.fullmatch(r"\*+", r):
            ops.append("I")
        elif re.fullmatch(r"\*+", h):
            ops.append("D")
        else:
            ops.append("C" if r == h else "S")
    return ops


def run_sclite(argv: list[str], ref_trn: Path, hyp_trn: Path) -> ScliteResult:
    # The invocation documented in asrllm/scoring/README.md (case-sensitive, UTF-8, no wrapping).
    cmd = argv + ["-r", str(ref_trn), "trn", "-h", str(hyp_trn), "trn", "-i", "wsj", "-e", "utf-8", "-s",
                  "-l", "100000", "-o", "sum", "pralign", "stdout"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    ops: dict[str, list[str]] = {}
    counts: dict[str, tuple[int, int, int, int]] = {}
    uttid = None
    total = None
    for i, line in enumerate(lines):
        if line.startswith("id: ("):
            uttid = line[len("id: ("):-1]
            ops[uttid] = []
        elif line.startswith("Scores: (#C #S #D #I)"):
            counts[uttid] = tuple(int(x) for x in line.split()[-4:])
        elif line.startswith("REF:"):
            ops[uttid] = _ops_from_rows(line[4:], lines[i + 1][4:])
        elif "Sum/Avg" in line:
            total = line
    assert total is not None, out.stdout
    # | Sum/Avg|    5     13 | 30.8   61.5    7.7    7.7   76.9   80.0 |
    fields = total.replace("|", " ").split()
    return ScliteResult(ops, counts, int(fields[1]), int(fields[2]), float(fields[7]), float(fields[8]))


@pytest.fixture(scope="session")
def sclite():
    """A function (ref.trn, hyp.trn) -> ScliteResult; skips when sclite is not installed."""
    argv = sclite_argv()
    if argv is None:
        pytest.skip("sclite not installed (Debian package `sctk`; listed in tools/apt-packages.txt)")
    return lambda ref_trn, hyp_trn: run_sclite(argv, Path(ref_trn), Path(hyp_trn))
