"""The scores section of RESULTS.md: ESPnet-style tables built from every score*/result.json.

Layout convention: a scoring run writes EXP_DIR/<decode dir(s)>/<test_set>/score/result.json
(a second scoring of the same test set goes to score_<what>/, e.g. score_mixed/). The row name is
the test-set folder relative to EXP_DIR ("decode_greedy/test_clean"), plus "/score_<what>" when
the score folder is not plain "score". Rows are grouped into one table per (metric, unit,
normalizer), and every row's exact scoring command is listed under its table.
"""

import json
import logging
from pathlib import Path

from asrllm.scoring.environment import command_string
from asrllm.scoring.results import register_section
from asrllm.scoring.scorer import METRIC_OF_UNIT

log = logging.getLogger(__name__)

PATTERNS = ("**/score*/result.json", "score*/result.json")
REQUIRED = ("num_utts", "num_ref_tokens", "correct", "substitutions", "deletions", "insertions",
            "error_rate", "sentence_error_rate", "unit", "normalizer")
COLUMNS = "|dataset|Snt|Wrd|Corr|Sub|Del|Ins|Err|S.Err|"


def load_result(path: Path) -> dict | None:
    """A result.json, or None (with a warning) when it is unreadable or lacks a required key."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        log.warning("skipping %s: %s", path, e)
        return None
    missing = [k for k in REQUIRED if k not in data] if isinstance(data, dict) else list(REQUIRED)
    if missing:
        log.warning("skipping %s: missing keys %s", path, ", ".join(missing))
        return None
    return data


def dataset_name(exp_dir: Path, path: Path) -> str:
    score_dir = path.parent
    name_dir = score_dir.parent if score_dir.name == "score" else score_dir
    rel = name_dir.relative_to(exp_dir).as_posix()
    return rel if rel != "." else exp_dir.name


def _fmt(x: float | None, decimals: int) -> str:
    return "n/a" if x is None else f"{x:.{decimals}f}"


def _pct(count: int, total: int, decimals: int) -> str:
    return _fmt(100.0 * count / total, decimals) if total else "-"


def table_row(name: str, r: dict, decimals: int) -> str:
    n = r["num_ref_tokens"]
    cells = [name, str(r["num_utts"]), str(n),
             _pct(r["correct"], n, decimals), _pct(r["substitutions"], n, decimals),
             _pct(r["deletions"], n, decimals), _pct(r["insertions"], n, decimals),
             _fmt(r["error_rate"], decimals), _fmt(r["sentence_error_rate"], decimals)]
    return "|" + "|".join(cells) + "|"


@register_section("scores", PATTERNS, order=10)
def render_scores(exp_dir: Path, files: list[Path], options: dict) -> str | None:
    decimals = int(options.get("decimals", 2))
    groups: dict[tuple[str, str, str], list[tuple[str, dict]]] = {}
    for path in files:
        r = load_result(path)
        if r is None:
            continue
        metric = r.get("metric") or METRIC_OF_UNIT.get(r["unit"], "ER")
        groups.setdefault((metric, r["unit"], r["normalizer"]), []).append((dataset_name(exp_dir, path), r))
    if not groups:
        return None
    out = ["## Scores",
           "Corr/Sub/Del/Ins are percentages of the reference tokens (Wrd); Err = (Sub+Del+Ins)/Wrd; "
           "S.Err = utterances with any error / Snt. Alignment: sclite weights and tie-breaking "
           "(asrllm/scoring/README.md)."]
    env_hash = options.get("environment", {}).get("git", {}).get("hash")
    for (metric, unit, normalizer), rows in sorted(groups.items()):
        out.append(f"### {metric} (unit={unit}, normalizer={normalizer})")
        out.append(COLUMNS + "\n|---|---|---|---|---|---|---|---|---|\n"
                   + "\n".join(table_row(name, r, decimals) for name, r in rows))
        notes = []
        for name, r in rows:
            if r.get("num_missing_hyp"):
                notes.append(f"- `{name}`: {r['num_missing_hyp']} reference utterance(s) had no hypothesis "
                             f"(scored as all deletions; see result.txt)")
            if r.get("num_extra_hyp"):
                notes.append(f"- `{name}`: {r['num_extra_hyp']} hypothesis id(s) not in the reference (ignored)")
            git = (r.get("environment") or {}).get("git", {}).get("hash")
            if git and env_hash and git != env_hash:
                notes.append(f"- `{name}`: scored at git hash `{git}`")
        if notes:
            out.append("Notes:\n" + "\n".join(notes))
        commands = [f"- `{name}`: `{command_string(r['command'])}`" for name, r in rows if r.get("command")]
        if commands:
            out.append("Commands:\n" + "\n".join(commands))
    return "\n\n".join(out)
