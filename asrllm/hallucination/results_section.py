"""The Hallucination section of RESULTS.md, from every hallucination.json under the experiment folder."""

import json
import logging
from pathlib import Path

from asrllm.scoring.environment import command_string
from asrllm.scoring.results import register_section

log = logging.getLogger(__name__)


def _f(x, decimals: int) -> str:
    return "n/a" if x is None else f"{x:.{decimals}f}"


def _load(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        log.warning("skipping %s: %s", path, e)
        return None
    if not isinstance(data, dict) or "test_sets" not in data or "nonspeech_sets" not in data:
        log.warning("skipping %s: not a hallucination.json", path)
        return None
    return data


def render_one(name: str, data: dict, decimals: int) -> str:
    out = [f"### {name}"]
    tests = data["test_sets"]
    if tests:
        rows = ["|dataset|Snt|NIM4 (%)|Ins (%)|Loop (%)|max_tokens|len ratio p50|p95|p99|max|",
                "|---|---|---|---|---|---|---|---|---|---|"]
        for set_name, r in tests.items():
            q = r["length_ratio"].get("quantiles", {})
            rows.append("|" + "|".join([
                set_name, str(r["num_utts"]), _f(r["nim4"]["rate"], decimals + 1), _f(r["insertion_rate"], decimals),
                _f(r["looping"]["rate"], decimals), str(r["looping"]["by_max_tokens"]),
                _f(q.get("p50"), 2), _f(q.get("p95"), 2), _f(q.get("p99"), 2),
                _f(r["length_ratio"].get("max"), 2)]) + "|")
        out.append("\n".join(rows))
    for set_name, r in data["nonspeech_sets"].items():
        kinds = r["by_kind"]
        head = "|non-speech set|Snt|any output (%)|" + "|".join(f"{k} (%)" for k in kinds) + "|"
        row = "|" + "|".join([set_name, str(r["num_utts"]), _f(r["false_output"]["rate"], decimals)]
                             + [_f(v["rate"], decimals) for v in kinds.values()]) + "|"
        out.append("\n".join([head, "|" + "---|" * (3 + len(kinds)), row]))
    s = data.get("settings", {})
    nim4, loop = s.get("nim4", {}), s.get("looping", {})
    notes = [f"- NIM4 rule: {nim4.get('rule', '?')}; overlap = {nim4.get('overlap_measure', '?')}.",
             f"- Looping: {loop.get('rule', '?')}; Ins = insertions / reference tokens; len ratio = scored "
             f"hypothesis / reference tokens."]
    refs = data.get("reference_rates_percent")
    if refs:
        notes.append("- Reference hallucination rates (Mandarin public sets, %): "
                     + ", ".join(f"{k} {v}" for k, v in refs.items()) + ".")
    if data.get("command"):
        notes.append(f"- Command: `{command_string(data['command'])}`")
    out.append("\n".join(notes))
    return "\n\n".join(out)


@register_section("Hallucination", ["**/hallucination.json", "hallucination.json"], order=30)
def render(exp_dir: Path, files: list[Path], options: dict) -> str | None:
    decimals = int(options.get("decimals", 2))
    parts = []
    for path in files:
        data = _load(path)
        if data is not None:
            name = path.parent.relative_to(exp_dir).as_posix() if path.parent != exp_dir else exp_dir.name
            parts.append(render_one(name, data, decimals))
    if not parts:
        return None
    return "## Hallucination\n\n" + "\n\n".join(parts)
