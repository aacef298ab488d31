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


def read_stage_times(path: Path) -> dict[int, dict]:
    """Latest row per stage number, in stage order."""
    latest: dict[int, dict] = {}
    with open(path, encoding="utf-8", newline="") as f:
        for lineno, row in enumerate(csv.DictReader(f, delimiter="\t"), start=2):
            try:
                latest[int(row["stage"])] = {"date": row["date"], "name": row["name"],
                                             "seconds": int(row["seconds"])}
            except (KeyError, TypeError, ValueError):
                log.warning("%s:%d: not a stage time row, skipped", path, lineno)
    return dict(sorted(latest.items()))


def _minutes(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"


@register_section("Stage wall times", ["stage_times.tsv"], order=40)
def render(exp_dir: Path, files: list[Path], options: dict) -> str | None:
    if not files:
        return None
    times = read_stage_times(files[0])
    if not times:
        return None
    rows = ["|stage|name|wall (m:ss)|seconds|finished|", "|---|---|---|---|---|"]
    rows += [f"|{n}|{t['name']}|{_minutes(t['seconds'])}|{t['seconds']}|{t['date']}|" for n, t in times.items()]
    total = sum(t["seconds"] for t in times.values())
    rows.append(f"|all|{len(times)} stages|{_minutes(total)}|{total}||")
    note = ("Each stage's latest completed run in this experiment folder (`stage_times.tsv`, written by the "
            "driver); stages skipped as already done, or run from another experiment folder, are not listed.")
    return "## Stage wall times\n\n" + note + "\n\n" + "\n".join(rows)
