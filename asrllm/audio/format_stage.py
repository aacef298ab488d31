"""Stage 3: split by recording, resolve audio in JOB=1:N shards, merge into a complete data dir.

The merge joins the shards' sorted outputs with text and utt2spk as streams (only recording ids
are held in memory), counts every skipped utterance by reason, and puts the data dir in place
only when the share of bad utterances is within max_bad_fraction. Tables of an earlier run are
removed first, so a failed run never leaves an old or partial dir that looks complete.
"""

import contextlib
import heapq
import json
import logging
import shutil
from collections import Counter
from pathlib import Path
from typing import Iterator

from asrllm.audio.errors import BAD_TEXT, NO_AUDIO, NO_TEXT
from asrllm.data.config import DataConfig
from asrllm.data.lines import read_text_lenient
from asrllm.data.shards import StageError, iter_sorted_lines, require_done, run_jobs, split_by_recording
from asrllm.kaldi.datadir import DataDir
from asrllm.kaldi.sorted_join import inner_join, join_sorted
from asrllm.kaldi.speakers import write_spk2utt
from asrllm.kaldi.staging import staged_dir
from asrllm.kaldi.table import DataError, read_table, table_line
from asrllm.utils.atomic import atomic_write

NO_SPEAKER = "no-speaker"
REPORT = "format.report.json"
SKIPPED = "format.skipped"
OWN_TABLES = ("wav.scp", "segments", "text", "utt2spk", "spk2utt", "utt2dur", "utt2num_samples")


def _extra_utt_tables(src: DataDir) -> list[str]:
    """Other per-utterance tables to carry over (text.*, utt2*), subset to the kept utterances."""
    skip = {"utt2spk", "utt2dur", "utt2num_samples", "utt2num_frames"}
    return sorted(p.name for p in src.root.iterdir() if p.is_file() and p.name not in skip and
                  (p.name.startswith("text.") or p.name.startswith("utt2")))


def _audio_stream(works: list[Path], has_segments: bool) -> Iterator[tuple[str, tuple]]:
    """(utt, ('ok', n, seg_or_path) | ('skip', reason_and_message)) over all shards, sorted."""
    def ok(work: Path):
        other = "segments" if has_segments else "wav.scp"
        for (utt, n), (utt2, v) in zip(iter_sorted_lines(work / "utt2num_samples"),
                                       iter_sorted_lines(work / other), strict=True):
            if utt != utt2:
                raise StageError(f"{work}: utt2num_samples and {other} disagree at '{utt}' / '{utt2}'")
            yield utt, ("ok", int(n), v)

    def bad(work: Path):
        for utt, v in iter_sorted_lines(work / "skipped"):
            yield utt, ("skip", v)

    streams = [ok(w) for w in works] + [bad(w) for w in works]
    return heapq.merge(*streams, key=lambda kv: kv[0])


def _merged_stream(src: DataDir, works: list[Path], has_segments: bool):
    """(utt, audio, text, spk) for every utterance any input table names."""
    def texts():
        for utt, value, _ in read_text_lenient(src.file("text")):
            yield utt, (value,)  # wrapped: join_sorted reserves None for "absent"

    both = ((k, (a, t)) for k, a, t in join_sorted(_audio_stream(works, has_segments), texts()))
    spk = src.items("utt2spk") if src.has("utt2spk") else iter(())
    for utt, at, s in join_sorted(both, spk):
        a, t = at if at is not None else (None, None)
        yield utt, a, (t[0] if t is not None else None, t is not None), s


