"""Stage 5: dump Kaldi-compatible log-Mel fbank (kaldiio arks) and write DATA/feats.scp + utt2num_frames.

python -m asrllm.bin.compute_fbank --data-dir dump/filtered/train --out-dir dump/fbank/train \
    --config conf/data.yaml --nj 8 --cmd "utils/run.pl"
"""

import sys

from asrllm.data.cli import run_data_stage, stage_parser
from asrllm.features.dump import compute_fbank


def build_parser():
    p = stage_parser("compute_fbank", __doc__)
    p.add_argument("--data-dir", required=True, help="data dir with wav.scp (+ segments); gets feats.scp")
    p.add_argument("--out-dir", required=True, help="where the feats.JOB.ark files go")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run_data_stage("compute_fbank", args, lambda cfg:
                          compute_fbank(args.data_dir, args.out_dir, cfg, args.config, args.nj, args.cmd))


if __name__ == "__main__":
    sys.exit(main())
