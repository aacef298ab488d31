"""Long-recording corpora described by one big JSON manifest (WenetSpeech.json, GigaSpeech.json).

    {"audios": [{"aid", "path", "segments": [{"sid", "begin_time", "end_time", <text>, "subsets"}]}]}

The manifest is parsed as a stream (ijson): one recording with its segments is in memory at a
time, and data-dir lines go straight to disk (asrllm.corpora.builder sorts them), so memory is
flat in the number of segments. Each requested subset label becomes one data dir with
`segments` and a `wav.scp` per recording (only the recordings its segments use); paths are
relative to the manifest's folder. There are no speaker labels: utt2spk maps each segment to itself.
"""

import contextlib
import logging
import math
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import ijson

from asrllm.corpora.builder import DEFAULT_SORT_BUFFER, TableSink, build_data_dir
from asrllm.corpora.report import PrepReport
from asrllm.kaldi.datadir import format_seconds
from asrllm.kaldi.table import DataError

log = logging.getLogger(__name__)

# (raw text, is a training set) -> (target text, "") or (None, reason it is dropped)
TextRule = Callable[[str, bool], tuple[str | None, str]]


@dataclass(frozen=True)
class ManifestCorpus:
    """What differs between the manifest corpora: file name, text field, labels, text rule."""
    name: str                       # "wenetspeech"
    manifest: str                   # file name under the corpus root, e.g. "WenetSpeech.json"
    text_field: str                 # segment field holding the transcript
    sets: dict[str, str]            # subset label -> data dir name, e.g. {"L": "train_l"}
    train_labels: frozenset[str]    # labels whose data dirs are training sets
    text_rule: TextRule
    eval_labels: tuple[str, ...] = field(default=())  # prepared by default besides the training subset

    def label(self, name: str) -> str:
        """A subset label from a user's spelling: `L`, `l`, `{L}` or the data dir name `train_l`."""
        key = name.strip().strip("{}").upper()
        for label, d in self.sets.items():
            if key == label or name == d:
                return label
        raise DataError(f"unknown {self.name} subset '{name}' (choose from {', '.join(self.sets)})")


def subset_labels(value: Any) -> set[str]:
    """The labels of a `subsets` field as whole tokens, braces stripped: ["{XL}", "{L}"] -> {"XL", "L"}."""
    tokens: Iterable[str]
    if isinstance(value, str):
        tokens = value.replace(",", " ").split()
    elif isinstance(value, list):
        tokens = (t for v in value if isinstance(v, str) for t in v.replace(",", " ").split())
    else:
        return set()
    return {t.strip("{}") for t in tokens}


def iter_audios(path: Path) -> Iterator[dict]:
    """The recordings of a manifest, one at a time; malformed JSON names the byte offset."""
    with open(path, "rb") as f:
        try:
            yield from ijson.items(f, "audios.item", use_float=True)
        except ijson.JSONError as e:
            raise DataError(f"{path}: invalid JSON near byte {f.tell()}: {e}") from None


def segment_times(seg: dict) -> tuple[str, str] | None:
    """begin/end as written in `segments` (ms), or None when they are missing or not 0 <= begin < end."""
    try:
        b, e = float(seg["begin_time"]), float(seg["end_time"])
    except (KeyError, TypeError, ValueError):
        return None
    if not (math.isfinite(b) and math.isfinite(e)) or b < 0:
        return None
    bs, es = format_seconds(b), format_seconds(e)
    return (bs, es) if float(bs) < float(es) else None


def find_manifest(corpus: ManifestCorpus, root: str | os.PathLike) -> Path:
    """ROOT/<manifest>, or ROOT itself when it is the manifest file."""
    root = Path(root)
    path = root if root.is_file() else root / corpus.manifest
    if not path.is_file():
        raise DataError(f"{path}: not found; set {corpus.name.upper()} in db.sh to the folder holding "
                        f"{corpus.manifest} and audio/")
    return path


