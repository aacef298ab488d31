"""The training loop, independent of the model: updates, validation, hooks, checkpoints, resume.

Model contract: `model(batch)` returns a dict with `loss` (mean over the tokens it counts),
`num_tokens` (that count) and optionally more scalars (e.g. `acc`), each a per-token mean.
An update sums loss * num_tokens over its micro-batches and over all ranks and divides by the
all-reduced token count, so 2 ranks x batch B give the same gradient as 1 rank x 2B, and the
logged loss and stats are token-weighted means.
"""

import contextlib
import logging
import math
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

import torch
import torch.nn as nn
from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

from asrllm.config import ConfigError
from asrllm.training.checkpoint import CheckpointManager
from asrllm.training.config import TrainerConfig
from asrllm.training.distributed import (
    all_gather_object,
    all_reduce_sum,
    barrier,
    broadcast_object,
    grad_sync,
    init_distributed,
    pick_device,
    wrap_model,
)
from asrllm.training.freeze import apply_trainable, log_trainable_summary, train_mode
from asrllm.training.optim import build_optimizer
from asrllm.training.rng import capture_rng, restore_rng, seed_everything
from asrllm.training.sampler import PositionTracker, ResumableSampler
from asrllm.training.schedule import WarmupCosine, warmup_cosine
from asrllm.training.state import (
    check_trainable_keys,
    load_optimizer_state_dict,
    load_trainable_state_dict,
    optimizer_state_dict,
    trainable_state_dict,
)
from asrllm.utils.log import setup_logging

log = logging.getLogger(__name__)

_CONTRACT = ("loss", "num_tokens")


class StepHook(Protocol):
    """Called as hook(trainer, step) on every rank after each update. A hook that also has
    state_dict()/load_state_dict() gets its state saved in checkpoints under its `name`
    (default: the class name) and restored on resume, before training continues."""

    def __call__(self, trainer: "Trainer", step: int) -> None: ...


