"""Stage 13: entropy-allocation analysis (NSE, PAI, CSAI, CKA drift) of several encoders.

    python -m asrllm.bin.analyze --exps entropy=exp/asr_llm_entropy conventional=exp/asr_llm_conventional \
        --data-dir dump/filtered/dev --data-config conf/data.yaml --cmvn dump/global_cmvn.json \
        --lang-dir data/lang_phone --config conf/analysis.yaml --out-dir exp/asr_llm_entropy/analysis/dev

Models come from --exps (the final model of every training stage an experiment has, named
<paradigm>/<stage>) and/or --models NAME=PATH (model folders, stage folders or .pt snapshots).
Writes OUT/analysis.json (last), OUT/spans.<set>.jsonl (the reference alignment, reused when its
inputs are unchanged), OUT/figure1_entropy_allocation.png and, with a CKA record,
OUT/cka_pretraining.png. Definitions: asrllm/analysis/README.md.
"""

import argparse
import logging
import sys
from pathlib import Path

import torch

from asrllm.analysis.config import AnalysisConfig
from asrllm.analysis.inputs import ALIGNER, collect_inputs
from asrllm.analysis.run import run_analysis
from asrllm.cli import run

log = logging.getLogger("asrllm.bin.analyze")


def analyze(args: argparse.Namespace, command: list[str]) -> None:
    if args.num_threads > 0:
        torch.set_num_threads(args.num_threads)
    cfg = AnalysisConfig.load(args.config)
    inputs = collect_inputs(args.exps, args.models, args.data_dir, args.lang_dir, data_config=args.data_config,
                            cmvn=args.cmvn, snapshot_config=args.snapshot_config, reference=args.reference,
                            cka_references=args.cka_reference, cka_tsv=args.cka_tsv, swaps=args.swaps)
    log.info("models: %s; aligner: %s", " ".join(m.name for m in inputs.models), inputs.reference.path)
    run_analysis(inputs, cfg, Path(args.out_dir), command)
    log.info("wrote %s", Path(args.out_dir) / "analysis.json")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m asrllm.bin.analyze", description=__doc__.split("\n")[1],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--exps", nargs="+", action="extend", default=[], metavar="[PARADIGM=]EXP_DIR",
                   help="experiment folders; the paradigm defaults to the folder name without 'asr_llm_'")
    p.add_argument("--models", nargs="+", action="extend", default=[], metavar="NAME=PATH",
                   help="more models: NAME is <paradigm>/<stage>, PATH a model/stage folder or a .pt snapshot")
    p.add_argument("--snapshot-config", default=None,
                   help="saved model folder whose config builds .pt snapshots (default: <snapshot dir>/../final)")
    p.add_argument("--reference", default=None,
                   help=f"reference aligner with a phone CTC head (default: the model named {ALIGNER})")
    p.add_argument("--cka-reference", action="append", default=[], metavar="PARADIGM=PATH",
                   help="pre-trained encoder CKA compares a paradigm's models to (default: <paradigm>/pretrain)")
    p.add_argument("--data-dir", nargs="+", action="extend", required=True,
                   help="evaluation data dir(s) with text and text.phone (together: one evaluation set)")
    p.add_argument("--data-config", default=None, help="data config (features, CMVN, batching); default built-in")
    p.add_argument("--cmvn", default=None, help="global CMVN statistics (the training set's global_cmvn.json)")
    p.add_argument("--lang-dir", required=True, help="phone lang dir (lang.yaml: G2P options for the text units)")
    p.add_argument("--config", default=None, help="analysis config (conf/analysis.yaml); default built-in")
    p.add_argument("--out-dir", required=True, help="output folder")
    p.add_argument("--cka-tsv", default=None, help="cka.tsv of pre-training (default: the entropy exp's)")
    p.add_argument("--swaps", default=None, help="swaps.json of pre-training (default: next to the cka.tsv found)")
    p.add_argument("--num-threads", type=int, default=0,
                   help="torch CPU threads (0: torch's default); 1 is much faster for the small probes on a busy CPU")
    p.add_argument("--log-level", default="INFO")
    args = p.parse_args(argv)
    command = [sys.executable, "-m", "asrllm.bin.analyze", *sys.argv[1:]] if argv is None \
        else ["python", "-m", "asrllm.bin.analyze", *argv]
    return run("analyze", lambda: analyze(args, command), args.log_level)


if __name__ == "__main__":
    sys.exit(main())
