"""One training stage of the recipe (7 pre-training, 8 alignment, 9 IA-SFT, 10 joint SFT), as
`python -m asrllm.bin.train` runs it: the stage config merged over the model config, the CTC heads
and their label sets, the objective, the initial weights (previous stage, a supplied encoder, the
first CKA snapshot), the hooks (CKA monitor, encoder swaps, drift), then the trainer.
"""

import copy
import logging
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

import torch
import yaml

from asrllm.analysis.evalset import evenly_spaced
from asrllm.augment.specaug import SpecAugment
from asrllm.config import ConfigError, load_config
from asrllm.data.config import load_data_config
from asrllm.loading.dataset import SpeechDataset
from asrllm.loading.loader import SpeechBatches, batch_plan
from asrllm.lang.naming import label_table_of
from asrllm.lang.units import read_units
from asrllm.models.build import build_model, from_pretrained, load_model_config, save_pretrained
from asrllm.models.ctc_head import MLPCTCHead
from asrllm.models.objective import Objective
from asrllm.scoring.align import align
from asrllm.training.drift import EncoderDrift
from asrllm.training.hotswap import CKAMonitor, EncoderSwap, encoder_outputs, load_snapshot
from asrllm.training.labels import LabelCollate
from asrllm.training.rng import seed_everything
from asrllm.training.stage_config import StageConfig, stage_config_data
from asrllm.training.swaps import first_snapshot
from asrllm.training.trainer import Trainer
from asrllm.utils.atomic import atomic_write

log = logging.getLogger("asrllm.train")


@dataclass
class StageArgs:
    """What one stage is run with: `python -m asrllm.bin.train`'s options, one field each (see its
    --help). The files that define the stage come first; the data and output folders only matter to
    train(), not to resolve_stage()."""

    config: str                            # stage config
    data_config: str | None = None         # None: the built-in data config
    model_config: str | None = None        # model size config under the stage config
    scale_config: str | None = None        # conf/scale/<scale>.yaml (asrllm/training/stage_config.py)
    lang: list[str] = field(default_factory=list)  # HEAD=LANG_DIR label sets of CTC heads
    llm: str | None = None                 # overrides model.llm.path
    allow_download: bool = False
    init_model: str | None = None          # saved model folder of the previous stage
    init_encoder: str | None = None        # encoder snapshot .pt or saved model folder
    swaps: str | None = None               # pre-training swaps.json
    seed: int | None = None                # overrides train.seed
    train_dir: str | None = None
    valid_dir: str | None = None
    cmvn: str | None = None
    out_dir: str | None = None
    num_workers: int | None = None         # None: the data config's


def resolve_heads(cfg: StageConfig, model_cfg: dict, langs: list[str]) -> dict[str, tuple[str, str]]:
    """Fill in CTC heads' unit lists; return {head: (label table, units)} for the heads the loss uses.

    Heads come from the stage config or, when it names none, from the model it starts from.
    --lang HEAD=LANG_DIR gives a head its units (LANG_DIR/units.txt) and labels (text.<suffix>).
    """
    given = {}
    for item in langs:
        head, sep, lang_dir = item.partition("=")
        if not sep:
            raise ConfigError(f"--lang {item!r}: expected HEAD=LANG_DIR")
        given[head] = (label_table_of(lang_dir, head), str(Path(lang_dir) / "units.txt"))
    heads = model_cfg.get("ctc_heads") or {}
    for head, hcfg in heads.items():
        if "units" not in hcfg:
            if head not in given:
                raise ConfigError(f"model.ctc_heads.{head}: no label set given (--lang {head}=data/lang_...)")
            hcfg["units"] = given[head][1]
    used = {}
    if cfg.uses_labels:
        if cfg.ctc_head not in given:
            raise ConfigError(f"the loss uses CTC head {cfg.ctc_head!r}: give its labels with "
                              f"--lang {cfg.ctc_head}=data/lang_...")
        if read_units(given[cfg.ctc_head][1]) != read_units(heads[cfg.ctc_head]["units"]):
            raise ConfigError(f"CTC head {cfg.ctc_head!r}: {given[cfg.ctc_head][1]} differs from the unit "
                              f"list the model was built with ({heads[cfg.ctc_head]['units']})")
        used[cfg.ctc_head] = given[cfg.ctc_head]
    return used


