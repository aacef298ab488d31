"""The paradigm comparison's report: each number's mean and spread over seeds (one row per
paradigm and seed from asrllm/recipe/compare.py), then the paper's claims, each checked seed by seed.

A claim "holds" when it holds in every seed, "does not hold" when in none, and is "mixed" otherwise;
the numbers behind it are printed next to it. Nothing here is tuned toward an outcome: the checks
are fixed comparisons of the entropy paradigm against conventional.
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Callable

from asrllm.recipe.paradigms import TRAIN_STAGES

NOISY_SUFFIX = "_noisy"


def _mean(d: dict) -> float | None:
    return sum(d.values()) / len(d) if d else None


def _ms(values: list[float | None], fmt: str = "{:.2f}") -> str:
    """'mean ± sd' over the seeds that have the value (sd with n - 1; one seed: the value alone)."""
    vals = [v for v in values if v is not None]
    if not vals:
        return "n/a"
    if len(vals) == 1:
        return fmt.format(vals[0])
    return f"{fmt.format(statistics.mean(vals))} ± {fmt.format(statistics.stdev(vals))}"


def hallucination_means(row: dict) -> dict[str, float | None]:
    h = row.get("hallucination") or {}
    nim4 = h.get("nim4", {})
    return {"nim4_clean": _mean({s: v for s, v in nim4.items() if not s.endswith(NOISY_SUFFIX)}),
            "nim4_noisy": _mean({s: v for s, v in nim4.items() if s.endswith(NOISY_SUFFIX)}),
            "looping": _mean(h.get("looping", {})), "nonspeech": _mean(h.get("nonspeech", {}))}


def _model(row: dict, key: str) -> float | None:
    return (row.get("final_model") or {}).get(key)


Runs = dict[str, list[dict]]  # paradigm -> its rows, one per seed, in seed order


def _claims(runs: Runs, seeds: list[str]) -> list[str]:
    ent, conv = runs.get("entropy"), runs.get("conventional")
    if not ent or not conv:
        return ["Needs the entropy and conventional paradigms."]
    n = min(len(ent), len(conv))
    checks: list[tuple[str, Callable[[dict], float | None], str]] = [
        ("IA-SFT keeps CKA to the pre-trained encoder higher than conventional joint training",
         lambda r: _model(r, "cka"), "higher"),
        ("... also at the matched encoder budget (entropy's joint-SFT steps x learning rate)",
         lambda r: r.get("cka_matched"), "higher"),
        ("IA-SFT keeps CSAI lower than conventional", lambda r: _model(r, "csai"), "lower"),
        ("Hallucination no worse: NIM4 rate on the clean test sets", lambda r: hallucination_means(r)["nim4_clean"],
         "no_worse"),
        ("Hallucination no worse: NIM4 rate on the padded, noisy test copies",
         lambda r: hallucination_means(r)["nim4_noisy"], "no_worse"),
        ("Hallucination no worse: any output on non-speech input", lambda r: hallucination_means(r)["nonspeech"],
         "no_worse"),
    ]
    out = []
    for text, get, sense in checks:
        pairs = [(get(ent[i]), get(conv[i])) for i in range(n)]
        pairs = [(a, b) for a, b in pairs if a is not None and b is not None]
        if not pairs:
            out.append(f"- {text}: not measured.")
            continue
        ok = sum((a > b) if sense == "higher" else (a < b) if sense == "lower" else (a <= b) for a, b in pairs)
        verdict = "holds" if ok == len(pairs) else "does not hold" if ok == 0 else "mixed"
        out.append(f"- {text}: **{verdict}** ({ok} of {len(pairs)} seeds; entropy {_ms([a for a, _ in pairs], '{:.3f}')}, "
                   f"conventional {_ms([b for _, b in pairs], '{:.3f}')}).")
    return out


def render(runs: Runs, seeds: list[str], analyses: list[Path | None]) -> str:
    all_rows = [r for rows in runs.values() for r in rows]
    sets = sorted({s for r in all_rows for s in r["scores"]})
    metric = {s: next(r["scores"][s]["metric"] for r in all_rows if s in r["scores"]) for s in sets}
    out = ["# Paradigm comparison", "",
           "Written by `python -m asrllm.bin.compare_paradigms` from the stage outputs of each experiment "
           "(asrllm/recipe/compare.py says where each number comes from). "
           f"Seeds: {', '.join(seeds)}; each cell is the mean ± standard deviation over the seeds.", ""]
    out += ["## The paper's claims in miniature", ""] + _claims(runs, seeds)
    out += ["", "## Accuracy (LLM output, %)", "",
            "|paradigm|" + "|".join(f"{s} ({metric[s]})" for s in sets) + "|", "|---|" + "---|" * len(sets)]
    for p, rows in runs.items():
        out.append(f"|{p}|" + "|".join(_ms([r["scores"].get(s, {}).get("err") for r in rows]) for s in sets) + "|")
    heads = sorted({h for r in all_rows for h in r["ctc"]})
    if heads:
        out += ["", "## Encoder CTC (greedy, %: phone error rate for phone, CER for char)", "",
                "|paradigm|head|" + "|".join(sets) + "|", "|---|---|" + "---|" * len(sets)]
        for p, rows in runs.items():
            for h in heads:
                if any(h in r["ctc"] for r in rows):
                    out.append(f"|{p}|{h}|" + "|".join(_ms([r["ctc"].get(h, {}).get(s) for r in rows])
                                                       for s in sets) + "|")
    budget = _ms([r.get("matched_budget") for r in runs.get("entropy", [])], "{:.3g}")
    out += ["", "## Encoder side (stage 13, the paradigm's last trained stage)", "",
            "Sources: " + ", ".join(f"`{a}`" for a in analyses if a) + "." if any(analyses)
            else "No analysis.json found (run stage 13).", "",
            f"CKA at matched budget: CKA to the encoder joint SFT started from, where the encoder's summed "
            f"learning rate equals the entropy run's whole joint SFT ({budget}); read from `joint/drift.tsv`.", "",
            "|paradigm|NSE|PAI (bits/phone)|CSAI (bits/phone)|CKA to its pre-trained encoder|CKA at matched budget|",
            "|---|---|---|---|---|---|"]
    for p, rows in runs.items():
        cells = [_ms([_model(r, k) for r in rows], "{:.3f}") for k in ("nse", "pai", "csai", "cka")]
        out.append(f"|{p}|" + "|".join(cells) + f"|{_ms([r.get('cka_matched') for r in rows], '{:.3f}')}|")
    out += ["", "## Hallucination (stage 14, %)", "",
            "|paradigm|NIM4 rule, clean test sets|NIM4 rule, noisy copies|looping|non-speech: any output|",
            "|---|---|---|---|---|"]
    for p, rows in runs.items():
        h = [hallucination_means(r) for r in rows]
        out.append(f"|{p}|" + "|".join(_ms([x[k] for x in h]) for k in ("nim4_clean", "nim4_noisy", "looping",
                                                                            "nonspeech")) + "|")
    out += ["", "## Budget (updates per training stage, wall time of the training stages)", "",
            "|paradigm|" + "|".join(TRAIN_STAGES) + "|updates|train wall (s)|", "|---|" + "---|" * (len(TRAIN_STAGES) + 2)]
    for p, rows in runs.items():
        steps = rows[0]["steps"]
        cells = [str(steps.get(s, "-")) for s in TRAIN_STAGES]
        total = sum(v for v in steps.values() if v)
        secs = [sum(r["train_seconds"].values()) if r["train_seconds"] else None for r in rows]
        out.append(f"|{p}|" + "|".join(cells) + f"|{total}|{_ms(secs, '{:.0f}')}|")
    return "\n".join(out) + "\n"
