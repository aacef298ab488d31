"""Stage 13: NSE, PAI, CSAI and CKA drift of a list of encoders on one evaluation set -> analysis.json.

1. Spans: the reference aligner force-aligns the phone transcripts (cached per data dir).
2. Per model, one streaming pass over the evaluation set: NSE covariance, CKA against the model's
   paradigm's pre-trained encoder (run on the same batch), and mean-pooled frames per phone span.
3. Per model, the PAI and CSAI probes on the pooled rows.
4. Plots, then analysis.json (written last and atomically: its presence means the run finished).
"""

from __future__ import annotations

import copy
import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from asrllm.analysis.config import AnalysisConfig
from asrllm.analysis.evalset import EvalSet, encode
from asrllm.analysis.models import ModelSpec, encoder_digest, head_units, load_model, same_model
from asrllm.analysis.plots import plot_cka_curve, plot_figure1, read_cka_record
from asrllm.metrics.probes import resolve_device
from asrllm.analysis.segments import SegmentPooler, Segments, build_segments
from asrllm.analysis.spans import HEAD, compute_spans, load_or_compute, spans_meta
from asrllm.analysis.units import PhoneUnitMapper
from asrllm.config import ConfigError
from asrllm.data.config import DataConfig
from asrllm.metrics.cka import CKAAccumulator
from asrllm.metrics.entropy_allocation import NSEAccumulator, csai, pai
from asrllm.scoring.environment import environment
from asrllm.utils.atomic import atomic_write

log = logging.getLogger(__name__)
FIGURE1 = "figure1_entropy_allocation.png"
CKA_CURVE = "cka_pretraining.png"


@dataclass
class Inputs:
    models: list[ModelSpec]
    reference: ModelSpec                      # the aligner (entropy paradigm's stage-7 phone CTC model)
    data_dirs: list[Path]
    data_config: DataConfig
    cmvn: str | None
    lang_dir: Path
    cka_references: dict[str, ModelSpec] = field(default_factory=dict)  # paradigm -> pre-trained encoder
    cka_tsv: Path | None = None
    swaps: Path | None = None


def set_names(data_dirs: list[Path]) -> list[str]:
    names = [Path(d).name for d in data_dirs]
    if len(set(names)) != len(names):
        raise ConfigError(f"evaluation data dirs must have different names: {' '.join(map(str, data_dirs))}")
    return names


def _rescale_rows(x: torch.Tensor, n: int) -> torch.Tensor:
    """Nearest-frame resampling of [T, D] to n rows (a model with another frame rate)."""
    if x.shape[0] == n:
        return x
    idx = torch.div(torch.arange(n, device=x.device) * x.shape[0], n, rounding_mode="floor")
    return x[idx]


@torch.no_grad()
def model_pass(spec: ModelSpec, cka_ref: ModelSpec | None, evalsets: list[EvalSet], segments: Segments,
               device: torch.device, model=None) -> tuple[dict, SegmentPooler]:
    """Stream the evaluation set through one encoder (and its CKA reference): NSE, CKA, pooled rows.
    model: spec's model when the caller has loaded it already."""
    model = model if model is not None else load_model(spec, device)
    ref = load_model(cka_ref, device) if cka_ref is not None and not same_model(spec, cka_ref) else None
    nse, cka, pooler = NSEAccumulator(), CKAAccumulator(), SegmentPooler(segments)
    frames_seen, rescaled = 0, 0
    for s, es in enumerate(evalsets):
        for batch in es.batches():
            frames, lens = encode(model, batch, device)
            mask = torch.arange(frames.shape[1], device=device)[None] < lens[:, None]
            valid = frames[mask]
            nse.update(valid)
            frames_seen += valid.shape[0]
            if ref is not None:
                rframes, rlens = encode(ref, batch, device)
                xs = [_rescale_rows(frames[b, :int(lens[b])], int(rlens[b])) for b in range(len(lens))]
                cka.update(torch.cat(xs), torch.cat([rframes[b, :int(rlens[b])] for b in range(len(rlens))]))
            for b, utt in enumerate(batch["uttids"]):
                x = frames[b, :int(lens[b])].cpu().numpy()
                entry = segments.by_utt.get((s, utt))
                rescaled += entry is not None and entry[2] != x.shape[0]
                pooler.add(s, utt, x)
    out = {"name": spec.name, "paradigm": spec.paradigm, "stage": spec.stage, "path": str(spec.path),
           "frames": frames_seen, "dim": int(nse.s.shape[0]) if nse.s is not None else None, "nse": nse.value(),
           "utterances_with_rescaled_spans": int(rescaled)}
    if cka_ref is None:
        out["cka"] = {"value": None, "reference": None, "note": "no pre-trained encoder for this paradigm"}
    elif ref is None:
        out["cka"] = {"value": 1.0, "reference": cka_ref.name, "reference_path": str(cka_ref.path),
                      "note": "the pre-trained encoder itself"}
    else:
        out["cka"] = {"value": cka.value(), "reference": cka_ref.name, "reference_path": str(cka_ref.path)}
    del model, ref
    if device.type == "cuda":
        torch.cuda.empty_cache()
    return out, pooler


def reuse_result(earlier: dict, spec: ModelSpec) -> dict:
    """The metrics of an earlier model whose encoder has the same weights, under spec's name."""
    log.info("%s: encoder weights identical to %s's; its metrics are reused", spec.name, earlier["name"])
    out = copy.deepcopy(earlier)
    out.update(name=spec.name, paradigm=spec.paradigm, stage=spec.stage, path=str(spec.path),
               same_encoder_as=earlier["name"])
    return out


