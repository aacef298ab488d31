"""run.pl: run JOB=1:N jobs on this machine in parallel, each logging to its own file."""

import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from asrllm.launch.jobspec import JobSpec, UsageError, parse

KNOWN = {"mem", "gpu", "num_threads", "max_jobs_run", "time", "config"}


def _header(command: str) -> str:
    return f"# {command}\n# Started at {datetime.now().ctime()}\n#\n"


def _start(spec: JobSpec, job: int) -> tuple[subprocess.Popen, Path, float]:
    log = Path(spec.log_for(job))
    log.parent.mkdir(parents=True, exist_ok=True)
    command = spec.command_for(job)
    with open(log, "w", encoding="utf-8") as f:
        f.write(_header(command))
    out = open(log, "a", encoding="utf-8")
    env = dict(os.environ)
    threads = spec.options.get("num_threads")
    if threads:  # an explicit --num-threads wins over an inherited OMP_NUM_THREADS
        env["OMP_NUM_THREADS"] = str(threads)
    proc = subprocess.Popen(["bash", "-c", command], stdout=out, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, env=env, start_new_session=True)
    out.close()
    return proc, log, time.time()


def _finish(log: Path, code: int, started: float) -> None:
    elapsed = int(time.time() - started)
    with open(log, "a", encoding="utf-8") as f:
        f.write(f"# Accounting: time={elapsed} threads=1\n"
                f"# Ended (code {code}) at {datetime.now().ctime()}, elapsed time {elapsed} seconds\n")


def run(spec: JobSpec) -> int:
    """Run every job, at most max_jobs_run at once; return the number that failed."""
    unknown = set(spec.options) - KNOWN
    if unknown:
        raise UsageError(f"run.pl: unknown option(s): {', '.join('--' + u for u in sorted(unknown))}")
    limit = int(spec.options.get("max_jobs_run", 0)) or len(spec.ids)
    pending = list(spec.ids)
    running: dict[int, tuple[subprocess.Popen, Path, float]] = {}
    failed: list[int] = []

    def stop(signum, _frame):
        for proc, _, _ in running.values():
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        sys.exit(128 + signum)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while pending or running:
        while pending and len(running) < limit:
            job = pending.pop(0)
            running[job] = _start(spec, job)
        time.sleep(0.02)
        for job, (proc, log, started) in list(running.items()):
            code = proc.poll()
            if code is None:
                continue
            _finish(log, code, started)
            del running[job]
            if code != 0:
                failed.append(job)
    if failed:
        n = len(spec.ids)
        if n == 1:
            print(f"run.pl: job failed, log is in {spec.log_for(failed[0])}", file=sys.stderr)
        else:
            pattern = spec.log_pattern.replace(spec.var, "*") if spec.var else spec.log_pattern
            print(f"run.pl: {len(failed)} / {n} failed, log is in {pattern}", file=sys.stderr)
            for job in sorted(failed)[:10]:
                print(f"run.pl:   failed: {spec.log_for(job)}", file=sys.stderr)
    return len(failed)


def main(argv: list[str]) -> int:
    try:
        spec = parse(argv, "run.pl")
        return 1 if run(spec) else 0
    except UsageError as e:
        print(e, file=sys.stderr)
        return 1
