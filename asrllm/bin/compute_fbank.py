"""Stage 5: dump Kaldi-compatible log-Mel fbank (kaldiio arks) and write DATA/feats.scp + utt2num_frames.

python -m asrllm.bin.compute_fbank --data-dir dump/filtered/train --out-dir dump/fbank/train \
    --config conf/data.yaml --nj 8 --cmd "utils/run.pl"
"""

import argparse
import sys

from asrllm.data.cli import run_stage
from asrllm.data.config import load_data_config
from asrllm.data.shards import DEFAULT_CMD, check_nj
from asrllm.features.dump import compute_fbank


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="compute_fbank", description=__doc__.splitlines()[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--data-dir", required=True, help="data dir with wav.scp (+ segments); gets feats.scp")
    p.add_argument("--out-dir", required=True, help="where the feats.JOB.ark files go")
    p.add_argument("--config", default=None,
                   help="data config YAML (fbank section); default: 80 bins, 25/10 ms, dither 0")
    p.add_argument("--nj", type=int, default=1, help="number of shard jobs")
    p.add_argument("--cmd", default=DEFAULT_CMD, help="Kaldi-style launcher (JOB=1:N log command)")
    p.add_argument("--log-level", default="INFO")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    def body() -> None:
        check_nj(args.nj)
        cfg = load_data_config(args.config)
        compute_fbank(args.data_dir, args.out_dir, cfg, args.config, args.nj, args.cmd)

    return run_stage("compute_fbank", body, args.log_level)


if __name__ == "__main__":
    sys.exit(main())
