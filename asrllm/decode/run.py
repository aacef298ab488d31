"""Stage 11 for one or more data dirs: JOB=1:NJ decode shards through a Kaldi launcher, then merge.

Several (data dir, out dir) pairs can share one launch (the model is loaded once per job).
OUT_DIR gets text (uttid hypothesis), token, token_int, logprob, finish_reason, text.ctc_<head>,
failed, decode.yaml (the resolved decode config the shards used), log/decode.JOB.log and, written
last, rtf.json (timing, real-time factor, finish reasons, the command): its presence means OUT_DIR
is complete. Outputs of an earlier run are removed first, so a failed run never looks finished.
"""

import heapq
import json
import logging
import os
import shutil
import time
from pathlib import Path

import yaml

from asrllm.data.config import DataConfig
from asrllm.data.shards import StageError, require_done, run_jobs
from asrllm.decode.config import DecodeConfig
from asrllm.decode.shard import STATS, TABLES
from asrllm.kaldi.table import read_table, table_line
from asrllm.utils.atomic import atomic_write

log = logging.getLogger(__name__)

RTF_JSON = "rtf.json"
DECODE_YAML = "decode.yaml"


def _clear(out: Path) -> None:
    (out / RTF_JSON).unlink(missing_ok=True)
    for path in list(out.glob("text*")) + [out / n for n in (*TABLES, "failed")]:
        path.unlink(missing_ok=True)


def _sorted_rows(path: Path):
    """(key, value) of a shard table sorted by key; values may be empty (an empty hypothesis)."""
    if not path.is_file():
        return iter(())
    return ((k, v) for k, v, _ in read_table(path, allow_empty_value=True, check_sorted=True))


def _merge(works: list[Path], name: str, dest: Path) -> None:
    with atomic_write(dest) as f:
        for key, value in heapq.merge(*(_sorted_rows(w / name) for w in works)):
            f.write(table_line(key, value))


def default_threads(nj: int) -> int:
    """CPU threads per job: the machine's cores shared by the parallel jobs."""
    return max(1, (os.cpu_count() or 1) // max(1, nj))


def decode_dirs(model_dir: str, pairs: list[tuple[str, str]], data_config: str | None, data_cfg: DataConfig,
                cmvn: str | None, cfg: DecodeConfig, nj: int, cmd: str, num_threads: int | None = None,
                num_workers: int | None = None, command: list[str] | None = None, streaming: bool = False) -> list[dict]:
    """Decode each (data_dir, out_dir) pair with one set of NJ jobs (the model is loaded once per job);
    returns the rtf.json contents. streaming: each utterance chunk by chunk (asrllm.decode.streaming)."""
    outs = [Path(o) for _, o in pairs]
    if len(set(outs)) != len(outs):
        raise StageError(f"two data dirs would be decoded into the same --out-dir: {[str(o) for o in outs]}")
    args = ["--model-dir", str(model_dir), "--job", "JOB", "--nj", str(nj)]
    for (data_dir, _), out in zip(pairs, outs):
        out.mkdir(parents=True, exist_ok=True)
        _clear(out)
        shutil.rmtree(out / ".work", ignore_errors=True)
        with atomic_write(out / DECODE_YAML) as f:
            yaml.safe_dump(cfg.to_dict(), f, sort_keys=False)
        args += ["--data-dir", str(data_dir), "--work-dir", str(out / ".work" / "JOB")]
    threads = num_threads or default_threads(nj)
    args += ["--decode-config", str(outs[0] / DECODE_YAML), "--num-threads", str(threads)]
    if data_config:
        args += ["--data-config", str(data_config)]
    if cmvn:
        args += ["--cmvn", str(cmvn)]
    if num_workers is not None:
        args += ["--num-workers", str(num_workers)]
    if streaming:
        args += ["--streaming"]
    log_dir = outs[0] / "log" if len(outs) == 1 else Path(os.path.commonpath([o.resolve() for o in outs])) / "log"
    start = time.perf_counter()
    run_jobs(cmd, nj, log_dir / "decode.JOB.log", "asrllm.bin.decode_shard", args)
    wall = time.perf_counter() - start
    results = [_finish(data_dir, out, nj, data_cfg) for (data_dir, _), out in zip(pairs, outs)]
    audio = sum(r["audio_seconds"] for r in results)
    for (data_dir, _), out, r in zip(pairs, outs, results):
        r.update({"nj": nj, "threads_per_job": threads, "model_dir": str(model_dir), "data_dir": str(data_dir),
                  "decode_config": cfg.to_dict(), "streaming": streaming, "command": command, "log": str(log_dir),
                  "run": {"sets": len(pairs), "wall_seconds": round(wall, 3), "audio_seconds": round(audio, 3),
                          "rtf_wall": round(wall / audio, 5) if audio else None},
                  "notes": NOTES})
        with atomic_write(out / RTF_JSON) as f:
            json.dump(r, f, indent=1)
            f.write("\n")
        shutil.rmtree(out / ".work", ignore_errors=True)
        log.info("%s: %d utterances (%.1f s of audio) decoded in %.1f s by %d job(s): RTF %.4f; finish reasons "
                 "%s -> %s", data_dir, r["num_utts"], r["audio_seconds"], r["decode_seconds"], nj, r["rtf"] or 0,
                 r["finish_reasons"], out)
    return results


NOTES = ("rtf = decode_seconds (summed over jobs: data loading + model, without model loading) / audio_seconds "
         "(fbank frames x frame shift); run.rtf_wall = wall time of the whole launch (all its sets, model loading "
         "included) / the audio of all its sets")


def _finish(data_dir: str, out: Path, nj: int, data_cfg: DataConfig) -> dict:
    """Check the shards of one set and merge their tables into out; returns its statistics."""
    work = out / ".work"
    works = [work / str(j) for j in range(1, nj + 1)]
    require_done([w / STATS for w in works])
    stats = [json.loads((w / STATS).read_text()) for w in works]
    num_utts = sum(s["num_utts"] for s in stats)
    num_failed = sum(s["num_failed"] for s in stats)
    total = num_utts + num_failed
    if total == 0 or num_failed / total > data_cfg.max_bad_fraction:
        raise StageError(f"{data_dir}: {num_failed} of {total} utterances could not be read (max_bad_fraction "
                         f"{data_cfg.max_bad_fraction:.1%}); see the decode logs and {work}/*/failed")
    names = sorted({p.name for w in works for p in w.iterdir() if p.name != STATS and not p.name.startswith(".")})
    for name in names:
        _merge(works, name, out / name)
    audio = sum(s["audio_seconds"] for s in stats)
    busy = sum(s["decode_seconds"] for s in stats)
    tokens = sum(s["generated_tokens"] for s in stats)
    reasons: dict[str, int] = {}
    for s in stats:
        for k, v in s["finish_reasons"].items():
            reasons[k] = reasons.get(k, 0) + v
    return {"num_utts": num_utts, "num_failed": num_failed, "audio_seconds": round(audio, 3),
            "decode_seconds": round(busy, 3), "rtf": round(busy / audio, 5) if audio else None,
            "generated_tokens": tokens, "tokens_per_second": round(tokens / busy, 2) if busy else None,
            "finish_reasons": dict(sorted(reasons.items())), "device": sorted({s["device"] for s in stats})}
