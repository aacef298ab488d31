"""Stage 6: label units and label files (phone, char or sentencepiece BPE).

    python -m asrllm.bin.prepare_lang --unit phone --config conf/lang.yaml \
        --train-dir dump/filtered/train --lang-dir data/lang_phone dump/filtered/dev ...
    python -m asrllm.bin.prepare_lang --unit char --train-dir ... --lang-dir data/lang_char DIR ...
    python -m asrllm.bin.prepare_lang --unit bpe --bpe-size 500 --train-dir ... --lang-dir data/lang_bpe_500 DIR ...

phone: lang_dir/{lexicon.txt, phones.txt, units.txt -> phones.txt, oov_report.txt, lang.yaml}
char:  lang_dir/{units.txt, oov_report.txt, lang.yaml}
bpe:   lang_dir/{bpe.model, bpe.vocab, units.txt, lang.yaml}
and `<dir>/text.<suffix of lang_dir>` (text.phone, text.char, text.bpe_500) for the train dir and
every listed dir. See asrllm/lang/README.md.
"""

import argparse
import logging

from asrllm.cli import run
from asrllm.lang.bpe import prepare_bpe_lang
from asrllm.lang.char import prepare_char_lang
from asrllm.lang.config import LangConfig
from asrllm.lang.naming import label_table_of
from asrllm.lang.phone_lang import prepare_phone_lang

log = logging.getLogger("asrllm.bin.prepare_lang")


def get_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m asrllm.bin.prepare_lang", description=__doc__.split("\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--unit", choices=("phone", "char", "bpe"), required=True, help="label unit")
    p.add_argument("--config", default=None, help="lang config (conf/lang.yaml); None: built-in defaults (same values)")
    p.add_argument("--train-dir", required=True, help="training data dir (its text builds char/BPE units)")
    p.add_argument("--lang-dir", required=True, help="output lang dir, e.g. data/lang_phone, data/lang_bpe_500")
    p.add_argument("--bpe-size", type=int, default=None, help="BPE vocabulary size; None: bpe.size of --config")
    p.add_argument("--label-name", default=None,
                   help="label file written in each data dir; None: text.<suffix> for --lang-dir lang_<suffix>")
    p.add_argument("--nj", type=int, default=1, help="processes for phone labelling")
    p.add_argument("--log-level", default="INFO")
    p.add_argument("dirs", nargs="*", help="other data dirs to label (dev, test, ...)")
    return p


def prepare(args) -> None:
    label = args.label_name or label_table_of(args.lang_dir, args.unit)
    cfg = LangConfig.from_yaml(args.config)
    if args.unit == "phone":
        prepare_phone_lang(cfg, args.train_dir, args.dirs, args.lang_dir, label, nj=max(1, args.nj))
    elif args.unit == "char":
        prepare_char_lang(cfg, args.train_dir, args.dirs, args.lang_dir, label)
    else:
        prepare_bpe_lang(cfg, args.train_dir, args.dirs, args.lang_dir, args.bpe_size, label)


def main(argv: list[str] | None = None) -> int:
    args = get_parser().parse_args(argv)
    return run("prepare_lang", lambda: prepare(args), args.log_level)


if __name__ == "__main__":
    raise SystemExit(main())
