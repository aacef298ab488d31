"""Transcribe audio with a packed model folder (asrllm.bin.pack_model); prints `<key> <transcript>` lines.

    python -m asrllm.bin.transcribe --model-dir exp/asr_llm_entropy/packed audio.wav [more.flac ...]
    python -m asrllm.bin.transcribe --model-dir DIR --wav-scp wav.scp --out text [--nj 4 --cmd utils/run.pl]

The key is the path as given (files) or the utterance id (wav.scp). Audio longer than --max-chunk-sec
is cut at low-energy points and the chunk transcripts joined. No network access is needed.
"""

import argparse
import contextlib
import logging
import os
import shutil
import sys
from pathlib import Path

from asrllm.data.cli import run_stage
from asrllm.data.shards import DEFAULT_CMD, StageError, check_nj, run_jobs
from asrllm.kaldi.table import DataError, read_table, table_line
from asrllm.utils.atomic import atomic_write

GROUP = 64  # inputs handed to Speech2Text.transcribe at a time


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m asrllm.bin.transcribe", description=__doc__.splitlines()[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--model-dir", required=True, help="a packed model folder")
    p.add_argument("audio", nargs="*", help="audio files")
    p.add_argument("--wav-scp", default=None, help="a Kaldi wav.scp (files, pipes or ark entries)")
    p.add_argument("--out", default=None, help="write Kaldi `text` here instead of printing")
    p.add_argument("--nj", type=int, default=1, help="parallel jobs over --wav-scp (needs --out)")
    p.add_argument("--cmd", default=DEFAULT_CMD, help="Kaldi-style launcher for --nj > 1")
    p.add_argument("--device", default=None, help="cpu | cuda | cuda:N (default: decode.yaml's device)")
    p.add_argument("--max-chunk-sec", type=float, default=30.0, help="longer audio is cut into chunks")
    p.add_argument("--opt", action="append", default=[], metavar="KEY=VALUE",
                   help="override a decode.yaml key, e.g. --opt beam_size=4")
    p.add_argument("--num-threads", type=int, default=None, help="torch CPU threads")
    p.add_argument("--log-level", default="INFO", help="logging goes to stderr; transcripts to stdout / --out")
    return p


def _inputs(args) -> list[tuple[str, str]]:
    items = [(a, a) for a in args.audio]
    if args.wav_scp:
        items += [(k, v) for k, v, _ in read_table(args.wav_scp)]
    if not items:
        raise DataError("nothing to transcribe: give audio files or --wav-scp")
    return items


def _transcribe(args, items: list[tuple[str, str]]) -> None:
    with contextlib.redirect_stdout(sys.stderr):  # espnet prints on import; stdout is for transcripts
        import torch

        from asrllm.bin.decode import parse_opts
        from asrllm.inference import Speech2Text

    if args.num_threads:
        torch.set_num_threads(args.num_threads)
    s2t = Speech2Text.from_pretrained(args.model_dir, args.device, args.max_chunk_sec, **parse_opts(args.opt))
    if args.out and any(any(c.isspace() for c in k) for k, _ in items):
        raise DataError("a key contains whitespace: it cannot go into a Kaldi text file (use --wav-scp ids)")
    with atomic_write(args.out) if args.out else contextlib.nullcontext(sys.stdout) as f:
        for i in range(0, len(items), GROUP):
            group = items[i:i + GROUP]
            for (key, _), t in zip(group, s2t.transcribe([v for _, v in group])):
                f.write(table_line(key, t.text))
            f.flush()


def _parallel(args, items: list[tuple[str, str]]) -> None:
    """Split the wav.scp into nj contiguous parts, run one transcribe per part, concatenate in order."""
    work = Path(f"{args.out}.work")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    n = len(items)
    for j in range(1, args.nj + 1):
        with open(work / f"wav.{j}.scp", "w", encoding="utf-8") as f:
            for key, value in items[(j - 1) * n // args.nj:j * n // args.nj]:
                f.write(table_line(key, value))
    job_args = ["--model-dir", args.model_dir, "--wav-scp", str(work / "wav.JOB.scp"), "--out",
                str(work / "text.JOB"), "--max-chunk-sec", str(args.max_chunk_sec),
                "--num-threads", str(args.num_threads or max(1, (os.cpu_count() or 1) // args.nj))]
    if args.device:
        job_args += ["--device", args.device]
    for opt in args.opt:
        job_args += ["--opt", opt]
    run_jobs(args.cmd, args.nj, work / "log" / "transcribe.JOB.log", "asrllm.bin.transcribe", job_args)
    with atomic_write(args.out) as out:
        for j in range(1, args.nj + 1):
            part = work / f"text.{j}"
            if not part.is_file():
                raise StageError(f"job {j} wrote no {part}; see {work / 'log'}")
            out.write(part.read_text(encoding="utf-8"))
    shutil.rmtree(work)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    def body() -> None:
        check_nj(args.nj)
        items = _inputs(args)
        if args.nj > 1:
            if not args.out or not args.wav_scp or args.audio:
                raise DataError("--nj > 1 needs --wav-scp and --out (and no positional audio)")
            _parallel(args, items)
        else:
            _transcribe(args, items)
        if args.out:
            logging.getLogger("asrllm.transcribe").info("wrote %d transcripts to %s", len(items), args.out)

    return run_stage("transcribe", body, args.log_level)


if __name__ == "__main__":
    sys.exit(main())
