"""The paradigm comparison (local/compare_paradigms.sh): one table per question, every number read
from the JSON files the recipe's stages wrote, nothing recomputed.

Per paradigm (an experiment folder <expdir>/asr_llm_<paradigm>):
  accuracy       <exp>/decode_*/<set>/score/result.json (stage 12), the LLM output's error rate;
                 <exp>/decode_*/<set>/score_ctc_<head>/result.json, the encoder's greedy CTC
  encoder side   analysis.json (stage 13): NSE, PAI, CSAI and CKA to the paradigm's own
                 pre-trained encoder, for the paradigm's last trained stage
  hallucination  <exp>/decode_*/hallucination.json (stage 14): NIM4 rule, looping, non-speech output
  budget         <exp>/<stage>/config.yaml (train.max_steps) and <exp>/stage_times.tsv (wall time)
  drift          <exp>/joint/drift.tsv (asrllm/training/drift.py): CKA to the encoder joint SFT
                 started from, against the encoder's cumulative learning rate
One row per experiment folder, that is per paradigm and seed; asrllm/recipe/compare_report.py
aggregates the seeds and writes the report.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import yaml

from asrllm.recipe.paradigms import STAGE_NUMBERS, TRAIN_STAGES
from asrllm.recipe.results_section import read_stage_times

log = logging.getLogger(__name__)


def _json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        log.warning("skipping %s: %s", path, e)
        return None


def read_drift(path: Path) -> list[tuple[float, float]]:
    """(encoder lr sum, CKA to the stage's first encoder) rows of a drift.tsv, from (0, 1); [] without one."""
    if not path.is_file():
        return []
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()[1:] if line.strip()]
    return [(0.0, 1.0)] + [(float(r[1]), float(r[2])) for r in rows]


def cka_at(drift: list[tuple[float, float]], lr_sum: float) -> float | None:
    """CKA where the encoder's cumulative learning rate reaches lr_sum (linear between rows);
    None if the run's encoder never trained that much."""
    for (x0, y0), (x1, y1) in zip(drift, drift[1:]):
        if x0 <= lr_sum <= x1:
            return y0 if x1 == x0 else y0 + (y1 - y0) * (lr_sum - x0) / (x1 - x0)
    return None


def decode_dir(exp: Path) -> Path | None:
    """The experiment's evaluated decode folder (the one stage 14 measured, else the newest)."""
    dirs = sorted((d for d in exp.glob("decode_*") if d.is_dir()), key=lambda d: d.stat().st_mtime)
    with_hall = [d for d in dirs if (d / "hallucination.json").is_file()]
    return (with_hall or dirs or [None])[-1]


def trained_stages(exp: Path) -> list[str]:
    return [s for s in TRAIN_STAGES if (exp / s / "final" / "speech.pt").is_file()]


def collect(name: str, exp: Path) -> dict:
    """Everything the comparison reports for one paradigm."""
    row: dict = {"paradigm": name, "exp": str(exp), "stages": trained_stages(exp), "scores": {}, "ctc": {}}
    dec = decode_dir(exp)
    row["decode_dir"] = str(dec) if dec else None
    if dec is not None:
        for result in sorted(dec.glob("*/score/result.json")):
            data = _json(result)
            if data:
                row["scores"][result.parent.parent.name] = {"metric": data["metric"], "err": data["error_rate"]}
        for result in sorted(dec.glob("*/score_ctc_*/result.json")):
            data = _json(result)
            if data:
                head = result.parent.name.removeprefix("score_ctc_")
                row["ctc"].setdefault(head, {})[result.parent.parent.name] = data["error_rate"]
        hall = _json(dec / "hallucination.json") if (dec / "hallucination.json").is_file() else None
        if hall:
            row["hallucination"] = {
                "nim4": {s: r["nim4"]["rate"] for s, r in hall["test_sets"].items()},
                "looping": {s: r["looping"]["rate"] for s, r in hall["test_sets"].items()},
                "nonspeech": {s: r["false_output"]["rate"] for s, r in hall["nonspeech_sets"].items()}}
    steps = {}
    for stage in row["stages"]:
        cfg_path = exp / stage / "config.yaml"
        if cfg_path.is_file():
            cfg = yaml.safe_load(cfg_path.read_text(encoding="utf-8")) or {}
            steps[stage] = (cfg.get("train") or {}).get("max_steps")
    row["steps"] = steps
    row["drift"] = read_drift(exp / "joint" / "drift.tsv")
    times = read_stage_times(exp / "stage_times.tsv") if (exp / "stage_times.tsv").is_file() else {}
    row["train_seconds"] = {s: times[STAGE_NUMBERS[s]]["seconds"] for s in row["stages"]
                            if STAGE_NUMBERS[s] in times}
    return row


def attach_analysis(rows: list[dict], analysis: dict | None) -> None:
    """Each paradigm's last trained stage from stage 13's analysis.json (and its pre-trained encoder)."""
    models = {m["name"]: m for m in (analysis or {}).get("models", [])}
    for row in rows:
        if not row["stages"]:
            continue
        for key, stage in (("final_model", row["stages"][-1]), ("pretrained_model", "pretrain")):
            m = models.get(f"{row['paradigm']}/{stage}")
            if m:
                row[key] = {"name": m["name"], "nse": m.get("nse"), "pai": (m.get("pai") or {}).get("bits"),
                            "csai": (m.get("csai") or {}).get("bits"), "cka": (m.get("cka") or {}).get("value")}


def newest_analysis(exps: list[Path]) -> tuple[Path | None, dict | None]:
    """The analysis.json (under any of the experiments) that covers the most models, newest first."""
    found = [p for exp in exps for p in exp.glob("analysis/*/analysis.json")]
    found.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    best = (None, None)
    for path in found:
        data = _json(path)
        if data and (best[1] is None or len(data.get("models", [])) > len(best[1].get("models", []))):
            best = (path, data)
    return best


def collect_seed(exps: list[tuple[str, Path]], reference: str = "entropy") -> tuple[list[dict], Path | None]:
    """The rows of one seed's experiments, with stage 13's analysis and CKA at the reference
    paradigm's encoder budget (its joint SFT's final cumulative encoder lr), and the analysis used."""
    rows = [collect(name, exp) for name, exp in exps]
    path, analysis = newest_analysis([exp for _, exp in exps])
    attach_analysis(rows, analysis)
    ref = next((r for r in rows if r["paradigm"] == reference and r["drift"]), None)
    budget = ref["drift"][-1][0] if ref else None
    for r in rows:
        r["matched_budget"] = budget
        r["cka_matched"] = cka_at(r["drift"], budget) if budget is not None and r["drift"] else None
    return rows, path
