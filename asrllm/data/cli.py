"""What every data-stage entry point does around its work: logging, and known failures as one error line."""

from typing import Callable

from asrllm.cli import run


def stage_parser(prog: str, doc: str, sharded: bool = True):
    """An argparse parser with the options every data stage shares: --config, --log-level and,
    for stages that run JOB=1:N shards through a launcher, --nj and --cmd."""
    import argparse

    from asrllm.data.shards import DEFAULT_CMD

    p = argparse.ArgumentParser(prog=prog, description=doc.splitlines()[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--config", default=None, help="data config YAML (conf/data.yaml); default: built-in defaults")
    if sharded:
        p.add_argument("--nj", type=int, default=1, help="number of shard jobs")
        p.add_argument("--cmd", default=DEFAULT_CMD, help="Kaldi-style launcher (JOB=1:N log command)")
    p.add_argument("--log-level", default="INFO")
    return p


def run_data_stage(prog: str, args, work: Callable) -> int:
    """Check --nj (when present), load the data config and run work(cfg) under asrllm.cli.run."""
    from asrllm.data.config import load_data_config
    from asrllm.data.shards import check_nj

    def body() -> None:
        if hasattr(args, "nj"):
            check_nj(args.nj)
        work(load_data_config(args.config))

    return run(prog, body, args.log_level)
