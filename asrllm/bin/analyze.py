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
from asrllm.analysis.models import ModelSpec, discover, parse_model
from asrllm.analysis.run import Inputs, run_analysis
from asrllm.config import ConfigError
from asrllm.data.config import load_data_config
from asrllm.kaldi.table import DataError
from asrllm.utils.log import setup_logging

log = logging.getLogger("asrllm.bin.analyze")
ALIGNER = "entropy/pretrain"


def _exp(arg: str) -> tuple[str, Path]:
    """'entropy=exp/asr_llm_entropy' or 'exp/asr_llm_entropy' (paradigm from the asr_llm_ prefix)."""
    name, sep, path = arg.partition("=")
    if not sep:
        path, name = arg, Path(arg.rstrip("/")).name.removeprefix("asr_llm_")
    if not Path(path).is_dir():
        raise ConfigError(f"--exps {arg}: {path} is not a folder")
    return name, Path(path)


def build_inputs(args: argparse.Namespace) -> Inputs:
    models: list[ModelSpec] = []
    exps = [_exp(a) for a in args.exps]
    for paradigm, exp in exps:
        found = discover(exp, paradigm)
        if not found:
            log.warning("%s: no <stage>/final model folder found", exp)
        models += found
    models += [parse_model(a, args.snapshot_config) for a in args.models]
    if not models:
        raise ConfigError("no models: give --exps and/or --models")
    names = [m.name for m in models]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ConfigError(f"model names given twice: {', '.join(dup)}")
    by_name = {m.name: m for m in models}
    if args.reference:
        reference = parse_model(f"reference={args.reference}", args.snapshot_config)
    elif ALIGNER in by_name:
        reference = by_name[ALIGNER]
    else:
        raise ConfigError(f"no reference aligner: give --reference (the entropy paradigm's pretrain/final) "
                          f"or a model named {ALIGNER}")
    cka_refs = {m.paradigm: m for m in models if m.stage == "pretrain"}
    for a in args.cka_reference:
        spec = parse_model(a, args.snapshot_config)
        cka_refs[spec.name] = ModelSpec(f"{spec.name}/pretrain", spec.path, spec.config_dir)
    cka_tsv, swaps = args.cka_tsv, args.swaps
    if cka_tsv is None:
        for paradigm, exp in exps:
            if paradigm == "entropy" and (exp / "pretrain" / "cka.tsv").is_file():
                cka_tsv = exp / "pretrain" / "cka.tsv"
                if swaps is None and (exp / "pretrain" / "swaps.json").is_file():
                    swaps = exp / "pretrain" / "swaps.json"
    return Inputs(models=models, reference=reference, data_dirs=[Path(d) for d in args.data_dir],
                  data_config=load_data_config(args.data_config), cmvn=args.cmvn, lang_dir=Path(args.lang_dir),
                  cka_references=cka_refs, cka_tsv=Path(cka_tsv) if cka_tsv else None,
                  swaps=Path(swaps) if swaps else None)


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
    setup_logging(args.log_level)
    if args.num_threads > 0:
        torch.set_num_threads(args.num_threads)
    try:
        cfg = AnalysisConfig.load(args.config)
        inputs = build_inputs(args)
        log.info("models: %s; aligner: %s", " ".join(m.name for m in inputs.models), inputs.reference.path)
        run_analysis(inputs, cfg, Path(args.out_dir), [sys.executable, "-m", "asrllm.bin.analyze", *sys.argv[1:]]
                     if argv is None else ["python", "-m", "asrllm.bin.analyze", *argv])
    except (ConfigError, DataError, FileNotFoundError, ValueError) as e:
        log.error("%s", e)
        return 1
    log.info("wrote %s", Path(args.out_dir) / "analysis.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
