"""Transcribe audio with a packed model folder (asrllm.bin.pack_model); prints `<key> <transcript>` lines.

    python -m asrllm.bin.transcribe --model-dir exp/asr_llm_entropy/packed audio.wav [more.flac ...]
    python -m asrllm.bin.transcribe --model-dir DIR --wav-scp wav.scp --out text [--nj 4 --cmd utils/run.pl]
    python -m asrllm.bin.transcribe --model-dir DIR --streaming --chunk-ms 640 audio.wav   (partials on stderr)

The key is the path as given (files) or the utterance id (wav.scp). Audio longer than --max-chunk-sec
is cut at low-energy points and the chunk transcripts joined. No network access is needed. An input
that cannot be read is named in one error line on stderr and left out; the others are transcribed and
written, and the exit status is then 1.
"""

import argparse
import contextlib
import sys

from asrllm.cli import run
from asrllm.data.shards import DEFAULT_CMD, check_nj
from asrllm.kaldi.table import DataError

with contextlib.redirect_stdout(sys.stderr):  # espnet prints on import; stdout is for transcripts
    import torch

    from asrllm.decode.config import parse_overrides
    from asrllm.inference import Speech2Text
    from asrllm.inference.run import default_threads, read_inputs, stream_items, transcribe_items, transcribe_parallel


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
    p.add_argument("--streaming", action="store_true", help="chunk by chunk: partials on stderr, finals on stdout")
    p.add_argument("--chunk-ms", type=int, default=None, help="--streaming: audio per chunk (decode.yaml's default)")
    p.add_argument("--verbose", action="store_true",
                   help="also print `<key> finish_reason=<eos|max_tokens|too_short>` per input on stderr "
                        "(comma-joined per chunk for chunked audio); the transcripts are unchanged")
    p.add_argument("--report", default=None, help=argparse.SUPPRESS)  # --nj jobs: JSON lines for the parent
    p.add_argument("--log-level", default="INFO", help="logging goes to stderr; transcripts to stdout / --out")
    return p


def _job_args(args) -> list[str]:
    out = ["--model-dir", args.model_dir, "--max-chunk-sec", str(args.max_chunk_sec),
           "--num-threads", str(args.num_threads or default_threads(args.nj))]
    out += ["--device", args.device] if args.device else []
    return out + [x for opt in args.opt for x in ("--opt", opt)]


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    def body() -> int:
        check_nj(args.nj)
        items = read_inputs(args.audio, args.wav_scp)
        if args.nj > 1:
            if not args.out or not args.wav_scp or args.audio or args.streaming:
                raise DataError("--nj > 1 needs --wav-scp and --out (and no positional audio, no --streaming)")
            return transcribe_parallel(items, args.out, args.nj, args.cmd, _job_args(args), args.verbose)
        if args.num_threads:
            torch.set_num_threads(args.num_threads)
        s2t = Speech2Text.from_pretrained(args.model_dir, args.device, args.max_chunk_sec, **parse_overrides(args.opt))
        if args.streaming:
            return stream_items(s2t, items, args.out, args.chunk_ms)
        return transcribe_items(s2t, items, args.out, args.verbose, args.report)

    return run("transcribe", body, args.log_level)


if __name__ == "__main__":
    sys.exit(main())
