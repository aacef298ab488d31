"""The work of `python -m asrllm.bin.transcribe` (the CLI only parses arguments): inputs -> `key text` lines.

An input that cannot be read (missing file, not audio, failed pipe) is reported on stderr as one error
line naming it; the other inputs are transcribed and written, and the run returns exit status 1.
`verbose` adds one stderr line per input, `<key> finish_reason=<reason>` (eos | max_tokens |
too_short; comma-joined per chunk for chunked audio), so stdout / --out stay a two-column Kaldi text.
With nj > 1 each job also writes a report (JSON lines: key and finish_reason or error) that the
parent reads, so failures and finish reasons are reported as by a single job.
"""

import contextlib
import json
import logging
import os
import shutil
import sys
from pathlib import Path

from asrllm.data.shards import StageError, run_jobs
from asrllm.kaldi.table import DataError, read_table, table_line
from asrllm.utils.atomic import atomic_write

GROUP = 64  # inputs handed to Speech2Text.transcribe at a time
log = logging.getLogger("asrllm.transcribe")


def read_inputs(audio: list[str], wav_scp: str | None) -> list[tuple[str, str]]:
    """(key, audio) pairs: the paths as given, then the wav.scp entries."""
    items = [(a, a) for a in audio]
    if wav_scp:
        items += [(k, v) for k, v, _ in read_table(wav_scp)]
    if not items:
        raise DataError("nothing to transcribe: give audio files or --wav-scp")
    return items


def report_rows(rows: list[dict], verbose: bool) -> int:
    """Log each failed input (one line naming it) and, if verbose, each finish reason; returns the failures."""
    bad = 0
    for row in rows:
        if "error" in row:
            log.error("%s: %s", row["key"], row["error"])
            bad += 1
        elif verbose:
            print(f"{row['key']} finish_reason={row['finish_reason']}", file=sys.stderr, flush=True)
    if bad:
        log.error("%d of %d input(s) could not be read; the others were transcribed", bad, len(rows))
    return bad


def transcribe_items(s2t, items: list[tuple[str, str]], out: str | None, verbose: bool = False,
                     report: str | None = None) -> int:
    """Transcribe items into out (Kaldi text) or stdout; returns 1 if an input could not be read, else 0."""
    if out and any(any(c.isspace() for c in k) for k, _ in items):
        raise DataError("a key contains whitespace: it cannot go into a Kaldi text file (use --wav-scp ids)")
    rows = []
    with atomic_write(out) if out else contextlib.nullcontext(sys.stdout) as f:
        for i in range(0, len(items), GROUP):
            group = items[i:i + GROUP]
            for (key, _), t in zip(group, s2t.transcribe([v for _, v in group], skip_errors=True)):
                if t.error:
                    rows.append({"key": key, "error": t.error})
                else:
                    rows.append({"key": key, "finish_reason": t.finish_reason})
                    f.write(table_line(key, t.text))
            f.flush()
    if out:
        log.info("wrote %d transcripts to %s", sum("error" not in row for row in rows), out)
    if report:  # for the parent of a --nj run: it reports the rows itself
        with atomic_write(report) as r:
            r.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        return 1 if any("error" in row for row in rows) else 0
    return 1 if report_rows(rows, verbose) else 0


def transcribe_parallel(items: list[tuple[str, str]], out: str, nj: int, cmd: str, job_args: list[str],
                        verbose: bool = False) -> int:
    """Split items into nj contiguous parts, transcribe each as a job (`asrllm.bin.transcribe job_args`),
    concatenate the parts in order; returns 1 if an input could not be read. A job that stops without
    writing its part fails the run (StageError)."""
    work = Path(f"{out}.work")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    n = len(items)
    for j in range(1, nj + 1):
        with open(work / f"wav.{j}.scp", "w", encoding="utf-8") as f:
            for key, value in items[(j - 1) * n // nj:j * n // nj]:
                f.write(table_line(key, value))
    job_args = job_args + ["--wav-scp", str(work / "wav.JOB.scp"), "--out", str(work / "text.JOB"),
                           "--report", str(work / "report.JOB")]
    try:
        run_jobs(cmd, nj, work / "log" / "transcribe.JOB.log", "asrllm.bin.transcribe", job_args)
    except StageError:  # a job with unreadable inputs exits 1 after writing its part; a crashed one did not
        if not all((work / f"report.{j}").is_file() and (work / f"text.{j}").is_file() for j in range(1, nj + 1)):
            raise
    rows = []
    with atomic_write(out) as f:
        for j in range(1, nj + 1):
            part = work / f"text.{j}"
            if not part.is_file():
                raise StageError(f"job {j} wrote no {part}; see {work / 'log'}")
            f.write(part.read_text(encoding="utf-8"))
            with open(work / f"report.{j}", encoding="utf-8") as r:
                rows += [json.loads(line) for line in r]
    shutil.rmtree(work)
    log.info("wrote %d transcripts to %s", sum("error" not in row for row in rows), out)
    return 1 if report_rows(rows, verbose) else 0


def default_threads(nj: int) -> int:
    return max(1, (os.cpu_count() or 1) // nj)


def stream_items(s2t, items: list[tuple[str, str]], out: str | None, chunk_ms: int | None) -> int:
    """Streaming (--streaming): each input chunk by chunk. Partials go to stderr as
    `<key> partial <chunk> <stable|unstable> <compute ms>ms: <text>`; the final text of the input (its
    segments joined) to stdout / out as `<key> <text>`. Returns 1 if an input could not be read."""
    from asrllm.audio.errors import AudioError
    from asrllm.inference.chunking import join_texts

    overrides = {"chunk_ms": chunk_ms} if chunk_ms else {}
    bad = 0
    with atomic_write(out) if out else contextlib.nullcontext(sys.stdout) as f:
        for key, value in items:
            finals = []
            try:
                for r in s2t.stream(value, **overrides):
                    if r.final:
                        finals.append(r.text)
                    else:
                        print(f"{key} partial {r.chunk} {'stable' if r.stable else 'unstable'} "
                              f"{r.compute_ms:.0f}ms: {r.text}", file=sys.stderr, flush=True)
            except (AudioError, OSError, ValueError) as e:
                log.error("%s: %s", key, e)
                bad += 1
                continue
            f.write(table_line(key, join_texts(finals)))
            f.flush()
    return 1 if bad else 0
