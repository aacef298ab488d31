"""Stage 3, one shard: resolve its recordings, check its utterances, write the shard's tables.

Inputs: <split>/wav.scp (+ segments). Outputs in <work>: wav.scp (resolved recordings),
utt2num_samples, segments (if any), skipped (`utt reason message`), each sorted, and
stats.json written last as the shard's completion marker. Tables are written under temporary
names and renamed before stats.json, so a killed shard leaves nothing that looks finished.
"""

import json
import logging
from collections import Counter
from pathlib import Path

from asrllm.audio.errors import NO_AUDIO, AudioError
from asrllm.audio.format import FormatOptions, Resolved, cut_segment, resolve_recording, whole_recording
from asrllm.kaldi.table import read_table, table_line
from asrllm.utils.atomic import atomic_write

TABLES = ("wav.scp", "utt2num_samples", "segments", "skipped")


class ShardWriter:
    """The shard's output tables under temporary names, renamed together by `commit`."""

    def __init__(self, work: Path, names: tuple[str, ...]):
        work.mkdir(parents=True, exist_ok=True)
        self.paths = {n: work / n for n in names}
        self.files = {n: open(work / f".{n}.tmp", "w", encoding="utf-8") for n in names}
        self.skips: Counter = Counter()

    def write(self, name: str, key: str, value: str) -> None:
        self.files[name].write(table_line(key, value))

    def skip(self, utt: str, err: AudioError) -> None:
        logging.warning("skipping utterance '%s' (%s): %s", utt, err.reason, err.message)
        self.skips[err.reason] += 1
        self.write("skipped", utt, f"{err.reason} {err.message}".replace("\n", " "))

    def commit(self) -> None:
        for name, f in self.files.items():
            f.close()
            (self.paths[name].parent / f".{name}.tmp").replace(self.paths[name])


def _resolve(reco: str, value: str, opts: FormatOptions, dump_dir: Path, spool: Path,
             stats: Counter) -> Resolved | AudioError:
    try:
        res = resolve_recording(reco, value, opts, dump_dir, spool)
    except AudioError as e:
        stats["recordings_failed"] += 1
        return e
    stats["recordings"] += 1
    stats["dumped"] += res.dumped
    stats["resampled"] += res.resampled
    if res.resampled:
        logging.debug("recording '%s' resampled to %d Hz", reco, opts.sample_rate)
    return res


def format_shard(split: Path, work: Path, dump_dir: Path, opts: FormatOptions) -> dict:
    """Process one shard; return (and write) its stats."""
    has_segments = (split / "segments").is_file()
    out = ShardWriter(work, TABLES if has_segments else ("wav.scp", "utt2num_samples", "skipped"))
    spool = work / "spool"
    stats: Counter = Counter()
    if not has_segments:
        for utt, value, _ in read_table(split / "wav.scp", check_sorted=True):
            res = _resolve(utt, value, opts, dump_dir, spool, stats)
            try:
                if isinstance(res, AudioError):
                    raise res
                n = whole_recording(res.frames, opts, f"utterance '{utt}'")
            except AudioError as e:
                out.skip(utt, e)
                continue
            out.write("wav.scp", utt, res.path)
            out.write("utt2num_samples", utt, str(n))
            stats["utts"] += 1
            stats["samples"] += n
    else:
        used = {value.split(maxsplit=1)[0] for _, value, _ in read_table(split / "segments", check_sorted=True)}
        recos: dict[str, Resolved | AudioError] = {}
        for reco, value, _ in read_table(split / "wav.scp", check_sorted=True):
            if reco in used:
                recos[reco] = res = _resolve(reco, value, opts, dump_dir, spool, stats)
                if isinstance(res, Resolved):
                    out.write("wav.scp", reco, res.path)
        for utt, value, _ in read_table(split / "segments", check_sorted=True):
            reco = value.split(maxsplit=1)[0]
            res = recos.get(reco)
            try:
                if res is None:
                    raise AudioError(NO_AUDIO, f"recording '{reco}' of segment '{utt}' is not in wav.scp")
                if isinstance(res, AudioError):
                    raise AudioError(res.reason, f"segment '{utt}': {res.message}")
                seg_value, n = cut_segment(utt, value, res.frames, opts)
            except AudioError as e:
                out.skip(utt, e)
                continue
            out.write("segments", utt, seg_value)
            out.write("utt2num_samples", utt, str(n))
            stats["utts"] += 1
            stats["samples"] += n
    out.commit()
    result = dict(stats)
    result["skipped"] = dict(out.skips)
    with atomic_write(work / "stats.json") as f:
        json.dump(result, f, indent=1, sort_keys=True)
    return result
