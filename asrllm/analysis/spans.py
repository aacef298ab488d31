"""Phone-token frame spans of an evaluation set, from one reference aligner, cached as JSONL.

The reference model's phone CTC head force-aligns each utterance's `text.phone` (CTC Viterbi,
asrllm.metrics.align). A record per utterance: {"utt", "frames", "phones", "units", "spans",
"error"}: `spans` are the [start, end) frames of each phone token's own CTC state (the span mode is
applied when the spans are used, so the cache does not depend on it), `units` the text unit of each
phone (None where the G2P disagrees with text.phone), `error` why an utterance has no spans. The
first line of the cache holds what it was computed from; a cache whose inputs changed is recomputed.
"""

import hashlib
import json
import logging
import os
from pathlib import Path

import torch

from asrllm.metrics.align import AlignmentError, forced_align
from asrllm.analysis.evalset import EvalSet, encode
from asrllm.analysis.models import ModelSpec
from asrllm.analysis.units import PhoneUnitMapper
from asrllm.config import ConfigError
from asrllm.lang.units import read_units, tokens_to_ids
from asrllm.utils.atomic import atomic_write

log = logging.getLogger(__name__)
VERSION = 1
HEAD = "phone"


def file_digest(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def spans_meta(reference: ModelSpec, evalset: EvalSet, lang_dir: str | os.PathLike) -> dict:
    """What a spans cache depends on (weights by size and time: hashing GBs each run is too slow)."""
    weights = reference.weights_file()
    st = weights.stat()
    d = Path(evalset.data_dir)
    return {"version": VERSION, "reference": reference.name, "weights": str(weights.resolve()),
            "weights_size": st.st_size, "weights_mtime_ns": st.st_mtime_ns, "data_dir": str(d.resolve()),
            "utts": len(evalset), "text": file_digest(d / "text"), "text.phone": file_digest(d / "text.phone"),
            "lang.yaml": file_digest(Path(lang_dir) / "lang.yaml")}


def compute_spans(evalset: EvalSet, model, units_file: str | os.PathLike, mapper: PhoneUnitMapper,
                  device: torch.device, where: str) -> list[dict]:
    """Align every selected utterance with the model's phone head; records in data-dir order."""
    if HEAD not in model.ctc_heads:
        raise ConfigError(f"{where}: the reference aligner has no '{HEAD}' CTC head "
                         f"(heads: {', '.join(model.ctc_heads) or 'none'}); use a phone CTC model")
    units = read_units(units_file)
    texts = evalset.table("text")
    mapper.prepare(texts.values())
    records: dict[str, dict] = {}
    for batch in evalset.batches():
        frames, lens = encode(model, batch, device)
        with torch.no_grad():
            log_probs = model.ctc_heads[HEAD].log_probs(frames).float().cpu().numpy()
        for b, utt in enumerate(batch["uttids"]):
            n = int(lens[b])
            phones = batch["text.phone"][b].split()
            rec = {"utt": utt, "frames": n, "phones": phones, "units": mapper.units(batch["text"][b], phones),
                   "spans": None, "error": None}
            if not phones:
                rec["error"] = "empty text.phone"
            else:
                try:
                    rec["spans"] = [list(s) for s in forced_align(log_probs[b, :n], tokens_to_ids(phones, units))]
                except AlignmentError as e:
                    rec["error"] = str(e)
            records[utt] = rec
    order = list(texts)
    missing = [u for u in order if u not in records]
    if missing:
        log.warning("%s: %d utterances could not be loaded and are left out: %s", where, len(missing),
                    " ".join(missing[:20]))
    return [records[u] for u in order if u in records]


def load_or_compute(cache: Path, meta: dict, compute) -> list[dict]:
    """Records from the cache when its first line matches meta, else compute() and write the cache."""
    if cache.is_file():
        with open(cache, encoding="utf-8") as f:
            first = f.readline()
            try:
                cached = json.loads(first).get("meta")
            except json.JSONDecodeError:
                cached = None
            if cached == meta:
                log.info("spans from %s", cache)
                return [json.loads(line) for line in f]
        changed = sorted(k for k in meta if not cached or cached.get(k) != meta[k])
        log.info("%s is out of date (%s changed): recomputing", cache, ", ".join(changed))
    records = compute()
    with atomic_write(cache) as f:
        f.write(json.dumps({"meta": meta}, ensure_ascii=False) + "\n")
        for rec in records:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    log.info("wrote %s (%d utterances, %d without spans)", cache, len(records),
             sum(r["spans"] is None for r in records))
    return records
