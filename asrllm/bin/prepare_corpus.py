"""Stage 1 for the corpus recipes: a corpus release in its own layout -> Kaldi data dirs.

    python -m asrllm.bin.prepare_corpus aishell --root $AISHELL --datadir data [--sets train dev test]
    python -m asrllm.bin.prepare_corpus librispeech --root $LIBRISPEECH --datadir data \
        [--sets train_960 dev dev_clean dev_other test_clean test_other]
    python -m asrllm.bin.prepare_corpus wenetspeech --root $WENETSPEECH --datadir data --train-subset L \
        [--eval-subsets DEV TEST_NET TEST_MEETING]
    python -m asrllm.bin.prepare_corpus gigaspeech --root $GIGASPEECH --datadir data --train-subset XL \
        [--eval-subsets DEV TEST]

Writes <datadir>/<set>/{wav.scp,text,utt2spk,spk2utt[,segments,spk2gender]} (sorted, validated,
installed only when complete) and <datadir>/local/<corpus>/{prep.json,dropped.txt}.
"""

import argparse
import sys

from asrllm.cli import run
from asrllm.corpora import aishell, librispeech
from asrllm.corpora.builder import DEFAULT_SORT_BUFFER
from asrllm.corpora.gigaspeech import GIGASPEECH
from asrllm.corpora.manifest import ManifestCorpus, prepare_manifest
from asrllm.corpora.wenetspeech import WENETSPEECH

MANIFEST_CORPORA = {"wenetspeech": (WENETSPEECH, "L"), "gigaspeech": (GIGASPEECH, "XL")}


def add_common(p: argparse.ArgumentParser, root_var: str) -> None:
    p.add_argument("--root", required=True, help=f"corpus root (${root_var} in the recipe's db.sh)")
    p.add_argument("--datadir", default="data", help="where the data dirs go")
    p.add_argument("--sort-buffer", default=DEFAULT_SORT_BUFFER, help="memory for `sort -S` (tables are sorted on disk)")
    p.add_argument("--no-validate", action="store_true",
                   help="skip validate_data_dir's checks of the result (the recipe driver runs them after stage 1)")
    p.add_argument("--log-level", default="INFO")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m asrllm.bin.prepare_corpus", description=__doc__.splitlines()[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    sub = p.add_subparsers(dest="corpus", required=True, metavar="CORPUS")
    fmt = argparse.ArgumentDefaultsHelpFormatter
    a = sub.add_parser("aishell", help="AISHELL-1 (OpenSLR 33)", formatter_class=fmt)
    add_common(a, "AISHELL")
    a.add_argument("--sets", nargs="+", default=list(aishell.SPLITS), choices=aishell.SPLITS)
    ls = sub.add_parser("librispeech", help="LibriSpeech (OpenSLR 12)", formatter_class=fmt)
    add_common(ls, "LIBRISPEECH")
    ls.add_argument("--sets", nargs="+", default=list(librispeech.DEFAULT_SETS),
                    help="data dirs: a part with underscores (train_clean_100 ...) or "
                         + ", ".join(f"{k} (= {' + '.join(v)})" for k, v in librispeech.COMBINED.items()))
    for name, (corpus, default) in MANIFEST_CORPORA.items():
        m = sub.add_parser(name, help=f"{corpus.manifest} + audio/", formatter_class=fmt)
        add_common(m, name.upper())
        m.add_argument("--train-subset", nargs="*", default=[default],
                       help=f"training subset label(s) ({', '.join(sorted(corpus.train_labels))}); none: no training dir")
        m.add_argument("--eval-subsets", nargs="*", default=list(corpus.eval_labels),
                       help="evaluation subset labels")
        m.add_argument("--no-check-audio", action="store_true",
                       help="do not check that each recording's audio file exists")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    validate = not args.no_validate

    def body() -> None:
        if args.corpus == "aishell":
            aishell.prepare_aishell(args.root, args.datadir, tuple(args.sets), args.sort_buffer, validate)
        elif args.corpus == "librispeech":
            librispeech.prepare_librispeech(args.root, args.datadir, tuple(args.sets), args.sort_buffer, validate)
        else:
            corpus: ManifestCorpus = MANIFEST_CORPORA[args.corpus][0]
            prepare_manifest(corpus, args.root, args.datadir, [*args.train_subset, *args.eval_subsets],
                             args.sort_buffer, check_audio=not args.no_check_audio, validate=validate)

    return run(f"prepare_corpus {args.corpus}", body, args.log_level)


if __name__ == "__main__":
    sys.exit(main())
