"""run.pl: run JOB=1:N jobs on this machine in parallel, each logging to its own file.

Stopping (each job runs in its own process group, with `bash -c`):
- SIGTERM, SIGINT or SIGHUP to the launcher: every job's group gets SIGTERM, then SIGKILL after GRACE
  seconds or at a second signal; the launcher exits 128+signal once the jobs are gone.
- SIGKILL of the launcher: each job's first process (bash, or the command bash execs in its place,
  e.g. `python -m asrllm.bin.train`) gets SIGTERM through PR_SET_PDEATHSIG (Linux). Not covered:
  processes bash forked for a compound command (`a; b`, pipes), which bash does not pass it on to.
- A job whose first process is killed by a signal (e.g. its bash): the rest of its group gets SIGTERM.
Jobs that leave their process group (setsid, daemons) are never reached.
"""

import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from asrllm.launch.jobspec import JobSpec, UsageError, parse
from asrllm.launch.logs import rotate_log
from asrllm.launch.procs import die_with_parent, kill_group

KNOWN = {"mem", "gpu", "num_threads", "max_jobs_run", "time", "config"}
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
GRACE = 30.0  # seconds stopped jobs get between SIGTERM and SIGKILL


def _header(command: str) -> str:
    return f"# {command}\n# Started at {datetime.now().ctime()}\n#\n"


def _start(spec: JobSpec, job: int) -> tuple[subprocess.Popen, Path, float]:
    log = Path(spec.log_for(job))
    log.parent.mkdir(parents=True, exist_ok=True)
    command = spec.command_for(job)
    rotate_log(log)  # the log of an earlier (e.g. interrupted) attempt becomes <log>.1
    with open(log, "w", encoding="utf-8") as f:
        f.write(_header(command))
    out = open(log, "a", encoding="utf-8")
    env = dict(os.environ)
    threads = spec.options.get("num_threads")
    if threads:  # an explicit --num-threads wins over an inherited OMP_NUM_THREADS
        env["OMP_NUM_THREADS"] = str(threads)
    proc = subprocess.Popen(["bash", "-c", command], stdout=out, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, env=env, start_new_session=True,
                            preexec_fn=die_with_parent())
    out.close()
    return proc, log, time.time()


def _finish(log: Path, code: int, started: float, note: str = "") -> None:
    elapsed = int(time.time() - started)
    with open(log, "a", encoding="utf-8") as f:
        f.write(f"# Accounting: time={elapsed} threads=1\n"
                f"# Ended (code {code}) at {datetime.now().ctime()}, elapsed time {elapsed} seconds{note}\n")


def run(spec: JobSpec) -> int:
    """Run every job, at most max_jobs_run at once; return the number that failed."""
    unknown = set(spec.options) - KNOWN
    if unknown:
        raise UsageError(f"run.pl: unknown option(s): {', '.join('--' + u for u in sorted(unknown))}")
    limit = int(spec.options.get("max_jobs_run", 0)) or len(spec.ids)
    pending = list(spec.ids)
    running: dict[int, tuple[subprocess.Popen, Path, float]] = {}
    failed: list[int] = []
    stops: list[tuple[int, float]] = []  # (signal, time) received by the launcher
    termed: set[int] = set()  # jobs already sent SIGTERM

    def on_signal(signum, _frame):  # acted on in the loop below
        stops.append((signum, time.time()))

    previous = {s: signal.signal(s, on_signal) for s in STOP_SIGNALS}
    try:
        while (pending and not stops) or running:
            while pending and not stops and len(running) < limit:
                job = pending.pop(0)
                running[job] = _start(spec, job)
            if stops:
                hard = len(stops) > 1 or time.time() - stops[0][1] > GRACE
                for job, (proc, _, _) in running.items():
                    if hard or job not in termed:
                        kill_group(proc.pid, signal.SIGKILL if hard else signal.SIGTERM)
                        termed.add(job)
            time.sleep(0.02)
            for job, (proc, log, started) in list(running.items()):
                code = proc.poll()
                if code is None:
                    continue
                if code < 0:  # killed by a signal: what it started in its group goes too
                    kill_group(proc.pid, signal.SIGTERM)
                    code = 128 - code
                _finish(log, code, started, f" (run.pl stopped by signal {stops[0][0]})" if stops else "")
                del running[job]
                if code != 0:
                    failed.append(job)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    if stops:
        print(f"run.pl: stopped by signal {stops[0][0]}; {len(pending)} job(s) not started", file=sys.stderr)
        sys.exit(128 + stops[0][0])
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
