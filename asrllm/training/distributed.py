"""torchrun process groups, model wrapping (DDP, or FSDP2 for named submodules), small collectives.

The environment is torchrun's: RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT. Without
them (or with WORLD_SIZE=1) everything runs as one plain process. Backend: nccl on CUDA, gloo
on CPU.
"""

import contextlib
import datetime
import logging
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import torch
import torch.distributed as dist
import torch.nn as nn

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DistInfo:
    """Where this process stands in the job."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def is_distributed(self) -> bool:
        return self.world_size > 1


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    try:
        return int(value) if value else default
    except ValueError:
        raise ValueError(f"environment variable {name}={value!r} is not an integer") from None


def init_distributed(backend: str | None = None, timeout_min: float = 30.0) -> DistInfo:
    """Join the torchrun process group (idempotent); a plain process gets DistInfo()."""
    info = DistInfo(_env_int("RANK", 0), _env_int("WORLD_SIZE", 1), _env_int("LOCAL_RANK", 0))
    if not info.is_distributed:
        return info
    if torch.cuda.is_available():
        torch.cuda.set_device(info.local_rank)
    if not dist.is_initialized():
        for var in ("MASTER_ADDR", "MASTER_PORT"):
            if var not in os.environ:
                raise RuntimeError(f"WORLD_SIZE={info.world_size} but {var} is not set; launch with torchrun")
        backend = backend or ("nccl" if torch.cuda.is_available() else "gloo")
        dist.init_process_group(backend, timeout=datetime.timedelta(minutes=timeout_min))
        log.info("joined process group: rank %d/%d (local %d), backend %s",
                 info.rank, info.world_size, info.local_rank, backend)
    return info


def shutdown() -> None:
    """Leave the process group, if any."""
    if dist.is_initialized():
        dist.destroy_process_group()


def pick_device(info: DistInfo, want: str = "auto") -> torch.device:
    """cuda:LOCAL_RANK when CUDA is there (or asked for), else cpu."""
    if want not in ("auto", "cpu", "cuda"):
        raise ValueError(f"device must be auto, cpu or cuda, got {want!r}")
    if want == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("device: cuda asked for, but torch sees no CUDA device")
    if want == "cpu" or not torch.cuda.is_available():
        return torch.device("cpu")
    return torch.device("cuda", info.local_rank)


def _fsdp_api():
    try:
        from torch.distributed.fsdp import FSDPModule, fully_shard
    except ImportError:  # torch < 2.6 keeps FSDP2 under _composable
        from torch.distributed._composable.fsdp import FSDPModule, fully_shard
    return fully_shard, FSDPModule


def wrap_model(module: nn.Module, info: DistInfo, device: torch.device, parallel: str = "ddp",
               fsdp_modules: Sequence[str] = (), fsdp_layer_classes: Sequence[str] = (),
               find_unused_parameters: bool = False) -> nn.Module:
    """Return the module to run forward/backward on (the module itself when not distributed).

    parallel="ddp": DistributedDataParallel over the whole model.
    parallel="fsdp": FSDP2 (fully_shard). Every submodule whose class name is in
    `fsdp_layer_classes` becomes its own shard unit (e.g. the LLM's decoder layers), then each
    module named in `fsdp_modules` (e.g. "llm"), then the root takes what is left. Parameter
    names stay as they were; requires_grad may differ inside a unit.
    Call after `apply_trainable` and before building the optimizer.
    """
    if parallel not in ("ddp", "fsdp"):
        raise ValueError(f"parallel must be ddp or fsdp, got {parallel!r}")
    module.to(device)
    if not info.is_distributed:
        return module
    if parallel == "ddp":
        ids = [device.index] if device.type == "cuda" else None
        return nn.parallel.DistributedDataParallel(module, device_ids=ids,
                                                   find_unused_parameters=find_unused_parameters)
    fully_shard, _ = _fsdp_api()
    from torch.distributed.device_mesh import init_device_mesh

    mesh = init_device_mesh(device.type, (info.world_size,))
    classes = set(fsdp_layer_classes)
    units = 0
    if classes:
        for sub in list(module.modules()):
            if type(sub).__name__ in classes and sub is not module:
                fully_shard(sub, mesh=mesh)
                units += 1
    for name in fsdp_modules:
        parent, _, attr = name.rpartition(".")
        owner = module.get_submodule(parent) if parent else module
        if getattr(owner, attr, "missing") is None:  # e.g. "llm" in pre-training: this stage has none
            log.info("FSDP: this model has no %s, nothing to shard there", name)
            continue
        fully_shard(module.get_submodule(name), mesh=mesh)  # AttributeError names a typo
        units += 1
    fully_shard(module, mesh=mesh)
    log.info("FSDP: %d shard units + root over %d ranks", units, info.world_size)
    return module


def unwrap(model: nn.Module) -> nn.Module:
    """The user's module inside a DDP wrapper (FSDP2 wraps in place)."""
    return model.module if isinstance(model, nn.parallel.DistributedDataParallel) else model


def is_fsdp(model: nn.Module) -> bool:
    if not dist.is_available():
        return False
    _, FSDPModule = _fsdp_api()
    return isinstance(model, FSDPModule)


@contextlib.contextmanager
def grad_sync(model: nn.Module, sync: bool) -> Iterator[None]:
    """Skip the gradient all-reduce on micro-batches before the last of an update."""
    if isinstance(model, nn.parallel.DistributedDataParallel) and not sync:
        with model.no_sync():
            yield
    elif is_fsdp(model):
        model.set_requires_gradient_sync(sync)
        yield
    else:
        yield


def all_reduce_sum(values: Sequence[float] | torch.Tensor, info: DistInfo, device: torch.device) -> list[float]:
    """Sum a vector of numbers over all ranks (float64)."""
    t = torch.as_tensor(values, dtype=torch.float64).to(device)
    if info.is_distributed:
        dist.all_reduce(t, op=dist.ReduceOp.SUM)
    return t.tolist()


def all_gather_object(obj: Any, info: DistInfo) -> list[Any]:
    """Every rank's `obj`, indexed by rank."""
    if not info.is_distributed:
        return [obj]
    out: list[Any] = [None] * info.world_size
    dist.all_gather_object(out, obj)
    return out


def broadcast_object(obj: Any, info: DistInfo) -> Any:
    """Rank 0's `obj` on every rank."""
    if not info.is_distributed:
        return obj
    box = [obj]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def barrier(info: DistInfo) -> None:
    if info.is_distributed:
        dist.barrier()
