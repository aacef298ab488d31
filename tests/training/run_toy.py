"""Train the toy model in its own process: `python -m tests.training.run_toy OUT [--slow-after K]`.

Used by the kill -9 test (sleeps after each update past step K so the test can kill it mid-run)
and by the torchrun DDP/FSDP test (`--parallel ddp fsdp`: one run per mode in OUT/<mode>, in the
same process group; rank 0 writes the per-step losses to <run dir>/losses.json).
"""

import argparse
import json
import time
from pathlib import Path

from asrllm.training import Trainer
from asrllm.training.distributed import init_distributed, shutdown
from tests.training.toy import ToyData, ToyModel, ToySampler, config, make_loader


def train(args, info, parallel: str, out: Path) -> None:
    data = ToyData()
    losses = []

    def record(trainer, step):
        losses.append(trainer.last_update["loss"])
        if args.slow_after is not None and step >= args.slow_after:
            time.sleep(0.5)

    def stop(trainer, step):
        if step == args.stop_at:
            trainer.request_stop()

    cfg = config(max_steps=args.max_steps, accum_grad=args.accum_grad, parallel=parallel,
                 fsdp_modules=["body", "llm"] if parallel == "fsdp" else [],  # llm: absent, skipped
                 trainable=["body", "norm"] if args.norm else ["body"], save_every=1 if args.slow_after else 5)
    for hooks in ([record, stop], [record]) if args.stop_at else ([record],):  # stop, then resume
        trainer = Trainer(ToyModel(dropout=args.dropout, norm=args.norm), cfg, out,
                          ToySampler(len(data), args.batch_size, rank=info.rank, world=info.world_size),
                          make_loader(data, args.workers), hooks=hooks)
        trainer.fit()
    if info.is_main:
        (out / "losses.json").write_text(json.dumps(losses))


def main(argv=None) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--max-steps", type=int, default=10)
    p.add_argument("--batch-size", type=int, default=4, help="per rank")
    p.add_argument("--accum-grad", type=int, default=1)
    p.add_argument("--dropout", type=float, default=0.0)
    p.add_argument("--norm", action="store_true", help="keep the trainable BatchNorm")
    p.add_argument("--workers", type=int, default=0)
    p.add_argument("--slow-after", type=int, default=None)
    p.add_argument("--stop-at", type=int, default=None, help="stop there, then resume in a new Trainer")
    p.add_argument("--parallel", nargs="+", default=["ddp"])
    args = p.parse_args(argv)

    info = init_distributed()
    for parallel in args.parallel:
        out = Path(args.out) if len(args.parallel) == 1 else Path(args.out, parallel)
        train(args, info, parallel, out)
    shutdown()


if __name__ == "__main__":
    main()
