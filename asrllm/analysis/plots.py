"""PNG plots of stage 13: Figure-1 style before/after joint SFT per paradigm, and the CKA curve of
encoder pre-training with its threshold and swap points (matplotlib, Agg backend, atomic writes)."""

import json
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from asrllm.analysis.models import STAGES  # noqa: E402
from asrllm.kaldi.table import DataError  # noqa: E402
from asrllm.training.swaps import read_swaps  # noqa: E402
from asrllm.utils.atomic import atomic_write  # noqa: E402

METRICS = (("nse", "NSE"), ("pai", "PAI (bits / phone)"), ("csai", "CSAI (bits / phone)"),
           ("cka", "CKA to the pre-trained encoder"))
PARADIGM_ORDER = ("entropy", "conventional", "conventional_ctc", "projector_only", "single_stage")


def metric_value(result: dict, key: str) -> tuple[float | None, float | None]:
    """(value, std across probe seeds or None) of one metric of one model result."""
    if key == "nse":
        return result.get("nse"), None
    if key == "cka":
        return (result.get("cka") or {}).get("value"), None
    entry = result.get(key) or {}
    return entry.get("bits"), entry.get("std")


def before_after(results: list[dict]) -> list[tuple[str, dict | None, dict | None]]:
    """(paradigm, last model before joint SFT, joint SFT model) for each paradigm with either."""
    by: dict[str, dict[str, dict]] = {}
    for r in results:
        if r["stage"] in STAGES:
            by.setdefault(r["paradigm"], {})[r["stage"]] = r
    order = [p for p in PARADIGM_ORDER if p in by] + sorted(p for p in by if p not in PARADIGM_ORDER)
    out = []
    for p in order:
        stages = by[p]
        before = next((stages[s] for s in reversed(STAGES[:-1]) if s in stages), None)
        out.append((p, before, stages.get("joint")))
    return out


def _group_label(paradigm: str, before: dict | None, after: dict | None) -> str:
    """'entropy\n(iasft | joint)': the paradigm and which stages its two bars are."""
    return f"{paradigm}\n({before['stage'] if before else '-'} | {after['stage'] if after else '-'})"


def _save(fig, path: Path) -> None:
    with atomic_write(path, "wb") as f:
        fig.savefig(f, format="png", dpi=120, bbox_inches="tight")
    plt.close(fig)


def plot_figure1(results: list[dict], path: str | os.PathLike) -> None:
    """One panel per metric: for each paradigm a bar before and a bar after joint SFT."""
    groups = before_after(results)
    fig, axes = plt.subplots(1, len(METRICS), figsize=(4.2 * len(METRICS), 4.0))
    width = 0.38
    for ax, (key, label) in zip(axes, METRICS):
        for i, (_, before, after) in enumerate(groups):
            for j, (model, colour, hatch) in enumerate(((before, "#9ecae1", "//"), (after, "#08519c", ""))):
                x = i + (j - 0.5) * width
                value, std = metric_value(model, key) if model else (None, None)
                if value is None:
                    if model is not None:
                        ax.text(x, 0, "n/a", ha="center", va="bottom", fontsize=7)
                    continue
                ax.bar(x, value, width, color=colour, hatch=hatch, edgecolor="black", linewidth=0.5,
                       yerr=std, capsize=3 if std else 0)
        ax.set_xticks(range(len(groups)))
        ax.set_xticklabels([_group_label(*g) for g in groups], fontsize=7)
        ax.set_xlim(-0.6, len(groups) - 0.4)
        ax.set_title(label, fontsize=10)
        ax.axhline(0, color="black", linewidth=0.5)
    handles = [plt.Rectangle((0, 0), 1, 1, color="#9ecae1", hatch="//", ec="black"),
               plt.Rectangle((0, 0), 1, 1, color="#08519c", ec="black")]
    fig.legend(handles, ["before joint SFT (the last earlier stage)", "after joint SFT"], loc="lower center",
               ncol=2, fontsize=8, bbox_to_anchor=(0.5, -0.06))
    fig.suptitle("Entropy allocation of the speech encoder (definitions: asrllm/analysis/README.md)", fontsize=10)
    fig.tight_layout()
    _save(fig, Path(path))


def read_cka_record(tsv: str | os.PathLike, swaps: str | os.PathLike | None) -> dict:
    """cka.tsv (step, reference_step, cka, triggered) and swaps.json of encoder pre-training."""
    tsv = Path(tsv)
    points = []
    with open(tsv, encoding="utf-8") as f:
        header = f.readline().split()
        if header != ["step", "reference_step", "cka", "triggered"]:
            raise DataError(f"{tsv}:1: expected the header 'step reference_step cka triggered', got {header}")
        for lineno, line in enumerate(f, 2):
            fields = line.split()
            if not fields:
                continue
            try:
                step, ref, cka, trig = int(fields[0]), int(fields[1]), float(fields[2]), int(fields[3])
            except (ValueError, IndexError):
                raise DataError(f"{tsv}:{lineno}: expected 'step reference_step cka triggered', got {line.rstrip()!r}")
            points.append({"step": step, "reference_step": ref, "cka": cka, "triggered": bool(trig)})
    record = {"tsv": str(tsv), "points": points, "threshold": None, "triggers": [], "final": None}
    if swaps is not None:
        try:
            data = read_swaps(Path(swaps))
        except (OSError, json.JSONDecodeError) as e:
            raise DataError(f"{swaps}: cannot read swaps.json: {e}") from None
        record.update(swaps=str(swaps), threshold=data.get("threshold"), triggers=data.get("triggers") or [],
                      final=data.get("final"))
    return record


def plot_cka_curve(record: dict, path: str | os.PathLike) -> None:
    """CKA of the pre-training encoder to its current reference snapshot over steps."""
    fig, ax = plt.subplots(figsize=(7.0, 3.8))
    pts = record["points"]
    if pts:
        ax.plot([p["step"] for p in pts], [p["cka"] for p in pts], "o-", color="#08519c", markersize=3,
                label="CKA(current, reference snapshot)")
    if record.get("threshold") is not None:
        ax.axhline(record["threshold"], color="#cb181d", linestyle="--", linewidth=1,
                   label=f"threshold {record['threshold']}")
    for t in record.get("triggers", []):
        ax.axvline(t["step"], color="#fb6a4a", linestyle=":", linewidth=1)
        ax.plot([t["step"]], [t["cka"]], "v", color="#cb181d", markersize=7)
        ax.annotate(f"swap {t['index']}", (t["step"], t["cka"]), textcoords="offset points", xytext=(4, 4),
                    fontsize=7, color="#cb181d")
    if record.get("final"):
        ax.axvline(record["final"]["step"], color="grey", linestyle="-", linewidth=1, label="end of pre-training")
    ax.set_xlabel("pre-training step")
    ax.set_ylabel("linear CKA")
    ax.set_title("Encoder drift during pre-training (CKA-triggered snapshots)", fontsize=10)
    ax.legend(fontsize=7, loc="best")
    fig.tight_layout()
    _save(fig, Path(path))
