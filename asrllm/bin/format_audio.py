"""Stage 3: resolve wav.scp pipes/segments into audio the loader reads; write utt2dur, utt2num_samples.

python -m asrllm.bin.format_audio --in-dir data/train --out-dir dump/raw/train --config conf/data.yaml \
    --nj 8 --cmd "utils/run.pl"
"""

import argparse
import sys

from asrllm.audio.format_stage import format_audio
from asrllm.data.cli import run_stage
from asrllm.data.config import load_data_config
from asrllm.data.shards import DEFAULT_CMD, check_nj


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="format_audio", description=__doc__.splitlines()[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--in-dir", required=True, help="Kaldi data dir (wav.scp, text, [segments, utt2spk])")
    p.add_argument("--out-dir", required=True, help="formatted data dir; rewritten audio goes to OUT/data")
    p.add_argument("--config", default=None, help="data config YAML (conf/data.yaml); default: built-in defaults")
    p.add_argument("--nj", type=int, default=1, help="number of shard jobs")
    p.add_argument("--cmd", default=DEFAULT_CMD, help="Kaldi-style launcher (JOB=1:N log command)")
    p.add_argument("--log-level", default="INFO")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    def body() -> None:
        check_nj(args.nj)
        cfg = load_data_config(args.config)
        format_audio(args.in_dir, args.out_dir, cfg, args.config, args.nj, args.cmd)

    return run_stage("format_audio", body, args.log_level)


if __name__ == "__main__":
    sys.exit(main())
