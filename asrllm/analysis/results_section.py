"""The entropy-allocation section of RESULTS.md: one table per analysis.json (stage 13)."""

import json
import logging
from pathlib import Path

from asrllm.scoring.environment import command_string
from asrllm.scoring.results import register_section

log = logging.getLogger(__name__)
COLUMNS = ("|model|NSE|PAI (bits/phone)|CSAI (bits/phone)|CKA to pre-trained|CE prior|CE feat|CE context"
           "|CE context+feat|")


def _num(x, decimals: int, std=None) -> str:
    if x is None:
        return "n/a"
    return f"{x:.{decimals}f}" + (f" ± {std:.{decimals}f}" if std else "")


def _row(r: dict, d: int) -> str:
    pai, csai, cka = r.get("pai") or {}, r.get("csai") or {}, r.get("cka") or {}
    cells = [r["name"], _num(r.get("nse"), d), _num(pai.get("bits"), d, pai.get("std")),
             _num(csai.get("bits"), d, csai.get("std")), _num(cka.get("value"), d), _num(pai.get("ce_prior"), d),
             _num(pai.get("ce_feat"), d), _num(csai.get("ce_context"), d), _num(csai.get("ce_context_feat"), d)]
    return "|" + "|".join(cells) + "|"


def render_one(exp_dir: Path, path: Path, doc: dict, decimals: int) -> str:
    rel = path.parent.relative_to(exp_dir).as_posix()
    sets = ", ".join(f"{s['name']} ({s['utterances']} utts)" for s in doc.get("eval_sets", []))
    seg = doc.get("segments", {})
    probe = doc.get("config", {}).get("probe", {})
    out = [f"### {rel}",
           f"Evaluation set: {sets}; {seg.get('segments', 0)} phone segments "
           f"({seg.get('rows_with_units', 0)} with text units, {seg.get('unit_types', 0)} unit types); "
           f"spans from `{doc.get('reference_aligner', {}).get('name')}`; probe seeds {probe.get('seeds')} "
           f"(mean ± std over seeds), held-out share {probe.get('test_fraction')} by {probe.get('split_by')}.",
           COLUMNS + "\n|---|---|---|---|---|---|---|---|---|\n"
           + "\n".join(_row(r, decimals) for r in doc.get("models", []))]
    notes = [f"- `{r['name']}`: {what} not computed: {(r.get(what.lower()) or {}).get('error')}"
             for r in doc.get("models", []) for what in ("PAI", "CSAI") if (r.get(what.lower()) or {}).get("error")]
    if notes:
        out.append("Notes:\n" + "\n".join(notes))
    plots = doc.get("plots", {})
    out += [f"![{name}]({rel}/{file})" for name, file in sorted(plots.items())]
    if doc.get("command"):
        out.append(f"Command: `{command_string(doc['command'])}`")
    return "\n\n".join(out)


@register_section("Entropy allocation", ["**/analysis.json", "analysis.json"], order=20)
def render(exp_dir: Path, files: list[Path], options: dict) -> str | None:
    decimals = max(3, int(options.get("decimals", 2)))
    parts = []
    for path in files:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            log.warning("skipping %s: %s", path, e)
            continue
        if not isinstance(doc, dict) or "models" not in doc:
            log.warning("skipping %s: not a stage-13 analysis.json (no 'models')", path)
            continue
        parts.append(render_one(exp_dir, path, doc, decimals))
    if not parts:
        return None
    head = ("## Entropy allocation\n\nEncoder-side metrics of stage 13 (`python -m asrllm.bin.analyze`). The "
            "definitions are this project's, not the paper's (its formulas are not public): "
            "asrllm/analysis/README.md. NSE: normalized spectral entropy of the frame covariance (1 = isotropic). "
            "PAI = CE prior - CE feat (phone from mean-pooled span frames). CSAI = CE context - CE context+feat "
            "(character/word from phone context, with and without the frames). CKA: linear CKA of frames to the "
            "paradigm's pre-trained encoder. Cross-entropies are held-out, in bits per phone.")
    return head + "\n\n" + "\n\n".join(parts)
