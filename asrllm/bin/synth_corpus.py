"""Synthesise the mini recipe's bilingual corpus and write its Kaldi data dirs.

Writes <data-dir>/{train,dev,test_en,test_zh,test_en_unseen,test_zh_unseen}/{wav.scp,text,utt2spk,
spk2utt} with audio cached under <cache-dir>, and the sentences the text LM may train on (the
grammar draw minus every dev/test sentence) as plain lines in <data-dir>/local/lm_text/train.txt.
Deterministic from --seed; re-running only synthesises audio that is not cached yet.
"""

import argparse
import json
import logging
from pathlib import Path

from asrllm.synth.corpus import CorpusSize, plan_corpus, split_names, synthesize_all, write_corpus
from asrllm.utils.atomic import atomic_write
from asrllm.utils.log import setup_logging

log = logging.getLogger(__name__)


def str2bool(value: str) -> bool:
    if value not in ("true", "false"):
        raise argparse.ArgumentTypeError(f"expected true or false, got {value!r}")
    return value == "true"


def get_parser() -> argparse.ArgumentParser:
    demo, smoke = CorpusSize(), CorpusSize.smoke()
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--data-dir", type=Path, default=Path("data"), help="where the data dirs go")
    p.add_argument("--cache-dir", type=Path, default=Path("downloads/mini_corpus/wav"),
                   help="audio cache (wav.scp holds absolute paths into it)")
    p.add_argument("--seed", type=int, default=1, help="seed of the sentence draw and voice assignment")
    p.add_argument("--smoke", type=str2bool, default="false", help="toy sizes instead of demo sizes")
    for name, what in [("num_sentences", "distinct sentences drawn per language"),
                       ("num_train", "training utterances per language"),
                       ("num_dev", "dev utterances per language"), ("num_test", "utterances per test set")]:
        p.add_argument("--" + name.replace("_", "-"), type=int, default=argparse.SUPPRESS,
                       help=f"{what} (default: {getattr(demo, name)}, smoke {getattr(smoke, name)})")
    p.add_argument("--nj", type=int, default=2, help="parallel synthesis jobs")
    p.add_argument("--log-level", default="INFO")
    return p


def main(argv: list[str] | None = None) -> None:
    args = get_parser().parse_args(argv)
    setup_logging(args.log_level)
    base = CorpusSize.smoke() if args.smoke else CorpusSize()
    size = CorpusSize(**{k: getattr(args, k, getattr(base, k))
                         for k in ("num_sentences", "num_train", "num_dev", "num_test")})
    log.info("corpus size %s, seed %d", size, args.seed)
    plan = plan_corpus(args.seed, size)
    synthesize_all(plan.utterances, args.cache_dir, args.nj)
    lm_text = write_corpus(plan, args.cache_dir, args.data_dir)
    counts = {s: sum(u.split == s for u in plan.utterances) for s in split_names()}
    with atomic_write(args.data_dir / "local" / "corpus.json") as f:
        json.dump({"seed": args.seed, "size": size.__dict__, "utterances": counts,
                   "lm_sentences": {k: len(v) for k, v in plan.lm_sentences.items()}}, f, indent=1)
        f.write("\n")
    log.info("wrote %s and %s", ", ".join(f"{args.data_dir}/{s}" for s in split_names()), lm_text)


if __name__ == "__main__":
    main()
