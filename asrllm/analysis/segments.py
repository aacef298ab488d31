"""The probe rows: one per phone token with a span, and each model's mean-pooled frames over it.

Built once from the spans of every evaluation set: the phone, its previous and next phone (word
boundary symbols skipped, an edge symbol at utterance ends), its text unit, its utterance and its
span on the reference aligner's frames. Excluded symbols (<unk>) are never rows, but are neighbours.
At most `max_segments` rows, evenly spaced. A model with another frame count for an utterance gets
the span rescaled to its frames (asrllm.metrics.align.rescale_span).
"""

from dataclasses import dataclass, field

import numpy as np

from asrllm.metrics.align import rescale_span, widen_spans
from asrllm.analysis.evalset import evenly_spaced

EDGE = "<edge>"


@dataclass
class Segments:
    phone: np.ndarray        # [N] phone ids (into phone_names)
    context: np.ndarray      # [N, 3] ids of previous phone, phone, next phone
    unit: np.ndarray         # [N] unit ids (into unit_names), -1 when the utterance has no units
    group: np.ndarray        # [N] utterance index
    phone_names: list[str]
    unit_names: list[str]
    utts: list[tuple[int, str]]  # utterance index -> (evaluation set index, uttid)
    by_utt: dict[tuple[int, str], tuple[np.ndarray, np.ndarray, int]] = field(default_factory=dict)
    # (set, uttid) -> (row ids, spans [n, 2] on reference frames, reference frame count)

    def __len__(self) -> int:
        return len(self.phone)


def build_segments(record_sets: list[list[dict]], boundary: str | None, exclude: list[str], mode: str,
                   max_segments: int) -> tuple[Segments, dict]:
    """Segments of all evaluation sets, and counts of what was left out."""
    rows: list[tuple] = []  # (utt index, phone, prev, next, unit or None, start, end)
    utts: list[tuple[int, str]] = []
    ref_frames: list[int] = []
    stats = {"utterances": 0, "utterances_without_spans": 0, "utterances_without_units": 0, "phone_tokens": 0,
             "excluded_tokens": 0}
    for s, records in enumerate(record_sets):
        for rec in records:
            stats["utterances"] += 1
            if rec["spans"] is None:
                stats["utterances_without_spans"] += 1
                continue
            stats["utterances_without_units"] += rec["units"] is None
            spans = widen_spans([tuple(x) for x in rec["spans"]]) if mode == "midpoint" else rec["spans"]
            keep = [i for i, p in enumerate(rec["phones"]) if p != boundary]
            seq = [rec["phones"][i] for i in keep]
            u = len(utts)
            utts.append((s, rec["utt"]))
            ref_frames.append(rec["frames"])
            for j, i in enumerate(keep):
                stats["phone_tokens"] += 1
                if seq[j] in exclude:
                    stats["excluded_tokens"] += 1
                    continue
                prev = seq[j - 1] if j > 0 else EDGE
                nxt = seq[j + 1] if j + 1 < len(seq) else EDGE
                unit = rec["units"][i] if rec["units"] is not None else None
                rows.append((u, seq[j], prev, nxt, unit, spans[i][0], spans[i][1]))
    if len(rows) > max_segments:
        rows = [rows[i] for i in evenly_spaced(len(rows), max_segments)]
    stats["segments"] = len(rows)
    phone_names = sorted({r[k] for r in rows for k in (1, 2, 3)})
    unit_names = sorted({r[4] for r in rows if r[4] is not None})
    pid = {p: i for i, p in enumerate(phone_names)}
    uid = {w: i for i, w in enumerate(unit_names)}
    seg = Segments(
        phone=np.array([pid[r[1]] for r in rows], dtype=np.int64),
        context=np.array([[pid[r[2]], pid[r[1]], pid[r[3]]] for r in rows], dtype=np.int64).reshape(-1, 3),
        unit=np.array([uid[r[4]] if r[4] is not None else -1 for r in rows], dtype=np.int64),
        group=np.array([r[0] for r in rows], dtype=np.int64),
        phone_names=phone_names, unit_names=unit_names, utts=utts)
    by_utt: dict[int, list[int]] = {}
    for k, r in enumerate(rows):
        by_utt.setdefault(r[0], []).append(k)
    for u, ks in by_utt.items():
        spans = np.array([[rows[k][5], rows[k][6]] for k in ks], dtype=np.int64)
        seg.by_utt[utts[u]] = (np.array(ks, dtype=np.int64), spans, ref_frames[u])
    return seg, stats


class SegmentPooler:
    """Mean-pools one model's frames over every segment span as utterances stream past."""

    def __init__(self, segments: Segments):
        self.segments = segments
        self.features: np.ndarray | None = None
        self.filled = np.zeros(len(segments), dtype=bool)

    def add(self, set_index: int, utt: str, frames: np.ndarray) -> None:
        """frames: [T, D] of one utterance (T may differ from the reference's: spans are rescaled)."""
        entry = self.segments.by_utt.get((set_index, utt))
        if entry is None:
            return
        rows, spans, ref_frames = entry
        if self.features is None:
            self.features = np.zeros((len(self.segments), frames.shape[1]), dtype=np.float32)
        t = frames.shape[0]
        if t != ref_frames:
            spans = np.array([rescale_span((int(a), int(b)), t, ref_frames) for a, b in spans], dtype=np.int64)
        csum = np.concatenate([np.zeros((1, frames.shape[1])), np.cumsum(frames, axis=0, dtype=np.float64)])
        self.features[rows] = ((csum[spans[:, 1]] - csum[spans[:, 0]]) / (spans[:, 1:] - spans[:, :1])).astype(
            np.float32)
        self.filled[rows] = True
