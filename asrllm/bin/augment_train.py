"""Stage 4: noisy copies (dumped features) and non-speech clips of a clean training set, as audio + data dirs.

python -m asrllm.bin.augment_train --in-dir dump/augment/train_sp/clean --out-dir dump/augment/train_sp \
    --config conf/data.yaml --nj 8 --cmd "utils/run.pl"
python -m asrllm.bin.augment_train --config conf/data.yaml --plan   # prints the parts it would write
Writes OUT/noisy and OUT/nonspeech (asrllm/augment/offline.py); combine them with the clean set.
"""

import sys

from asrllm.augment.offline import augment_train
from asrllm.data.cli import run_data_stage, stage_parser


def build_parser():
    p = stage_parser("augment_train", __doc__)
    p.add_argument("--in-dir", help="the clean, filtered training data dir")
    p.add_argument("--out-dir", help="where the parts go (OUT/noisy, OUT/nonspeech)")
    p.add_argument("--plan", action="store_true",
                   help="print the parts the config asks for (noisy, nonspeech; empty: none) and exit")
    return p


def main(argv: list[str] | None = None) -> int:
    p = build_parser()
    args = p.parse_args(argv)
    if args.plan:
        return run_data_stage("augment_train", args, lambda cfg: print(" ".join(cfg.offline_augment_parts)))
    if not args.in_dir or not args.out_dir:
        p.error("--in-dir and --out-dir are required (or --plan)")
    return run_data_stage("augment_train", args, lambda cfg: augment_train(
        args.in_dir, args.out_dir, cfg, args.config, args.nj, args.cmd))


if __name__ == "__main__":
    sys.exit(main())