def start_model_config(args: StageArgs, cfg: StageConfig) -> dict:
    """The stage's model config, with the LLM path and (when the stage names none) the CTC heads of
    the model it starts from."""
    model_cfg = copy.deepcopy(cfg.model)
    if args.llm:
        model_cfg.setdefault("llm", {})["path"] = args.llm
    if args.allow_download and model_cfg.get("llm") is not None:
        model_cfg["llm"]["allow_download"] = True
    if cfg.objective in ("ctc", "aed"):
        model_cfg.pop("llm", None)
        model_cfg.pop("adapter", None)
    if cfg.objective != "aed":
        # the attention decoder (its size lives in the model config every stage merges) is AED
        # pre-training's alone: no other stage builds it
        model_cfg.pop("aed_decoder", None)
    base = args.init_model or (args.init_encoder if args.init_encoder and Path(args.init_encoder).is_dir() else None)
    if base and not model_cfg.get("ctc_heads"):
        if pretraining_still_running(args, cfg):
            # its config.yaml (written when it started) names the heads its snapshots hold
            heads = (load_config(Path(args.swaps).parent / "config.yaml").get("model") or {}).get("ctc_heads")
        else:
            heads = load_model_config(base).get("ctc_heads")
        model_cfg["ctc_heads"] = heads or {}
    return model_cfg


def pretraining_still_running(args: StageArgs, cfg: StageConfig) -> bool:
    """Concurrent IA-SFT: alignment starts at the first CKA trigger, before pre-training has saved
    its final model; the first snapshot is then all it starts from."""
    return bool(cfg.stage == "align" and args.swaps and args.init_model
                and not (Path(args.init_model) / "speech.pt").is_file())


def initial_weights(args: StageArgs, cfg: StageConfig, model_cfg: dict, objective: Objective, specaug=None):
    """Build the model (with the stage's objective) and load what this stage starts from: a previous
    stage that trained the LLM (<init-model>/llm) gives the model that LLM at construction."""
    build_cfg = model_cfg
    trained_llm = Path(args.init_model) / "llm" if args.init_model else None
    if trained_llm is not None and trained_llm.is_dir() and model_cfg.get("llm") is not None \
            and not pretraining_still_running(args, cfg):
        build_cfg = {**model_cfg, "llm": {**model_cfg["llm"], **load_model_config(args.init_model)["llm"]}}
        log.info("LLM weights from %s", trained_llm)
    model = build_model(build_cfg, objective=objective, specaug=specaug)
    adapter_loaded = False
    if pretraining_still_running(args, cfg):
        log.info("%s is not written yet (pre-training still running): starting from its first snapshot",
                 args.init_model)
    elif args.init_model:
        state = without_unused_decoder(
            torch.load(Path(args.init_model) / "speech.pt", map_location="cpu", weights_only=True), model,
            args.init_model)
        result = model.load_state_dict(state, strict=False)
        if result.unexpected_keys:
            raise ConfigError(f"{args.init_model}: weights do not fit this stage's model: {result.unexpected_keys[:5]}")
        adapter_loaded = any(k.startswith("adapter.") for k in state)
        log.info("initialised from %s; not in it: %s", args.init_model,
                 sorted({k.split(".")[0] for k in result.missing_keys}) or "nothing")
    encoder_from = args.init_encoder
    if cfg.stage == "align" and args.swaps:
        encoder_from = first_snapshot(Path(args.swaps))
    if encoder_from:
        if Path(encoder_from).is_dir():
            saved, _ = from_pretrained(encoder_from, with_llm=False)
            state = {k: v for k, v in saved.state_dict().items() if k.startswith(("encoder.", "ctc_heads."))}
        else:
            state = without_unused_decoder(load_snapshot(encoder_from), model, encoder_from)
        result = model.load_state_dict(state, strict=False)
        if result.unexpected_keys:
            raise ConfigError(f"{encoder_from}: weights do not fit the encoder config: {result.unexpected_keys[:5]}")
        log.info("encoder initialised from %s", encoder_from)
    if model.adapter is not None and not adapter_loaded and (model_cfg.get("adapter") or {}).get("init") == "reader":
        from asrllm.synth.reader_init import init_adapter_from_reader  # the mini recipe's warm start

        init_adapter_from_reader(model, model_cfg, model_cfg["llm"]["path"])
    return model


