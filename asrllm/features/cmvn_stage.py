"""Global CMVN statistics of a training set, from feats.scp when present, else fbank on the fly.

Streaming: one utterance at a time. At most cmvn.max_utts utterances are used, evenly spread
(every k-th); with --nj the selected utterances are dealt round-robin to JOB=1:N shards, whose
partial sums are added.
"""

import json
import logging
import math
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Callable

import kaldiio

from asrllm.audio.errors import AudioError
from asrllm.audio.reader import iter_audio
from asrllm.data.config import DataConfig
from asrllm.data.shards import StageError, require_done, run_jobs
from asrllm.features.cmvn import CmvnStats
from asrllm.features.fbank import Fbank
from asrllm.kaldi.datadir import DataDir, count_lines
from asrllm.kaldi.table import read_table


def _selector(data: DataDir, max_utts: int, job: int, nj: int) -> Callable[[int], bool]:
    """Which utterance numbers (table order) this job uses."""
    table = "feats.scp" if data.has("feats.scp") else ("segments" if data.has_segments else "wav.scp")
    n = count_lines(data.file(table))
    step = max(1, math.ceil(n / max_utts)) if max_utts else 1
    return lambda i: i % step == 0 and (i // step) % nj == job - 1


def accumulate(data_dir: str, cfg: DataConfig, job: int = 1, nj: int = 1) -> tuple[CmvnStats, str]:
    """Statistics of this job's share of the utterances; also says which source was used."""
    data = DataDir(data_dir)
    select = _selector(data, cfg.cmvn.max_utts, job, nj)
    stats = CmvnStats(cfg.fbank.num_mel_bins)
    bad = 0
    if data.has("feats.scp"):
        source = "feats.scp"
        for i, (utt, value, _) in enumerate(read_table(data.file("feats.scp"), check_sorted=True)):
            if select(i):
                try:
                    stats.add(kaldiio.load_mat(value))
                except (OSError, ValueError) as e:
                    logging.warning("cmvn: skipping utterance '%s': %s", utt, e)
                    bad += 1
    else:
        source = "audio"
        data.require("wav.scp")
        fbank = Fbank(cfg.fbank, cfg.sample_rate)
        segments = data.file("segments") if data.has_segments else None
        for utt, x, sr in iter_audio(data.file("wav.scp"), segments, select, cfg.format.multi_channel,
                                     cfg.format.pipe_timeout):
            if isinstance(x, AudioError) or sr != cfg.sample_rate:
                logging.warning("cmvn: skipping utterance '%s': %s", utt,
                                x if isinstance(x, AudioError) else f"{sr} Hz")
                bad += 1
                continue
            feats = fbank(x)
            if len(feats):
                stats.add(feats)
    if bad > cfg.max_bad_fraction * max(1, stats.utts + bad):
        raise StageError(f"{data_dir}: {bad} of {stats.utts + bad} utterances unreadable "
                         f"(more than max_bad_fraction {cfg.max_bad_fraction})")
    return stats, source


def compute_cmvn(data_dir: str, out: str, cfg: DataConfig, config_path: str | None, nj: int, cmd: str) -> dict:
    """Write the global CMVN JSON to `out`; shards run through the launcher when nj > 1."""
    out_path = Path(out)
    if nj == 1:
        stats, source = accumulate(data_dir, cfg)
    else:
        work = out_path.parent / f".{out_path.name}.work"
        shutil.rmtree(work, ignore_errors=True)
        args = ["--data-dir", str(data_dir), "--job", "JOB", "--nj", str(nj),
                "--shard-out", str(work / "stats.JOB.npz")]
        if config_path:
            args += ["--config", str(config_path)]
        run_jobs(cmd, nj, work / "log" / "cmvn.JOB.log", "asrllm.bin.compute_cmvn", args)
        parts = [work / f"stats.{j}.npz" for j in range(1, nj + 1)]
        require_done(parts)
        stats = CmvnStats(cfg.fbank.num_mel_bins)
        for p in parts:
            stats.merge(CmvnStats.load_npz(p))
        source = "feats.scp" if DataDir(data_dir).has("feats.scp") else "audio"
        shutil.rmtree(work, ignore_errors=True)
    if stats.frames == 0:
        raise StageError(f"{data_dir}: no frames to compute CMVN statistics from")
    meta = {"source": source, "data_dir": str(data_dir), "sample_rate": cfg.sample_rate, "fbank": asdict(cfg.fbank)}
    stats.write_json(out_path, meta)
    logging.info("%s: CMVN from %d utterances, %d frames (%s) -> %s", data_dir, stats.utts, stats.frames, source, out)
    return json.loads(out_path.read_text())
