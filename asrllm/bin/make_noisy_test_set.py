"""Stage 4: a noisy copy of an evaluation set, every utterance padded with silence and noised the
way the training copies are (the data config's silence_pad and noise sections, noise.prob = 1).

python -m asrllm.bin.make_noisy_test_set --in-dir dump/raw/test_en --out-dir dump/filtered/test_en_noisy \
    --config conf/data.yaml --nj 4 --cmd utils/run.pl
Utterance ids are `noisy-<utt>`, the text is the source's; the audio goes under OUT/data
(asrllm/augment/noisy_copies.py). Stage 14 measures the NIM4 rule on these sets as on the clean ones.
"""

import sys
from pathlib import Path

from asrllm.augment.noisy_copies import make_noisy_copies
from asrllm.data.cli import run_data_stage, stage_parser
from asrllm.data.shards import StageError
from asrllm.kaldi.datadir import DataDir


def build_parser():
    p = stage_parser("make_noisy_test_set", __doc__)
    p.add_argument("--in-dir", required=True, help="the formatted evaluation data dir")
    p.add_argument("--out-dir", required=True, help="the noisy copy's data dir (audio in OUT/data)")
    return p


def noisy_test_set(in_dir: str, out_dir: str, cfg, config: str | None, nj: int, cmd: str) -> None:
    src = DataDir(in_dir)
    src.require("wav.scp", "text", "utt2spk")
    report = make_noisy_copies(src, Path(out_dir), cfg, config, nj, cmd, prob=1.0)
    if not report["copies"]:
        raise StageError(f"{in_dir}: no noisy copy could be written (see {out_dir}/log)")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run_data_stage("make_noisy_test_set", args, lambda cfg: noisy_test_set(
        args.in_dir, args.out_dir, cfg, args.config, args.nj, args.cmd))


if __name__ == "__main__":
    sys.exit(main())