def without_unused_decoder(state: dict, model, source) -> dict:
    """An AED-pre-trained model's weights without its attention decoder when this stage's model has
    none: the stages after pre-training read the encoder (and CTC heads), never the decoder."""
    if model.aed_decoder is not None:
        return state
    dropped = [k for k in state if k.startswith("aed_decoder.")]
    if dropped:
        log.info("%s: its attention decoder (%d tensors) is not part of this stage's model: dropped",
                 source, len(dropped))
    return {k: v for k, v in state.items() if not k.startswith("aed_decoder.")}


def resolve_stage(args: StageArgs):
    """(stage config with the model config merged under it, data config, the stage's model config,
    {head: (label table, units)} of the CTC heads the loss uses) from the command line's files."""
    data = stage_config_data(args.config, args.model_config, args.scale_config, args.seed)
    cfg = StageConfig.from_dict(data, args.config)
    data_cfg = load_data_config(args.data_config)
    model_cfg = start_model_config(args, cfg)
    model_heads = model_cfg.get("ctc_heads") or {}
    if cfg.ctc_head is None and model_heads:
        cfg.ctc_head = next(iter(model_heads))
    if cfg.uses_labels and cfg.ctc_head not in model_heads:
        raise ConfigError(f"{args.config}: the loss needs CTC head {cfg.ctc_head!r}, the model has "
                          f"{sorted(model_heads)}")
    heads = resolve_heads(cfg, model_cfg, args.lang)
    return cfg, data_cfg, model_cfg, heads


def stage_objective(cfg: StageConfig, data_cfg):
    """(the model's objective, its in-model SpecAugment or None, the data config the loader uses):
    CR-CTC makes two SpecAugment views in the model, so the loader must not augment."""
    specaug = None
    if cfg.objective == "ctc" and cfg.cr_ctc_weight > 0:
        specaug = SpecAugment(data_cfg.specaug)
        data_cfg = replace(data_cfg, specaug=replace(data_cfg.specaug, enabled=False))
    aed = {"aed_ctc_weight": cfg.aed.ctc_weight, "aed_lsm_weight": cfg.aed.lsm_weight} if cfg.aed else {}
    objective = Objective(kind=cfg.objective, ctc_head=cfg.ctc_head, ctc_weight=cfg.ctc_weight,
                          cr_ctc_weight=cfg.cr_ctc_weight, **aed)
    return objective, specaug, data_cfg


