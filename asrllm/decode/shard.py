"""Decode one shard (JOB of NJ) of a data dir: every NJ-th utterance, in length-sorted batches.

Writes into its work dir, sorted by utterance id: text, token, token_int, logprob, finish_reason,
text.ctc_<head> for each CTC diagnostic head, failed (utterances whose audio could not be read),
and stats.json last (its presence means the shard finished). An utterance too short for one encoder
frame gets an empty hypothesis with finish reason too_short (and a warning naming it).
"""

import json
import logging
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

from asrllm.data.collate import collate_speech
from asrllm.data.config import DataConfig
from asrllm.loading.dataset import SpeechDataset
from asrllm.loading.loader import SpeechBatches, batch_plan
from asrllm.decode.config import DecodeConfig
from asrllm.decode.recognizer import Recognizer
from asrllm.decode.search import TOO_SHORT
from asrllm.kaldi.table import write_table
from asrllm.utils.atomic import atomic_write

log = logging.getLogger(__name__)

TABLES = ("text", "token", "token_int", "logprob", "finish_reason")
STATS = "stats.json"


def one_line(text: str) -> str:
    """A transcript as one table value: every run of whitespace (newlines too) becomes one space."""
    return " ".join(text.split())


def eval_data_config(cfg: DataConfig, data_dir: str | Path) -> DataConfig:
    """The data config for reading an evaluation dir: a dir without dumped features (feats.scp), such as
    a non-speech set, gets the same fbank computed on the fly from its audio."""
    if cfg.feats_type == "fbank" and not (Path(data_dir) / "feats.scp").is_file():
        log.info("%s has no feats.scp: computing the same fbank on the fly from wav.scp", data_dir)
        return replace(cfg, feats_type="raw")
    return cfg


class _Tolerant(Dataset):
    """A SpeechDataset whose failed item becomes {"failed": uttid}, so the shard can list it."""

    def __init__(self, ds: SpeechDataset):
        self.ds = ds

    def __len__(self) -> int:
        return len(self.ds)

    def __getitem__(self, key) -> dict:
        item = self.ds[key]
        return item if item is not None else {"failed": self.ds.index.uttid(int(key.index))}


def _collate(items: list[dict]) -> dict:
    failed = [x["failed"] for x in items if "failed" in x]
    ok = [x for x in items if "failed" not in x]
    batch = collate_speech(ok) if ok else {"uttids": []}
    batch["failed"] = failed
    return batch


def decode_shard(recognizer: Recognizer, data_dir: str | Path, data_cfg: DataConfig,
                 cmvn: str | None, job: int, nj: int, work_dir: str | Path, num_workers: int = 0) -> dict:
    """Decode utterances job-1, job-1+nj, ... of data_dir; write the shard's tables; return its stats."""
    cfg: DecodeConfig = recognizer.cfg
    tokenizer = recognizer.model.prompt.tokenizer
    work = Path(work_dir)
    work.mkdir(parents=True, exist_ok=True)
    (work / STATS).unlink(missing_ok=True)
    data_cfg = eval_data_config(data_cfg, data_dir)
    ds = SpeechDataset(str(data_dir), data_cfg, "eval", cmvn, tables=())
    rows = np.arange(job - 1, len(ds), nj)
    shift = data_cfg.fbank.frame_shift_ms / 1000
    out: dict[str, list[tuple[str, str]]] = {name: [] for name in TABLES}
    ctc_out: dict[str, list[tuple[str, str]]] = {h: [] for h in recognizer.ctc_heads}
    failed: list[str] = []
    short: list[str] = []
    reasons: dict[str, int] = {}
    frames = tokens = 0
    start = time.perf_counter()
    if len(rows):
        plan = batch_plan(ds.lengths, cfg.frames_budget, rows=rows, max_batch_size=cfg.max_batch_size)
        loader = SpeechBatches(_Tolerant(ds), plan, _collate, workers=num_workers)
        done = 0
        for batch in loader:
            failed += batch["failed"]
            if not batch["uttids"]:
                continue
            results = recognizer(batch["feats"], batch["feats_lengths"])
            frames += int(batch["feats_lengths"].sum())
            for utt, r in zip(batch["uttids"], results):
                out["text"].append((utt, one_line(r.text)))
                out["token"].append((utt, " ".join(tokenizer.convert_ids_to_tokens(r.tokens))))
                out["token_int"].append((utt, " ".join(map(str, r.tokens))))
                out["logprob"].append((utt, f"{r.score:.4f}"))
                out["finish_reason"].append((utt, r.finish_reason))
                reasons[r.finish_reason] = reasons.get(r.finish_reason, 0) + 1
                if r.finish_reason == TOO_SHORT:
                    short.append(utt)
                tokens += len(r.tokens)
                for head, ids in r.ctc.items():
                    units = recognizer.ctc_units.get(head)  # ids as numbers when the unit list is unknown
                    ctc_out[head].append((utt, " ".join(units[i] if units else str(i) for i in ids)))
            done += len(results)
            log.info("job %d: %d / %d utterances decoded", job, done, len(rows))
    seconds = time.perf_counter() - start
    if short:
        log.warning("job %d: %d utterance(s) too short for one encoder frame (< 0.09 s), given an empty "
                    "hypothesis (too_short): %s%s", job, len(short), " ".join(sorted(short)[:5]),
                    " ..." if len(short) > 5 else "")
    for name, items in out.items():
        write_table(work / name, items)
    for head, items in ctc_out.items():
        write_table(work / f"text.ctc_{head}", items)
    write_table(work / "failed", [(u, "unreadable") for u in failed])
    stats = {"job": job, "num_utts": len(out["text"]), "num_failed": len(failed), "audio_seconds": frames * shift,
             "decode_seconds": seconds, "generated_tokens": tokens, "finish_reasons": reasons,
             "device": str(recognizer.device), "threads": torch.get_num_threads()}
    with atomic_write(work / STATS) as f:
        json.dump(stats, f, indent=1)
    return stats
