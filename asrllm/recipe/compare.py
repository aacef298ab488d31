"""The paradigm comparison (local/compare_paradigms.sh): one table per question, every number read
from the JSON files the recipe's stages wrote, nothing recomputed.

Per paradigm (an experiment folder <expdir>/asr_llm_<paradigm>):
  accuracy       <exp>/decode_*/<set>/score/result.json (stage 12), the LLM output's error rate;
                 <exp>/decode_*/<set>/score_ctc_<head>/result.json, the encoder's greedy CTC
  encoder side   analysis.json (stage 13): NSE, PAI, CSAI and CKA to the paradigm's own
                 pre-trained encoder, for the paradigm's last trained stage
  hallucination  <exp>/decode_*/hallucination.json (stage 14): NIM4 rule, looping, non-speech output
  budget         <exp>/<stage>/config.yaml (train.max_steps) and <exp>/stage_times.tsv (wall time)
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import yaml

from asrllm.recipe.results_section import read_stage_times

log = logging.getLogger(__name__)

TRAIN_STAGES = ("pretrain", "align", "iasft", "joint")
STAGE_NUMBERS = {"pretrain": 7, "align": 8, "iasft": 9, "joint": 10}


def _json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        log.warning("skipping %s: %s", path, e)
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


def _f(x, fmt: str = "{:.2f}") -> str:
    return "n/a" if x is None else fmt.format(x)


def render(rows: list[dict], analysis_path: Path | None) -> str:
    sets = sorted({s for r in rows for s in r["scores"]})
    out = ["# Paradigm comparison", "",
           "Written by `python -m asrllm.bin.compare_paradigms` from the stage outputs of each experiment "
           "(see asrllm/recipe/compare.py for where each number comes from).", ""]
    out += ["## Accuracy (LLM output, %)", "",
            "|paradigm|" + "|".join(f"{s} ({next((r['scores'][s]['metric'] for r in rows if s in r['scores']), '')})"
                                    for s in sets) + "|",
            "|---|" + "---|" * len(sets)]
    for r in rows:
        out.append(f"|{r['paradigm']}|" + "|".join(_f(r["scores"].get(s, {}).get("err")) for s in sets) + "|")
    heads = sorted({h for r in rows for h in r["ctc"]})
    if heads:
        out += ["", "## Encoder CTC (greedy, %: phone error rate for phone, CER for char)", "",
                "|paradigm|head|" + "|".join(sets) + "|", "|---|---|" + "---|" * len(sets)]
        for r in rows:
            for h in heads:
                if h in r["ctc"]:
                    out.append(f"|{r['paradigm']}|{h}|" + "|".join(_f(r["ctc"][h].get(s)) for s in sets) + "|")
    out += ["", "## Encoder side (stage 13, the paradigm's last trained stage)", "",
            f"Source: `{analysis_path}`." if analysis_path else "No analysis.json found (run stage 13).", "",
            "|paradigm|model|NSE|PAI (bits/phone)|CSAI (bits/phone)|CKA to its pre-trained encoder|",
            "|---|---|---|---|---|---|"]
    for r in rows:
        m = r.get("final_model")
        if m:
            out.append(f"|{r['paradigm']}|{m['name']}|{_f(m['nse'], '{:.3f}')}|{_f(m['pai'], '{:.3f}')}|"
                       f"{_f(m['csai'], '{:.3f}')}|{_f(m['cka'], '{:.3f}')}|")
        else:
            out.append(f"|{r['paradigm']}|n/a|n/a|n/a|n/a|n/a|")
    out += ["", "## Hallucination (stage 14, %)", "",
            "|paradigm|NIM4 rule (mean over test sets)|looping (mean)|non-speech: any output|",
            "|---|---|---|---|"]
    for r in rows:
        h = r.get("hallucination")
        if not h:
            out.append(f"|{r['paradigm']}|n/a|n/a|n/a|")
            continue
        mean = lambda d: sum(d.values()) / len(d) if d else None  # noqa: E731
        out.append(f"|{r['paradigm']}|{_f(mean(h['nim4']), '{:.3f}')}|{_f(mean(h['looping']))}|"
                   f"{_f(mean(h['nonspeech']))}|")
    out += ["", "## Budget (updates and wall time per training stage)", "",
            "|paradigm|" + "|".join(TRAIN_STAGES) + "|updates|train wall (s)|", "|---|" + "---|" * (len(TRAIN_STAGES) + 2)]
    for r in rows:
        cells = [str(r["steps"].get(s, "-")) for s in TRAIN_STAGES]
        total = sum(v for v in r["steps"].values() if v)
        secs = sum(r["train_seconds"].values()) if r["train_seconds"] else None
        out.append(f"|{r['paradigm']}|" + "|".join(cells) + f"|{total}|{_f(secs, '{:.0f}')}|")
    return "\n".join(out) + "\n"