def train(args: StageArgs) -> int:
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", torch.get_num_threads())))
    log.info("%d CPU thread(s) per process (OMP_NUM_THREADS)", torch.get_num_threads())
    cfg, data_cfg, model_cfg, heads = resolve_stage(args)
    out = Path(args.out_dir)
    # seeded before the model is built: two fresh runs of one command start from the same weights
    seed_everything(cfg.train.seed)
    objective, specaug, data_cfg = stage_objective(cfg, data_cfg)
    model = initial_weights(args, cfg, model_cfg, objective, specaug)

    tables = ("text",) + tuple(t for t, _ in heads.values())
    collate = LabelCollate(heads)
    train_set = SpeechDataset(args.train_dir, data_cfg, "train", args.cmvn, tables)
    valid_set = SpeechDataset(args.valid_dir, data_cfg, "eval", args.cmvn, tables)
    b = data_cfg.batching
    workers = b.num_workers if args.num_workers is None else args.num_workers
    world = int(os.environ.get("WORLD_SIZE", 1))
    rank = int(os.environ.get("RANK", 0))
    # the data order follows the run's seed too; train.seed 0 (the default) keeps batching.seed's order
    sampler = batch_plan(train_set.lengths, b.frames_budget, seed=b.seed + cfg.train.seed, rank=rank, world_size=world,
                         max_batch_size=b.max_batch_size, pool_size=b.pool_size, shuffle=True)

    def make_loader(batch_sampler):
        return SpeechBatches(train_set, batch_sampler, collate, workers=workers)

    valid_plan = batch_plan(valid_set.lengths, b.frames_budget, seed=b.seed, rank=rank, world_size=world,
                            max_batch_size=b.max_batch_size)
    valid_batches = SpeechBatches(valid_set, valid_plan, collate)  # read at each validation, not held

    def valid_fn(trainer) -> dict[str, float]:
        if cfg.ctc_head not in heads:
            return trainer.evaluate(valid_batches)
        counts = [0, 0]  # CTC token errors, reference tokens: counted in the same pass over the dev set

        def counted():
            for batch in valid_batches:
                errors, total = ctc_errors(trainer.module, batch, cfg.ctc_head)
                counts[0], counts[1] = counts[0] + errors, counts[1] + total
                yield batch

        metrics = trainer.evaluate(counted())
        metrics[f"{cfg.ctc_head}_error_rate"] = 100.0 * counts[0] / max(counts[1], 1)
        return metrics

    def spread_batches(max_utts: int) -> SpeechBatches:
        """Batches of 16 from max_utts utterances spread evenly over the validation set (read at each use)."""
        idx = evenly_spaced(len(valid_set), max_utts).tolist()
        return SpeechBatches(valid_set, [idx[j:j + 16] for j in range(0, len(idx), 16)], collate)

    hooks, cka_hook, swap_hook = [], None, None
    if cfg.stage == "pretrain" and cfg.cka:
        # spread over the whole validation set (the same rule as stage 13's subsets), not its first
        # ids in sorted order, which on a corpus like AISHELL dev is one speaker
        cka_hook = CKAMonitor(cfg.cka, out, spread_batches(cfg.cka.max_utts), is_main=rank == 0)
        hooks.append(cka_hook)
    if cfg.drift:  # the reference is the encoder before the first update (a resume rebuilds it first)
        drift_batches = spread_batches(cfg.drift.max_utts)
        hooks.append(EncoderDrift(cfg.drift, out, drift_batches, encoder_outputs(model, drift_batches),
                                  is_main=rank == 0))
    if cfg.stage == "iasft":
        if not args.swaps:
            log.error("IA-SFT needs --swaps (the pre-training swaps.json)")
            return 1
        swap_hook = EncoderSwap(cfg.swap, Path(args.swaps), out, cfg.train.max_steps, is_main=rank == 0)
        hooks.append(swap_hook)

    trainer = Trainer(model, cfg.train, out, sampler, make_loader, valid_fn=valid_fn, hooks=hooks)
    # written once everything above accepted the config: a failing one leaves no record behind
    if rank == 0:
        with atomic_write(out / "config.yaml") as f:
            yaml.safe_dump({**cfg.raw, "model": model_cfg}, f, allow_unicode=True, sort_keys=False)
    if swap_hook:
        swap_hook.bind(trainer)
    metrics = trainer.fit()
    if rank == 0:
        if cka_hook:
            cka_hook.finish(trainer)
        save_model_cfg = copy.deepcopy(model_cfg)
        save_pretrained(model, save_model_cfg, out / "final")
        log.info("stage %s finished at step %d: %s; model in %s", cfg.stage, trainer.step,
                 {k: round(v, 4) for k, v in metrics.items()}, out / "final")
    return 0


@torch.no_grad()
def ctc_errors(module, batch: dict, head: str) -> tuple[int, int]:
    """(greedy CTC token errors, reference tokens) of a head on one batch; the module in eval mode
    (validation runs in it)."""
    device = next(module.parameters()).device
    frames, lens = module.encoder(batch["feats"].to(device), batch["feat_lens"].to(device))
    hyps = MLPCTCHead.greedy(module.ctc_heads[head].log_probs(frames), lens)
    errors = total = 0
    for hyp, ref, n in zip(hyps, batch[f"{head}_ids"].tolist(), batch[f"{head}_lens"].tolist()):
        ops = align([str(t) for t in ref[:n]], [str(t) for t in hyp])
        errors += sum(op != "C" for op in ops)
        total += n
    return errors, total