def prepare_manifest(corpus: ManifestCorpus, root: str | os.PathLike, datadir: str | os.PathLike,
                     subsets: Iterable[str], sort_buffer: str = DEFAULT_SORT_BUFFER,
                     check_audio: bool = True, validate: bool = True) -> PrepReport:
    """Write datadir/<set>/{wav.scp,segments,text,utt2spk,spk2utt} for each subset label, in one pass."""
    labels = list(dict.fromkeys(corpus.label(s) for s in subsets))
    path = find_manifest(corpus, root)
    base = path.parent.resolve()
    report = PrepReport(corpus.name, Path(datadir) / "local" / corpus.name)
    stats = {lab: Counter() for lab in labels}
    seen: Counter[str] = Counter()
    try:
        with contextlib.ExitStack() as stack:
            sinks = {lab: stack.enter_context(build_data_dir(Path(datadir) / corpus.sets[lab], str(path),
                                                             sort_buffer, validate))
                     for lab in labels}
            n_audios = 0
            for i, audio in enumerate(iter_audios(path)):
                n_audios += 1
                add_recording(corpus, path, base, i, audio, sinks, stats, seen, report, check_audio)
            for lab in labels:
                if stats[lab]["utterances"] == 0:
                    raise DataError(f"{path}: no usable segment has subset label '{lab}' (labels seen: "
                                    f"{', '.join(f'{k} {v}' for k, v in seen.most_common()) or 'none'})")
                report.sets[corpus.sets[lab]] = {"label": lab, **stats[lab]}
    except BaseException:
        report.abort()
        raise
    report.info.update(manifest=str(path), recordings=n_audios, segment_labels=dict(seen.most_common()))
    report.write()
    return report


def add_recording(corpus: ManifestCorpus, path: Path, base: Path, i: int, audio: dict, sinks: dict[str, TableSink],
                  stats: dict[str, Counter], seen: Counter, report: PrepReport, check_audio: bool) -> None:
    """Route the segments of one recording to the data dirs of their labels."""
    aid, rel = audio.get("aid"), audio.get("path")
    if not isinstance(aid, str) or not isinstance(rel, str) or not aid or not rel:
        raise DataError(f"{path}: audios[{i}]: needs string fields 'aid' and 'path'")
    segs = audio.get("segments") or []
    wanted: list[tuple[dict, set[str]]] = []
    for seg in segs:
        labs = subset_labels(seg.get("subsets"))
        seen.update(labs)
        hit = labs & sinks.keys()
        if hit:
            wanted.append((seg, hit))
    if not wanted:
        return
    wav = Path(rel) if os.path.isabs(rel) else base / rel
    if check_audio and not wav.is_file():
        report.drop("missing_audio", aid, f"{wav} ({len(wanted)} segments)")
        for _, hit in wanted:
            for lab in hit:
                stats[lab]["dropped_missing_audio"] += 1
        return
    used: set[str] = set()
    for j, (seg, hit) in enumerate(wanted):
        sid = seg.get("sid")
        if not isinstance(sid, str) or not sid:
            raise DataError(f"{path}: audios[{i}] ('{aid}'): a segment has no string 'sid'")
        times = segment_times(seg)
        raw = seg.get(corpus.text_field)
        for lab in hit:
            if times is None:
                why, detail = "bad_times", f"{seg.get('begin_time')!r} {seg.get('end_time')!r}"
            elif not isinstance(raw, str):
                why, detail = f"no_{corpus.text_field}", ""
            else:
                text, why = corpus.text_rule(raw, lab in corpus.train_labels)
                detail = " ".join(raw.split())
            if why:
                report.drop(why, sid, f"{corpus.sets[lab]} {detail}".rstrip())
                stats[lab][f"dropped_{why}"] += 1
                continue
            sink = sinks[lab]
            sink.add("segments", sid, f"{aid} {times[0]} {times[1]}")
            sink.add("text", sid, text)
            sink.add("utt2spk", sid, sid)
            stats[lab]["utterances"] += 1
            used.add(lab)
    for lab in used:
        sinks[lab].add("wav.scp", aid, str(wav))
        stats[lab]["recordings"] += 1