def _probe(fn, what: str, name: str, *args) -> dict:
    try:
        return fn(*args)
    except ValueError as e:  # e.g. too few utterances to split: no number rather than a made-up one
        log.warning("%s of %s not computed: %s", what, name, e)
        return {"bits": None, "error": str(e)}


def probe_model(name: str, pooler: SegmentPooler, segments: Segments, cfg: AnalysisConfig) -> dict:
    rows = pooler.filled
    if pooler.features is None or not rows.any():
        missing = {"bits": None, "error": "no pooled segments"}
        return {"pai": dict(missing), "csai": dict(missing)}
    x = pooler.features
    out = {"pai": _probe(pai, "PAI", name, x[rows], segments.phone[rows], segments.group[rows], cfg.probe)}
    with_units = rows & (segments.unit >= 0)
    out["csai"] = _probe(csai, "CSAI", name, x[with_units], segments.context[with_units], segments.unit[with_units],
                         segments.group[with_units], cfg.probe)
    return out


def _spans(inp: Inputs, cfg: AnalysisConfig, evalsets: list[EvalSet], names: list[str], out_dir: Path,
           mapper: PhoneUnitMapper, device: torch.device) -> list[list[dict]]:
    units_file = head_units(inp.reference, HEAD)
    loaded = {}

    def aligner():
        if "model" not in loaded:
            loaded["model"] = load_model(inp.reference, device)
        return loaded["model"]

    record_sets = []
    for name, es in zip(names, evalsets):
        meta = spans_meta(inp.reference, es, inp.lang_dir)
        where = f"reference aligner {inp.reference.path}"
        record_sets.append(load_or_compute(out_dir / f"spans.{name}.jsonl", meta,
                                           lambda es=es: compute_spans(es, aligner(), units_file, mapper, device,
                                                                       where)))
    return record_sets


def run_analysis(inp: Inputs, cfg: AnalysisConfig, out_dir: Path, command: list[str]) -> dict:
    """Compute everything, write plots and analysis.json under out_dir; return the document."""
    t0 = time.time()
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "analysis.json").unlink(missing_ok=True)  # removed first: present only when complete
    device = resolve_device(cfg.eval.device)
    names = set_names(inp.data_dirs)
    evalsets = [EvalSet(d, inp.data_config, inp.cmvn, cfg.eval.max_utts, cfg.eval.frames_budget) for d in inp.data_dirs]
    mapper = PhoneUnitMapper(inp.lang_dir)
    record_sets = _spans(inp, cfg, evalsets, names, out_dir, mapper, device)
    segments, seg_stats = build_segments(record_sets, mapper.boundary, cfg.spans.exclude, cfg.spans.mode,
                                         cfg.eval.max_segments)
    log.info("%d phone segments from %d utterances (%s)", len(segments), seg_stats["utterances"], seg_stats)
    results, by_encoder = [], {}
    for spec in inp.models:
        t = time.time()
        cka_ref = inp.cka_references.get(spec.paradigm)
        model = load_model(spec, device)
        key = (encoder_digest(model), str(cka_ref.path) if cka_ref else None)
        if key in by_encoder:  # the same encoder weights and CKA reference: the same numbers
            del model
            res = reuse_result(by_encoder[key], spec)
        else:
            res, pooler = model_pass(spec, cka_ref, evalsets, segments, device, model=model)
            res.update(probe_model(spec.name, pooler, segments, cfg))
            by_encoder[key] = res
        res["seconds"] = round(time.time() - t, 1)
        log.info("%s: NSE %.4f, PAI %s, CSAI %s, CKA %s (%.0f s)", spec.name, res["nse"], _fmt(res["pai"]["bits"]),
                 _fmt(res["csai"]["bits"]), _fmt(res["cka"]["value"]), res["seconds"])
        results.append(res)
    doc = {
        "definitions": "this project's (asrllm/analysis/README.md); the paper's formulas are not public",
        "eval_sets": [{"name": n, "data_dir": str(d), "utterances": len(es), "utterances_in_dir": len(es.dataset),
                       "spans": f"spans.{n}.jsonl"} for n, d, es in zip(names, inp.data_dirs, evalsets)],
        "segments": seg_stats | {"phone_classes": len(segments.phone_names), "unit_types": len(segments.unit_names),
                                 "rows_with_units": int((segments.unit >= 0).sum())},
        "reference_aligner": {"name": inp.reference.name, "path": str(inp.reference.path)},
        "cka_references": {p: str(s.path) for p, s in inp.cka_references.items()},
        "config": cfg.to_dict(),
        "models": results,
    }
    plots = {}
    if len(results):
        plot_figure1(results, out_dir / FIGURE1)
        plots["figure1"] = FIGURE1
    if inp.cka_tsv is not None:
        record = read_cka_record(inp.cka_tsv, inp.swaps)
        doc["cka_pretraining"] = record
        plot_cka_curve(record, out_dir / CKA_CURVE)
        plots["cka_curve"] = CKA_CURVE
    doc["plots"] = plots
    doc["command"] = command
    doc["environment"] = environment()
    doc["seconds"] = round(time.time() - t0, 1)
    with atomic_write(out_dir / "analysis.json") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False, default=_json_default)
        f.write("\n")
    return doc


def _fmt(x) -> str:
    return "n/a" if x is None else f"{x:.4f}"


def _json_default(o):
    if isinstance(o, (np.integer, np.floating)):
        return o.item()
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")
