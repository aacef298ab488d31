"""Stage 3: resolve wav.scp pipes/segments into audio the loader reads; write utt2dur, utt2num_samples.

python -m asrllm.bin.format_audio --in-dir data/train --out-dir dump/raw/train --config conf/data.yaml \
    --nj 8 --cmd "utils/run.pl"
"""

import sys

from asrllm.audio.format_stage import format_audio
from asrllm.data.cli import run_data_stage, stage_parser


def build_parser():
    p = stage_parser("format_audio", __doc__)
    p.add_argument("--in-dir", required=True, help="Kaldi data dir (wav.scp, text, [segments, utt2spk])")
    p.add_argument("--out-dir", required=True, help="formatted data dir; rewritten audio goes to OUT/data")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run_data_stage("format_audio", args, lambda cfg:
                          format_audio(args.in_dir, args.out_dir, cfg, args.config, args.nj, args.cmd))


if __name__ == "__main__":
    sys.exit(main())
