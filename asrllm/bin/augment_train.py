"""Stage 4: noisy copies (dumped features) and non-speech clips of a clean training set, as audio + data dirs.

python -m asrllm.bin.augment_train --in-dir dump/augment/train_sp/clean --out-dir dump/augment/train_sp \
    --config conf/data.yaml --nj 8 --cmd "utils/run.pl"
Writes OUT/noisy and OUT/nonspeech (asrllm/augment/offline.py); combine them with the clean set. Which parts
the config asks for: python -m asrllm.bin.data_plan.
"""

import sys

from asrllm.augment.offline import augment_train
from asrllm.data.cli import run_data_stage, stage_parser


def build_parser():
    p = stage_parser("augment_train", __doc__)
    p.add_argument("--in-dir", required=True, help="the clean, filtered training data dir")
    p.add_argument("--out-dir", required=True, help="where the parts go (OUT/noisy, OUT/nonspeech)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run_data_stage("augment_train", args, lambda cfg: augment_train(
        args.in_dir, args.out_dir, cfg, args.config, args.nj, args.cmd))


if __name__ == "__main__":
    sys.exit(main())
