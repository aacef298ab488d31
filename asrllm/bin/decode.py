"""Stage 11: decode a data dir with a trained model, JOB=1:NJ through a Kaldi launcher.

    python -m asrllm.bin.decode --model-dir exp/asr_llm_entropy/joint/final \
        --data-dir dump/filtered/test_clean --data-config conf/data.yaml --cmvn dump/global_cmvn.json \
        --decode-config conf/decode.yaml --out-dir exp/asr_llm_entropy/decode_joint/test_clean \
        --nj 4 --cmd utils/run.pl [--opt beam_size=4 ...]

Several sets in one call: repeat --data-dir/--out-dir (in pairs); the model is loaded once per job.
OUT_DIR: text, token, token_int, logprob, finish_reason, text.ctc_<head>, decode.yaml, log/, rtf.json
(written last). See asrllm/decode/README.md.
"""

import argparse
import sys

from asrllm.cli import run
from asrllm.data.config import load_data_config
from asrllm.data.shards import DEFAULT_CMD, check_nj
from asrllm.decode.config import load_decode_config, parse_overrides
from asrllm.decode.run import decode_dirs
from asrllm.scoring.environment import module_command


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m asrllm.bin.decode", description=__doc__.splitlines()[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--model-dir", required=True, help="a saved model folder (<exp>/<stage>/final or a packed model)")
    p.add_argument("--data-dir", action="append", required=True,
                   help="data dir to decode (feats.scp, or wav.scp + utt2num_samples); repeatable: several sets "
                        "share the jobs, paired in order with --out-dir")
    p.add_argument("--out-dir", action="append", required=True, help="where the hypotheses go (one per --data-dir)")
    p.add_argument("--data-config", default=None, help="data/front-end config (conf/data.yaml); default: built-in")
    p.add_argument("--cmvn", default=None, help="global CMVN json (stage 5), as in training")
    p.add_argument("--decode-config", default=None, help="decode config (conf/decode.yaml); default: built-in")
    p.add_argument("--opt", action="append", default=[], metavar="KEY=VALUE",
                   help="override a decode config key (repeatable), e.g. --opt beam_size=4")
    p.add_argument("--nj", type=int, default=1, help="number of decoding jobs")
    p.add_argument("--cmd", default=DEFAULT_CMD, help="Kaldi-style launcher (JOB=1:N log command)")
    p.add_argument("--num-threads", type=int, default=None, help="torch CPU threads per job (default: cores / nj)")
    p.add_argument("--num-workers", type=int, default=None,
                   help="data-loader workers per job (default: the data config's batching.num_workers)")
    p.add_argument("--streaming", action="store_true", help="decode each utterance chunk by chunk (decode config "
                                                          "`streaming:`) and write its final transcript")
    p.add_argument("--log-level", default="INFO")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    def body() -> None:
        check_nj(args.nj)
        if len(args.data_dir) != len(args.out_dir):
            raise SystemExit(f"{len(args.data_dir)} --data-dir but {len(args.out_dir)} --out-dir: give one each")
        cfg = load_decode_config(args.decode_config, parse_overrides(args.opt))
        data_cfg = load_data_config(args.data_config)
        decode_dirs(args.model_dir, list(zip(args.data_dir, args.out_dir)), args.data_config, data_cfg, args.cmvn,
                    cfg, args.nj, args.cmd, args.num_threads, args.num_workers,
                    module_command("asrllm.bin.decode", sys.argv[1:] if argv is None else argv), args.streaming)

    return run("decode", body, args.log_level)


if __name__ == "__main__":
    sys.exit(main())