def move_to_device(obj: Any, device: torch.device) -> Any:
    """Tensors inside dicts/lists/tuples to `device`; anything else as is."""
    if isinstance(obj, torch.Tensor):
        return obj.to(device, non_blocking=True)
    if isinstance(obj, dict):
        return {k: move_to_device(v, device) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(move_to_device(v, device) for v in obj)
    return obj


def _hook_name(hook: Any) -> str:
    """`hook.name`, else a function's own name, else the class name."""
    return getattr(hook, "name", None) or getattr(hook, "__qualname__", None) or type(hook).__qualname__


class _Window:
    """Token-weighted sums of training stats between two log lines."""

    def __init__(self) -> None:
        self.sums: dict[str, float] = {}
        self.tokens = 0.0
        self.updates = 0
        self.grad_norm = 0.0
        self.t0 = time.monotonic()

    def add(self, sums: dict[str, float], tokens: float, grad_norm: float) -> None:
        for k, v in sums.items():
            self.sums[k] = self.sums.get(k, 0.0) + v
        self.tokens += tokens
        self.updates += 1
        self.grad_norm += grad_norm

    def means(self) -> dict[str, float]:
        out = {k: v / max(self.tokens, 1e-12) for k, v in self.sums.items()}
        out["grad_norm"] = self.grad_norm / max(self.updates, 1)
        out["tokens_per_s"] = self.tokens / max(time.monotonic() - self.t0, 1e-9)
        return out


class Trainer:
    """Owns the loop from a fresh start or the latest checkpoint in out_dir/checkpoints to max_steps.

    model: built by the caller (frozen weights loaded); trainable parts come from
        config.trainable. make_loader(batch_sampler) -> iterable of batches: it must iterate
        the batch sampler it is given, in this process (e.g. DataLoader(ds, batch_sampler=b,
        collate_fn=..., num_workers=...)); it is called once and iterated once per epoch.
        Without a sampler (and loader) the trainer only runs update() on batches it is given
        (e.g. asrllm.bench.train_step); fit() needs both.
    valid_fn(trainer) -> {name: value}: runs on every rank in eval mode without grad; names
        are logged as valid/<name> and ranked as valid_<name> (see `evaluate`).
    """

    def __init__(self, model: nn.Module, config: TrainerConfig, out_dir: str | Path,
                 sampler: ResumableSampler | None = None,
                 make_loader: Callable[[PositionTracker], Iterable[Any]] | None = None,
                 valid_fn: Callable[["Trainer"], dict[str, float]] | None = None,
                 hooks: Sequence[StepHook] = ()) -> None:
        if not logging.getLogger().handlers:
            setup_logging()
        cfg = self.config = config
        self.out_dir = Path(out_dir)
        self.dist = init_distributed()
        if not self.dist.is_main:  # rank 0 speaks for the job; other ranks only warn
            logging.getLogger("asrllm").setLevel(logging.WARNING)
        self.device = pick_device(self.dist, cfg.device)

        apply_trainable(model, cfg.trainable)
        if self.dist.is_main:
            log_trainable_summary(model)
        if cfg.grad_checkpointing:
            if not hasattr(model, "gradient_checkpointing_enable"):
                raise ConfigError(f"train.grad_checkpointing: {type(model).__name__} has no "
                                  "gradient_checkpointing_enable(); set it to false")
            model.gradient_checkpointing_enable()
        self.module = model
        self.model = wrap_model(model, self.dist, self.device, cfg.parallel, cfg.fsdp_modules,
                                cfg.fsdp_layer_classes, cfg.find_unused_parameters)
        self._params = [p for p in self.model.parameters() if p.requires_grad]
        self.optimizer, self._group_wd, self._group_lr = build_optimizer(self.module, cfg)
        self.scheduler = warmup_cosine(self.optimizer, cfg.warmup_steps, cfg.max_steps, cfg.min_lr_ratio)
        cuda = self.device.type == "cuda"
        self.autocast_dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(cfg.amp) if cuda else None
        self.scaler = torch.amp.GradScaler("cuda", enabled=cuda and cfg.amp == "fp16")
        if self.dist.is_main:
            log.info("device %s, %d rank(s), %s, autocast %s", self.device, self.dist.world_size,
                     cfg.parallel if self.dist.is_distributed else "single process",
                     cfg.amp if self.autocast_dtype is not None else "off")

        self.ckpt = CheckpointManager(self.out_dir / "checkpoints", cfg.keep_last, cfg.keep_best,
                                      cfg.best_metric, cfg.best_mode, writer=self.dist.is_main)
        if (sampler is None) != (make_loader is None):
            raise ValueError("give the trainer both a sampler and make_loader, or neither")
        self.sampler = sampler
        self._tracker = PositionTracker(sampler) if sampler is not None else None
        self._loader = make_loader(self._tracker) if make_loader is not None else None
        self.valid_fn = valid_fn
        self.hooks = list(hooks)
        names = [_hook_name(h) for h in self.hooks if hasattr(h, "state_dict")]
        if len(set(names)) != len(names):
            raise ValueError(f"hooks with state need unique names (give each a `name`): {names}")

        self.step = 0  # optimizer updates done
        self.epoch = 0
        self.last_metrics: dict[str, float] = {}  # validation metrics of the last validated step
        self.last_update: dict[str, float] = {}  # loss, stats, num_tokens, grad_norm, lr of the last update
        self.writer = None
        self._sampler_state: dict | None = None
        self._epoch_iter: Iterator[Any] | None = None
        self._epoch_batches = 0
        self._epoch_resumed = False
        self._save_requested = self._stop_requested = False

    # ---- for hooks -------------------------------------------------------------------------
    def request_checkpoint(self) -> None:
        """Save a checkpoint after this update (e.g. right after an encoder hot-swap)."""
        self._save_requested = True

    def request_stop(self) -> None:
        """Save and stop after this update."""
        self._stop_requested = True

    def log_scalars(self, prefix: str, values: dict[str, float], step: int | None = None) -> None:
        """Tensorboard scalars <prefix>/<name> (rank 0 only)."""
        if self.writer is not None:
            for k, v in values.items():
                self.writer.add_scalar(f"{prefix}/{k}", v, self.step if step is None else step)

    def autocast(self) -> contextlib.AbstractContextManager:
        """bf16/fp16 autocast on CUDA, nothing on CPU."""
        if self.autocast_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type=self.device.type, dtype=self.autocast_dtype)

    # ---- data ------------------------------------------------------------------------------
    def _open_epoch(self) -> None:
        self._epoch_iter = iter(self._loader)
        self._epoch_batches = 0

    def _next_batch(self) -> Any:
        while True:
            try:
                batch = next(self._epoch_iter)
            except StopIteration:
                if self._epoch_batches == 0 and not self._epoch_resumed:
                    raise RuntimeError(f"the sampler yielded no batch in epoch {self.epoch}") from None
                self.epoch += 1
                self._epoch_resumed = False
                self.sampler.set_epoch(self.epoch)
                self._open_epoch()
                continue
            self._epoch_batches += 1
            self._sampler_state = self._tracker.consumed()
            return batch

    # ---- one update ------------------------------------------------------------------------
    def _forward(self, model: nn.Module, batch: Any) -> tuple[torch.Tensor, torch.Tensor, dict[str, torch.Tensor]]:
        """The model's loss, its token count and token-weighted stat sums (float64 on the device,
        so nothing here waits for the GPU)."""
        with self.autocast():
            out = model(move_to_device(batch, self.device))
        if not isinstance(out, dict) or any(k not in out for k in _CONTRACT):
            raise TypeError(f"model forward must return a dict with {_CONTRACT}, got "
                            f"{sorted(out) if isinstance(out, dict) else type(out).__name__}")

        def scalar(v: Any) -> torch.Tensor:
            return torch.as_tensor(v.detach() if torch.is_tensor(v) else v, dtype=torch.float64).to(self.device)

        n = scalar(out["num_tokens"])
        stats = {"loss": scalar(out["loss"]) * n}
        for k, v in out.items():
            if k not in _CONTRACT and (isinstance(v, (int, float)) or (torch.is_tensor(v) and v.numel() == 1)):
                stats[k] = scalar(v) * n
        return out["loss"], n, stats

    def _reduce(self, stats: list[tuple[torch.Tensor, dict[str, torch.Tensor]]]) -> tuple[dict[str, float], float]:
        """Sum (tokens, stat sums) over micro-batches and ranks: one all-reduce, one device sync."""
        keys = sorted(stats[0][1]) if stats else []
        rows = [torch.stack([n] + [s[k] for k in keys]) for n, s in stats]
        local = torch.stack(rows).sum(0) if rows else torch.zeros(1 + len(keys), dtype=torch.float64)
        reduced = all_reduce_sum(local, self.dist, self.device)
        return dict(zip(keys, reduced[1:])), reduced[0]

    def update(self, batches: list[Any]) -> tuple[dict[str, float], float, float]:
        """One optimizer update: forward/backward all micro-batches, normalise by the global token
        count, clip, step the optimizer and scheduler. Returns (loss and stat sums, tokens, gradient
        norm). fit() calls it with the loader's batches; the model must be in training mode."""
        stats = []
        for i, batch in enumerate(batches):
            with grad_sync(self.model, sync=i == len(batches) - 1):
                loss, n, sums = self._forward(self.model, batch)
                self.scaler.scale(loss.float() * n.float()).backward()
            stats.append((n, sums))
        sums, total = self._reduce(stats)
        if total <= 0:
            log.warning("step %d: no tokens in this update on any rank; skipping it", self.step + 1)
            self.optimizer.zero_grad(set_to_none=True)
            self.scheduler.step()
            return sums, total, 0.0
        self.scaler.unscale_(self.optimizer)
        scale = self.dist.world_size / total  # DDP/FSDP average over ranks; undo that, divide by tokens
        for p in self._params:
            if p.grad is not None:
                p.grad.mul_(scale)
        max_norm = self.config.clip_grad_norm or math.inf
        grad_norm = float(torch.nn.utils.clip_grad_norm_(self._params, max_norm))
        if math.isfinite(grad_norm) or self.scaler.is_enabled():  # the scaler skips inf/nan itself
            self.scaler.step(self.optimizer)
            self.scaler.update()
        else:
            log.warning("step %d: gradient norm is %s; update skipped", self.step + 1, grad_norm)
        self.scheduler.step()
        self.optimizer.zero_grad(set_to_none=True)
        return sums, total, grad_norm

    # ---- validation ------------------------------------------------------------------------
    @torch.no_grad()
    def evaluate(self, batches: Iterable[Any]) -> dict[str, float]:
        """Token-weighted loss and stats of the model on `batches`, summed over ranks.

        Runs the unwrapped module, so under DDP ranks may see different numbers of batches (at
        least one each); under FSDP they must see the same number.
        """
        stats = [self._forward(self.module, batch)[1:] for batch in batches]
        sums, total = self._reduce(stats)
        return {k: v / total for k, v in sums.items()} if total > 0 else {}

    def validate(self) -> dict[str, float]:
        """valid_fn in eval mode without grad; returns {valid_<name>: value}."""
        self.model.eval()
        try:
            with torch.no_grad():
                values = self.valid_fn(self) if self.valid_fn else {}
        finally:
            self.model.train()
            train_mode(self.module)
        self.log_scalars("valid", values)
        if values and self.dist.is_main:
            log.info("step %d valid: %s", self.step, " ".join(f"{k} {v:.4g}" for k, v in values.items()))
        return {f"valid_{k}": float(v) for k, v in values.items()}

    # ---- checkpoints -----------------------------------------------------------------------
    def save_checkpoint(self, metrics: dict[str, float] | None = None) -> None:
        """Collective: every rank calls it; rank 0 writes."""
        model_state = trainable_state_dict(self.model, self.module)
        optim_state = optimizer_state_dict(self.model, self.optimizer)
        rng = all_gather_object(capture_rng(self.device), self.dist)
        samplers = all_gather_object(self._sampler_state, self.dist)
        if self.dist.is_main:
            state = {
                "epoch": self.epoch,
                "world_size": self.dist.world_size,
                "model": model_state,
                "optimizer": optim_state,
                "scheduler": self.scheduler.state_dict(),
                "grad_scaler": self.scaler.state_dict() if self.scaler.is_enabled() else None,
                "rng": rng,
                "sampler": samplers,
                "hooks": {_hook_name(h): h.state_dict() for h in self.hooks if hasattr(h, "state_dict")},
                "config": self.config.to_dict(),
            }
            path = self.ckpt.save(state, self.step, metrics)
            log.info("step %d: saved %s", self.step, path)
        barrier(self.dist)

    def _resume(self) -> dict | None:
        """Rank 0 reads the latest loadable checkpoint and broadcasts it; returns its small part."""
        full, meta = None, None
        if self.dist.is_main:
            full = self.ckpt.load_latest()
            newest = self.ckpt.steps()
            if newest and full is None:
                log.warning("no loadable checkpoint in %s (%d unreadable): starting from step 0",
                            self.ckpt.dir, len(newest))
            if newest and newest[-1] != (full["step"] if full else -1):
                self.ckpt.discard_after(full["step"] if full else -1)
            if full is not None:
                meta = {k: v for k, v in full.items() if k not in ("model", "optimizer")}
                try:
                    check_trainable_keys(self.module, full["model"], self.ckpt.path(full["step"]))
                except RuntimeError as e:
                    meta["error"] = str(e)
        state = broadcast_object(meta, self.dist)
        if state is None:
            return None
        if "error" in state:
            raise RuntimeError(state["error"])
        from_rank0 = self.dist.is_distributed  # the weights travel by broadcast, read once per job
        load_trainable_state_dict(self.model, full["model"] if full else {}, from_rank0)
        load_optimizer_state_dict(self.model, self.optimizer, full["optimizer"] if full else {}, from_rank0)
        del full
        source = self.ckpt.path(state["step"])
        self.scheduler.load_state_dict(state["scheduler"])
        self._apply_config_hyperparameters()
        if self.scaler.is_enabled() and state.get("grad_scaler"):
            self.scaler.load_state_dict(state["grad_scaler"])
        saved_hooks = state.get("hooks", {})
        for hook in self.hooks:
            name = _hook_name(hook)
            if hasattr(hook, "load_state_dict"):
                if name in saved_hooks:
                    hook.load_state_dict(saved_hooks[name])
                else:
                    log.warning("%s holds no state for hook %s; it starts fresh", source, name)
        self.step, self.epoch = int(state["step"]), int(state["epoch"])
        self.last_metrics = dict(state.get("metrics", {}))
        if state["world_size"] != self.dist.world_size:
            log.warning("%s was written by %d ranks, this run has %d: the data order and random "
                        "streams do not continue exactly", source, state["world_size"], self.dist.world_size)
        rank = self.dist.rank
        sampler_state = state["sampler"][rank if rank < len(state["sampler"]) else 0]
        self.sampler.set_epoch(self.epoch)
        if sampler_state is not None:
            self.sampler.load_state_dict(sampler_state)
        self._sampler_state = sampler_state
        self._epoch_resumed = True
        log.info("resumed from %s: step %d, epoch %d", source, self.step, self.epoch)
        return state

    def _apply_config_hyperparameters(self) -> None:
        """On resume the config wins over the checkpoint for lr, schedule, betas, eps, decay."""
        cfg = self.config
        want = WarmupCosine(cfg.warmup_steps, cfg.max_steps, cfg.min_lr_ratio).__dict__
        have = self.scheduler.lr_lambdas[0].__dict__
        if have != want or list(self.scheduler.base_lrs) != self._group_lr:
            log.warning("schedule in the checkpoint (%s, lr %s) differs from the config (%s, lr %s); "
                        "using the config", have, self.scheduler.base_lrs, want, self._group_lr)
        for fn in self.scheduler.lr_lambdas:
            fn.__dict__.update(want)
        self.scheduler.base_lrs = list(self._group_lr)
        last = self.scheduler.last_epoch
        for group, wd, lr, fn in zip(self.optimizer.param_groups, self._group_wd, self._group_lr,
                                     self.scheduler.lr_lambdas):
            group.update(initial_lr=lr, lr=lr * fn(last), betas=cfg.betas, eps=cfg.eps, weight_decay=wd)

    # ---- the loop --------------------------------------------------------------------------
    def _start(self) -> None:
        state = self._resume()
        if state is None:
            seed_everything(self.config.seed + self.dist.rank)
            self.sampler.set_epoch(0)
        self._open_epoch()  # a DataLoader draws its base seed here: before the RNG restore
        if state is not None:
            rngs = state["rng"]
            if state["world_size"] == self.dist.world_size:
                restore_rng(rngs[self.dist.rank], self.device)
            else:
                seed_everything(self.config.seed + self.dist.rank + self.step)
        if self.dist.is_main:
            from torch.utils.tensorboard import SummaryWriter

            self.writer = SummaryWriter(str(self.out_dir / "tensorboard"),
                                        purge_step=self.step + 1 if state is not None else None)

    def _log_window(self, window: _Window, t_start: float, step0: int) -> None:
        cfg = self.config
        means = window.means()
        lr = self.last_update["lr"]
        self.log_scalars("train", {**means, "lr": lr, "epoch": self.epoch})
        if self.dist.is_main:
            done = self.step - step0
            eta = int((time.monotonic() - t_start) / max(done, 1) * (cfg.max_steps - self.step))
            stats = " ".join(f"{k} {v:.4g}" for k, v in means.items())
            log.info("step %d/%d epoch %d %s lr %.3g eta %d:%02d:%02d", self.step, cfg.max_steps, self.epoch,
                     stats, lr, eta // 3600, eta // 60 % 60, eta % 60)

    def fit(self) -> dict[str, float]:
        """Train until max_steps (or a hook's stop request); returns the last validation metrics."""
        cfg = self.config
        if self.sampler is None:
            raise ValueError("fit() needs a sampler and make_loader: this trainer was built without data")
        self._start()
        if self.step >= cfg.max_steps:
            log.info("already at step %d >= max_steps %d: nothing to do", self.step, cfg.max_steps)
            self._close()
            return self.last_metrics
        self.model.train()
        train_mode(self.module)
        show = cfg.progress_bar and self.dist.is_main and sys.stderr.isatty()
        bar = tqdm(total=cfg.max_steps, initial=self.step, unit="step", dynamic_ncols=True, disable=not show)
        t_start, step0, window = time.monotonic(), self.step, _Window()
        with logging_redirect_tqdm() if show else contextlib.nullcontext():
            while self.step < cfg.max_steps and not self._stop_requested:
                lr = self.optimizer.param_groups[0]["lr"]
                sums, tokens, grad_norm = self.update([self._next_batch() for _ in range(cfg.accum_grad)])
                self.step += 1
                self.last_update = {**{k: v / max(tokens, 1e-12) for k, v in sums.items()},
                                    "num_tokens": tokens, "grad_norm": grad_norm, "lr": lr}
                window.add(sums, tokens, grad_norm)
                bar.update(1)
                bar.set_postfix(loss=f"{self.last_update['loss']:.4g}")
                if self.step % cfg.log_every == 0 or self.step == cfg.max_steps:
                    self._log_window(window, t_start, step0)
                    window = _Window()
                for hook in self.hooks:
                    hook(self, self.step)
                metrics = None
                if self.valid_fn and cfg.valid_every and (self.step % cfg.valid_every == 0
                                                          or self.step == cfg.max_steps):
                    metrics = self.last_metrics = self.validate()
                if (metrics is not None or self._save_requested or self._stop_requested
                        or (cfg.save_every and self.step % cfg.save_every == 0) or self.step == cfg.max_steps):
                    self.save_checkpoint(metrics)
                    self._save_requested = False
        bar.close()
        if self._stop_requested:
            log.info("stopped at step %d on request", self.step)
        self._close()
        return self.last_metrics

    def _close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None
