"""Stage 13's inputs from what the command line names: the encoders of whole experiments and/or single
models, the reference aligner, the pre-trained encoder each paradigm's CKA compares to, and the
pre-training CKA record (asrllm.bin.analyze)."""

from __future__ import annotations

import logging
from pathlib import Path

from asrllm.analysis.models import ModelSpec, discover, parse_model
from asrllm.analysis.run import Inputs
from asrllm.config import ConfigError
from asrllm.data.config import load_data_config

log = logging.getLogger(__name__)
ALIGNER = "entropy/pretrain"  # the model whose phone CTC head aligns the evaluation set by default


def parse_exp(arg: str) -> tuple[str, Path]:
    """'entropy=exp/asr_llm_entropy' or 'exp/asr_llm_entropy' (paradigm from the asr_llm_ prefix)."""
    name, sep, path = arg.partition("=")
    if not sep:
        path, name = arg, Path(arg.rstrip("/")).name.removeprefix("asr_llm_")
    if not Path(path).is_dir():
        raise ConfigError(f"--exps {arg}: {path} is not a folder")
    return name, Path(path)


def collect_inputs(exps: list[str], models: list[str], data_dirs: list[str], lang_dir: str, *,
                   data_config: str | None = None, cmvn: str | None = None, snapshot_config: str | None = None,
                   reference: str | None = None, cka_references: list[str] = (), cka_tsv: str | None = None,
                   swaps: str | None = None) -> Inputs:
    """exps: [PARADIGM=]EXP_DIR; models, cka_references: NAME=PATH (see asrllm.analysis.models). Without
    cka_tsv the entropy experiment's pretrain/cka.tsv (and swaps.json beside it) is used when present."""
    specs: list[ModelSpec] = []
    named_exps = [parse_exp(a) for a in exps]
    for paradigm, exp in named_exps:
        found = discover(exp, paradigm)
        if not found:
            log.warning("%s: no <stage>/final model folder found", exp)
        specs += found
    specs += [parse_model(a, snapshot_config) for a in models]
    if not specs:
        raise ConfigError("no models: give --exps and/or --models")
    names = [m.name for m in specs]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ConfigError(f"model names given twice: {', '.join(dup)}")
    by_name = {m.name: m for m in specs}
    if reference:
        aligner = parse_model(f"reference={reference}", snapshot_config)
    elif ALIGNER in by_name:
        aligner = by_name[ALIGNER]
    else:
        raise ConfigError(f"no reference aligner: give --reference (the entropy paradigm's pretrain/final) "
                          f"or a model named {ALIGNER}")
    cka_refs = {m.paradigm: m for m in specs if m.stage == "pretrain"}
    for a in cka_references:
        spec = parse_model(a, snapshot_config)
        cka_refs[spec.name] = ModelSpec(f"{spec.name}/pretrain", spec.path, spec.config_dir)
    if cka_tsv is None:
        for paradigm, exp in named_exps:
            if paradigm == "entropy" and (exp / "pretrain" / "cka.tsv").is_file():
                cka_tsv = exp / "pretrain" / "cka.tsv"
                if swaps is None and (exp / "pretrain" / "swaps.json").is_file():
                    swaps = exp / "pretrain" / "swaps.json"
    return Inputs(models=specs, reference=aligner, data_dirs=[Path(d) for d in data_dirs],
                  data_config=load_data_config(data_config), cmvn=cmvn, lang_dir=Path(lang_dir),
                  cka_references=cka_refs, cka_tsv=Path(cka_tsv) if cka_tsv else None,
                  swaps=Path(swaps) if swaps else None)