def merge_shards(src: DataDir, works: list[Path], out: Path, sample_rate: int, max_bad: float) -> dict:
    """Write the formatted data dir into `out` (a staging dir); return the report."""
    has_segments = src.has_segments
    skipped: Counter = Counter()
    kept = 0
    samples = 0
    used_recos: set[str] = set()
    names = ["text", "utt2spk", "utt2num_samples", "utt2dur", "segments" if has_segments else "wav.scp"]
    with contextlib.ExitStack() as stack:
        files = {n: stack.enter_context(open(out / n, "w", encoding="utf-8")) for n in names}
        skip_f = stack.enter_context(open(out / SKIPPED, "w", encoding="utf-8"))

        def skip(utt: str, reason: str, message: str) -> None:
            if reason in (NO_AUDIO, NO_TEXT, BAD_TEXT, NO_SPEAKER):  # (shards logged their own)
                logging.warning("skipping utterance '%s' (%s): %s", utt, reason, message)
            skipped[reason] += 1
            skip_f.write(table_line(utt, f"{reason} {message}"))

        for utt, audio, (text, has_text), spk in _merged_stream(src, works, has_segments):
            if audio is None:
                skip(utt, NO_AUDIO, "no wav.scp/segments entry for this utterance")
            elif audio[0] == "skip":
                reason, _, message = audio[1].partition(" ")
                skip(utt, reason, message)
            elif not has_text:
                skip(utt, NO_TEXT, f"no transcript in {src.file('text')}")
            elif text is None:
                skip(utt, BAD_TEXT, f"transcript in {src.file('text')} is not valid UTF-8")
            elif spk is None and src.has("utt2spk"):
                skip(utt, NO_SPEAKER, f"not in {src.file('utt2spk')}")
            else:
                _, n, value = audio
                files["text"].write(table_line(utt, text))
                files["utt2spk"].write(table_line(utt, spk or utt))
                files["utt2num_samples"].write(table_line(utt, str(n)))
                files["utt2dur"].write(table_line(utt, f"{n / sample_rate:.4f}"))
                files["segments" if has_segments else "wav.scp"].write(table_line(utt, value))
                if has_segments:
                    used_recos.add(value.split(maxsplit=1)[0])
                kept += 1
                samples += n
    total = kept + sum(skipped.values())
    report = {"utterances": total, "kept": kept, "skipped": sum(skipped.values()),
              "skipped_by_reason": dict(sorted(skipped.items())),
              "bad_fraction": round(sum(skipped.values()) / total, 6) if total else 0.0,
              "max_bad_fraction": max_bad, "hours": round(samples / sample_rate / 3600, 4)}
    if has_segments:
        with open(out / "wav.scp", "w", encoding="utf-8") as f:
            for work in works:
                for reco, path in iter_sorted_lines(work / "wav.scp"):
                    if reco in used_recos:
                        f.write(table_line(reco, path))
    write_spk2utt(out / "utt2spk", out / "spk2utt")
    for name in _extra_utt_tables(src):
        keys = ((k, True) for k, _, _ in read_table(out / "utt2num_samples"))
        with open(out / name, "w", encoding="utf-8") as f:
            for key, _, value in inner_join(keys, src.items(name)):
                f.write(table_line(key, value))
    if src.has("spk2gender"):
        speakers = ((k, True) for k, _, _ in read_table(out / "spk2utt"))
        with open(out / "spk2gender", "w", encoding="utf-8") as f:
            for key, _, value in inner_join(speakers, src.items("spk2gender")):
                f.write(table_line(key, value))
    return report


def _sum_stats(works: list[Path]) -> Counter:
    total: Counter = Counter()
    for w in works:
        stats = json.loads((w / "stats.json").read_text())
        stats.pop("skipped", None)
        total.update(stats)
    return total


def format_audio(in_dir: str, out_dir: str, cfg: DataConfig, config_path: str | None, nj: int, cmd: str) -> dict:
    """Run stage 3 from in_dir to out_dir; StageError when shards fail or too much input is bad."""
    src = DataDir(in_dir)
    src.require("wav.scp", "text")
    out = Path(out_dir)
    if out.resolve() == src.root.resolve():
        raise DataError(f"--out-dir {out_dir} is the input data dir; write the formatted dir elsewhere")
    out.mkdir(parents=True, exist_ok=True)
    known = DataDir(out).known_names() | set(OWN_TABLES) | {REPORT, SKIPPED}
    for name in known:  # nothing of an earlier run may look complete while this one runs
        (out / name).unlink(missing_ok=True)
    work = out / ".work"
    shutil.rmtree(work, ignore_errors=True)
    for old in (out / "data").glob("format.*"):  # audio rewritten by an earlier run (ours only)
        shutil.rmtree(old, ignore_errors=True)
    splits = split_by_recording(src, work / "split", nj)
    works = [work / "out" / str(j) for j in range(1, len(splits) + 1)]
    args = ["--split-dir", str(work / "split" / "JOB"), "--work-dir", str(work / "out" / "JOB"),
            "--dump-dir", str(out.resolve() / "data" / "format.JOB")]
    if config_path:
        args += ["--config", str(config_path)]
    run_jobs(cmd, nj, out / "log" / "format.JOB.log", "asrllm.bin.format_audio_shard", args)
    require_done([w / "stats.json" for w in works])
    stats = _sum_stats(works)
    report: dict = {}
    with staged_dir(out, known_names=known) as tmp:
        report = merge_shards(src, works, tmp, cfg.sample_rate, cfg.max_bad_fraction)
        report.update(recordings=stats["recordings"], recordings_failed=stats["recordings_failed"],
                      referenced=stats["recordings"] - stats["dumped"], dumped=stats["dumped"],
                      resampled=stats["resampled"])
        logging.info("%s: %d of %d utterances kept (%.2f h), %d skipped %s; %d recording(s) resampled to %d Hz, "
                     "%d rewritten to %s, %d referenced in place", out, report["kept"], report["utterances"],
                     report["hours"], report["skipped"], report["skipped_by_reason"], report["resampled"],
                     cfg.sample_rate, report["dumped"], out / "data", report["referenced"])
        if report["bad_fraction"] > cfg.max_bad_fraction or report["kept"] == 0:
            report["status"] = "failed"
            shutil.copyfile(tmp / SKIPPED, out / SKIPPED)
            with atomic_write(out / REPORT) as f:
                json.dump(report, f, indent=1)
            raise StageError(f"{out}: {report['skipped']} of {report['utterances']} utterances are bad input "
                             f"({report['bad_fraction']:.1%} > max_bad_fraction {cfg.max_bad_fraction:.1%}); "
                             f"reasons {report['skipped_by_reason']}; list in {out / SKIPPED}"
                             if report["kept"] else f"{out}: no usable utterance; list in {out / SKIPPED}")
        report["status"] = "ok"
        with open(tmp / REPORT, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=1)
    shutil.rmtree(work, ignore_errors=True)
    return report
