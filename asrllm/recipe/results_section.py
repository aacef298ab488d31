"""The "Stage wall times" section of RESULTS.md, from <exp>/stage_times.tsv.

The driver (egs/TEMPLATE/asr_llm/asr_llm.sh) appends one row per stage it completes: date, stage
number, name, seconds. A stage completed more than once (--force, a resumed run) shows its latest
time; a stage that was skipped as already done adds nothing.
"""

import csv
import logging
from pathlib import Path

from asrllm.scoring.results import register_section

log = logging.getLogger(__name__)


def read_stage_times(path: Path, by_name: bool = False) -> dict:
    """Latest row per stage number, in stage order; by_name: per (number, name), so that a stage run
    in two variants (decode and decode_streaming) keeps a row for each."""
    latest: dict = {}
    with open(path, encoding="utf-8", newline="") as f:
        for lineno, row in enumerate(csv.DictReader(f, delimiter="\t"), start=2):
            try:
                key = (int(row["stage"]), row["name"]) if by_name else int(row["stage"])
                latest[key] = {"date": row["date"], "name": row["name"], "seconds": int(row["seconds"])}
            except (KeyError, TypeError, ValueError):
                log.warning("%s:%d: not a stage time row, skipped", path, lineno)
    return dict(sorted(latest.items()))


def _minutes(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"


@register_section("Stage wall times", ["stage_times.tsv"], order=40)
def render(exp_dir: Path, files: list[Path], options: dict) -> str | None:
    if not files:
        return None
    times = [(n, t) for (n, _), t in read_stage_times(files[0], by_name=True).items()]
    if not times:
        return None
    rows = ["|stage|name|wall (m:ss)|seconds|finished|", "|---|---|---|---|---|"]
    rows += [f"|{n}|{t['name']}|{_minutes(t['seconds'])}|{t['seconds']}|{t['date']}|" for n, t in times]
    total = sum(t["seconds"] for _, t in times)
    rows.append(f"|all|{len(times)} stage runs|{_minutes(total)}|{total}||")
    note = ("Each stage's latest completed run in this experiment folder (`stage_times.tsv`, written by the "
            "driver); stages skipped as already done, or run from another experiment folder, are not listed.")
    return "## Stage wall times\n\n" + note + "\n\n" + "\n".join(rows)
