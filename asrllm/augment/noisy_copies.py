"""Stage 4: the noisy copies of a clean training set as a data dir of their own (JOB=1:N shards).

Each shard (asrllm.augment.noisy_shard) writes the copies of the utterances it draws; the merge
streams the shards' sorted rows into the tables. Copies are `noisy-<utt>` with speaker
`noisy-<spk>` and the source's utt2uniq (a split by utt2uniq keeps a copy with its source); text
and every other per-utterance table that does not describe the audio are copied, the audio
tables (wav.scp, utt2num_samples, utt2dur) are the copies'. An earlier run's dir is removed first;
the tables are put in place together (staged) only when the share of drawn utterances that could
not be read is within max_bad_fraction.
"""

import heapq
import json
import logging
import shutil
from collections import Counter
from dataclasses import replace
from pathlib import Path

from asrllm.augment.noise import NoiseAugment
from asrllm.augment.noisy_shard import PREFIX
from asrllm.data.config import DataConfig
from asrllm.data.shards import StageError, iter_sorted_lines, require_done, run_jobs, split_by_recording
from asrllm.kaldi.datadir import DataDir, format_seconds
from asrllm.kaldi.sorted_join import inner_join
from asrllm.kaldi.speakers import write_spk2utt
from asrllm.kaldi.staging import staged_dir
from asrllm.kaldi.table import table_line
from asrllm.kaldi.validate import Options, ensure_valid
from asrllm.utils.atomic import atomic_write

AUDIO_TABLES = frozenset({"wav.scp", "segments", "reco2dur", "reco2file_and_channel", "feats.scp",
                          "utt2num_frames", "utt2num_samples", "utt2dur", "vad.scp"})
DRAWS = "noise.draws"      # noisy utt -> pad_before=<samples> pad_after=<samples> snr_db=<dB> gain=<x>
SKIPPED = "noisy.skipped"  # source utt -> reason message


def with_noise_prob(cfg: DataConfig, prob: float | None) -> DataConfig:
    """cfg with noise on at this share of utterances (None: cfg as it is)."""
    if prob is None:
        return cfg
    if not 0.0 <= prob <= 1.0:
        raise StageError(f"noise prob must be in [0, 1], got {prob}")
    return replace(cfg, noise=replace(cfg.noise, enabled=True, prob=prob))


def _merged(works: list[Path], name: str):
    return heapq.merge(*(iter_sorted_lines(w / name) for w in works))


def _write_tables(src: DataDir, works: list[Path], tmp: Path, sample_rate: int) -> None:
    rows = tmp / ".rows"
    with open(rows, "w", encoding="utf-8") as f:
        for utt, value in _merged(works, "rows"):
            f.write(table_line(utt, value))

    def picked():
        return ((utt, value) for utt, value in iter_sorted_lines(rows))

    with open(tmp / "wav.scp", "w", encoding="utf-8") as wav, \
            open(tmp / "utt2num_samples", "w", encoding="utf-8") as ns, \
            open(tmp / "utt2dur", "w", encoding="utf-8") as dur:
        for utt, value in picked():
            path, n = value.rsplit(" ", 1)
            wav.write(table_line(PREFIX + utt, path))
            ns.write(table_line(PREFIX + utt, n))
            dur.write(table_line(PREFIX + utt, format_seconds(int(n) / sample_rate)))
    with open(tmp / "utt2spk", "w", encoding="utf-8") as f:
        for utt, _, spk in inner_join(picked(), src.items("utt2spk")):
            f.write(table_line(PREFIX + utt, PREFIX + spk))
    with open(tmp / "utt2uniq", "w", encoding="utf-8") as f:
        uniq = inner_join(picked(), src.items("utt2uniq")) if src.has("utt2uniq") else \
            ((utt, None, utt) for utt, _ in picked())
        for utt, _, value in uniq:
            f.write(table_line(PREFIX + utt, value))
    for name in src.utt_tables():
        if name in AUDIO_TABLES or name in ("utt2spk", "utt2uniq"):
            continue
        with open(tmp / name, "w", encoding="utf-8") as f:
            for utt, _, value in inner_join(picked(), src.items(name)):
                f.write(table_line(PREFIX + utt, value))
    with open(tmp / DRAWS, "w", encoding="utf-8") as f:
        for utt, value in _merged(works, "draws"):
            f.write(table_line(PREFIX + utt, value))
    rows.unlink()
    write_spk2utt(tmp / "utt2spk", tmp / "spk2utt")


def make_noisy_copies(src: DataDir, out: Path, cfg: DataConfig, config_path: str | None, nj: int,
                      cmd: str, prob: float | None = None) -> dict:
    """Write the noisy-copy data dir `out` (audio in out/data); return its report. No copy drawn:
    no tables (only logs), and the report says so. prob replaces the config's noise.prob (and turns
    noise on): 1.0 gives every utterance a copy, as for a noisy test set."""
    shutil.rmtree(out, ignore_errors=True)  # nothing of an earlier run may look current
    cfg = with_noise_prob(cfg, prob)
    NoiseAugment(cfg)  # a bad noise_dir fails here, named, not in every job
    work = out / ".work"
    splits = split_by_recording(src, work / "split", nj)
    works = [work / "out" / str(j) for j in range(1, len(splits) + 1)]
    args = ["--split-dir", str(work / "split" / "JOB"), "--work-dir", str(work / "out" / "JOB"),
            "--audio-dir", str(out.resolve() / "data")]
    if config_path:
        args += ["--config", str(config_path)]
    if prob is not None:
        args += ["--noise-prob", str(prob)]
    run_jobs(cmd, nj, out / "log" / "noisy.JOB.log", "asrllm.bin.augment_train_shard", args)
    require_done([w / "stats.json" for w in works])
    stats: Counter = Counter()
    skipped: Counter = Counter()
    for w in works:
        s = json.loads((w / "stats.json").read_text())
        skipped.update(s.pop("skipped"))
        stats.update(s)
    with atomic_write(out / SKIPPED) as f:
        for utt, value in _merged(works, "skipped"):
            f.write(table_line(utt, value))
    drawn = stats["copies"] + sum(skipped.values())
    report = {"drawn": drawn, "copies": stats["copies"], "skipped": sum(skipped.values()),
              "skipped_by_reason": dict(sorted(skipped.items())),
              "hours": round(stats["samples"] / cfg.sample_rate / 3600, 4)}
    if drawn and report["skipped"] / drawn > cfg.max_bad_fraction:
        raise StageError(f"{src.root}: {report['skipped']} of the {drawn} utterances drawn for noisy copies "
                         f"could not be read (max_bad_fraction {cfg.max_bad_fraction:.1%}); list in {out / SKIPPED}")
    if stats["copies"]:
        with staged_dir(out) as tmp:
            _write_tables(src, works, tmp, cfg.sample_rate)
            ensure_valid(tmp, out, Options(require_feats=False, allow_empty_text=True))
    shutil.rmtree(work, ignore_errors=True)
    logging.info("%s: %d noisy copies (%.2f h) of %s; %d drawn utterance(s) skipped %s", out, stats["copies"],
                 report["hours"], src.root, report["skipped"], report["skipped_by_reason"] or "")
    return report
