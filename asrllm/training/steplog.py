"""Step-keyed TSV logs (cka.tsv, drift.tsv): a header, then one row per measurement, its step first."""

from pathlib import Path

from asrllm.utils.atomic import atomic_write


def keep_rows_before(tsv: Path, step: int) -> int:
    """Drop the rows of a step-keyed TSV (header, then rows starting with the step) from `step` on,
    which an abandoned or resumed run wrote; returns how many were dropped."""
    if not tsv.is_file():
        return 0
    lines = tsv.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [row for row in lines[1:] if int(row.split("\t", 1)[0]) < step]
    if len(kept) == len(lines) - 1:
        return 0
    if kept:
        with atomic_write(tsv) as f:
            f.writelines(lines[:1] + kept)
    else:
        tsv.unlink()
    return len(lines) - 1 - len(kept)
