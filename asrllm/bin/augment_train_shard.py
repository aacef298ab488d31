"""Stage 4, one shard of the noisy copies (run by augment_train through the launcher, JOB=1:N)."""

import sys
from pathlib import Path

from asrllm.augment.noisy_copies import with_noise_prob
from asrllm.augment.noisy_shard import noisy_shard
from asrllm.data.cli import run_data_stage, stage_parser


def build_parser():
    p = stage_parser("augment_train_shard", __doc__, sharded=False)
    p.add_argument("--split-dir", required=True, help="this shard's wav.scp (+ segments)")
    p.add_argument("--work-dir", required=True, help="where the shard writes its tables and stats.json")
    p.add_argument("--audio-dir", required=True, help="where the noisy copies' audio goes")
    p.add_argument("--noise-prob", type=float, default=None, help="replaces the config's noise.prob")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run_data_stage("augment_train_shard", args, lambda cfg: noisy_shard(
        Path(args.split_dir), Path(args.work_dir), Path(args.audio_dir), with_noise_prob(cfg, args.noise_prob)))


if __name__ == "__main__":
    sys.exit(main())
