"""Stage 5: dump fbank features as kaldiio arks in JOB=1:N shards, then write DATA/feats.scp.

Each shard writes FEATDIR/feats.JOB.ark and, under FEATDIR/.work, its sorted scp, utt2num_frames,
skipped list and (last) stats.json. The merge checks every shard finished and the share of bad
utterances, then puts DATA/feats.scp and DATA/utt2num_frames in place together; an earlier
feats.scp is removed first so a failed run never leaves one that looks current.
"""

import heapq
import json
import logging
import shutil
from collections import Counter
from pathlib import Path

import kaldiio

from asrllm.audio.errors import TOO_SHORT, WRONG_RATE, AudioError
from asrllm.audio.reader import iter_audio
from asrllm.data.config import DataConfig
from asrllm.data.shards import StageError, iter_sorted_lines, require_done, run_jobs, split_by_recording
from asrllm.features.fbank import Fbank
from asrllm.kaldi.datadir import DataDir
from asrllm.kaldi.staging import staged_dir
from asrllm.kaldi.table import table_line
from asrllm.utils.atomic import atomic_write

REPORT = "fbank.report.json"
SKIPPED = "fbank.skipped"


def fbank_shard(split: Path, ark: Path, work: Path, cfg: DataConfig) -> dict:
    """Compute features for one shard's utterances; return (and write) its stats."""
    fbank = Fbank(cfg.fbank, cfg.sample_rate)
    work.mkdir(parents=True, exist_ok=True)
    ark.parent.mkdir(parents=True, exist_ok=True)
    tmp_scp = work / ".feats.scp.tmp"
    stats: Counter = Counter()
    skips: Counter = Counter()
    compression = 2 if cfg.fbank.compress else None
    with kaldiio.WriteHelper(f"ark,scp:{ark.resolve()},{tmp_scp}", compression_method=compression) as writer, \
            open(work / ".utt2num_frames.tmp", "w", encoding="utf-8") as nf, \
            open(work / ".skipped.tmp", "w", encoding="utf-8") as sk:
        for utt, x, sr in iter_audio(split / "wav.scp", split / "segments", multi_channel=cfg.format.multi_channel,
                                     pipe_timeout=cfg.format.pipe_timeout):
            try:
                if isinstance(x, AudioError):
                    raise x
                if sr != cfg.sample_rate:
                    raise AudioError(WRONG_RATE, f"'{utt}' is {sr} Hz, not {cfg.sample_rate} Hz; run format_audio")
                feats = fbank(x)
                if len(feats) == 0:
                    raise AudioError(TOO_SHORT, f"'{utt}': {len(x)} samples give no frame")
            except AudioError as e:
                logging.warning("skipping utterance '%s' (%s): %s", utt, e.reason, e.message)
                skips[e.reason] += 1
                sk.write(table_line(utt, f"{e.reason} {e.message}"))
                continue
            writer(utt, feats)
            nf.write(table_line(utt, str(len(feats))))
            stats["utts"] += 1
            stats["frames"] += len(feats)
            stats["samples"] += len(x)
    for name in ("feats.scp", "utt2num_frames", "skipped"):
        (work / f".{name}.tmp").replace(work / name)
    result = {**stats, "skipped": dict(skips)}
    with atomic_write(work / "stats.json") as f:
        json.dump(result, f, indent=1, sort_keys=True)
    return result


def compute_fbank(data_dir: str, out_dir: str, cfg: DataConfig, config_path: str | None, nj: int, cmd: str) -> dict:
    """Run the sharded dump and install DATA/feats.scp + utt2num_frames; StageError on failure."""
    data = DataDir(data_dir)
    data.require("wav.scp")
    feat_dir = Path(out_dir).resolve()
    for name in ("feats.scp", "utt2num_frames"):
        data.file(name).unlink(missing_ok=True)
    work = feat_dir / ".work"
    shutil.rmtree(work, ignore_errors=True)
    splits = split_by_recording(data, work / "split", nj)
    works = [work / "out" / str(j) for j in range(1, len(splits) + 1)]
    args = ["--split-dir", str(work / "split" / "JOB"), "--ark", str(feat_dir / "feats.JOB.ark"),
            "--work-dir", str(work / "out" / "JOB")]
    if config_path:
        args += ["--config", str(config_path)]
    run_jobs(cmd, nj, feat_dir / "log" / "fbank.JOB.log", "asrllm.bin.compute_fbank_shard", args)
    require_done([w / "stats.json" for w in works])
    stats: Counter = Counter()
    skipped: Counter = Counter()
    for w in works:
        s = json.loads((w / "stats.json").read_text())
        skipped.update(s.pop("skipped"))
        stats.update(s)
    total = stats["utts"] + sum(skipped.values())
    report = {"utterances": total, "kept": stats["utts"], "frames": stats["frames"],
              "hours": round(stats["samples"] / cfg.sample_rate / 3600, 4), "skipped": sum(skipped.values()),
              "skipped_by_reason": dict(sorted(skipped.items())),
              "bad_fraction": round(sum(skipped.values()) / total, 6) if total else 0.0,
              "max_bad_fraction": cfg.max_bad_fraction}
    with atomic_write(feat_dir / SKIPPED) as f:
        for utt, value in heapq.merge(*(iter_sorted_lines(w / "skipped") for w in works)):
            f.write(table_line(utt, value))
    failed = report["bad_fraction"] > cfg.max_bad_fraction or report["kept"] == 0
    report["status"] = "failed" if failed else "ok"
    with atomic_write(feat_dir / REPORT) as f:
        json.dump(report, f, indent=1)
    if failed:
        raise StageError(f"{data_dir}: {report['skipped']} of {total} utterances failed feature extraction "
                         f"({report['bad_fraction']:.1%}, max_bad_fraction {cfg.max_bad_fraction:.1%}); "
                         f"list in {feat_dir / SKIPPED}")
    with staged_dir(data.root) as tmp:
        for name in ("feats.scp", "utt2num_frames"):
            with open(tmp / name, "w", encoding="utf-8") as f:
                for utt, value in heapq.merge(*(iter_sorted_lines(w / name) for w in works)):
                    f.write(table_line(utt, value))
    logging.info("%s: %d utterances, %d frames (%.2f h) -> %s; %d skipped %s", data_dir, report["kept"],
                 report["frames"], report["hours"], data.file("feats.scp"), report["skipped"],
                 report["skipped_by_reason"])
    shutil.rmtree(work, ignore_errors=True)
    return report
