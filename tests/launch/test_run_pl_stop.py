"""run.pl: a killed launcher takes its jobs with it; a rerun keeps the earlier attempts' logs."""

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def wait_for(check, timeout=10.0) -> bool:
    end = time.time() + timeout
    while time.time() < end:
        if check():
            return True
        time.sleep(0.05)
    return check()


def start(repo, tmp_path, command):
    launcher = subprocess.Popen([str(repo / "utils" / "run.pl"), "l.log", command], cwd=tmp_path,
                                stderr=subprocess.PIPE, text=True)
    assert wait_for(lambda: (tmp_path / "pid").is_file() and (tmp_path / "pid").read_text().endswith("\n"))
    return launcher, int((tmp_path / "pid").read_text())


EXECS = "echo $$ > pid; exec sleep 1000"  # bash becomes sleep
FORKS = "sleep 1000 & echo $! > pid; wait"  # sleep is bash's child
# Not covered, by design (run_pl.py's docstring): SIGKILL of run.pl reaches bash, not what bash forked.
CASES = [(s, c) for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT) for c in (EXECS, FORKS)] + \
    [(signal.SIGKILL, EXECS)]


@pytest.mark.parametrize("sig, command", CASES)
def test_killing_the_launcher_stops_the_job(repo, tmp_path, sig, command):
    launcher, child = start(repo, tmp_path, command)
    try:
        launcher.send_signal(sig)
        assert launcher.wait(10) == (-sig if sig == signal.SIGKILL else 128 + sig)
        assert wait_for(lambda: not alive(child), 5), "the job outlived the launcher"
        if sig != signal.SIGKILL:
            assert f"(run.pl stopped by signal {int(sig)})" in (tmp_path / "l.log").read_text()
    finally:
        if alive(child):
            os.kill(child, signal.SIGKILL)


def test_a_second_signal_kills_a_job_that_ignores_sigterm(repo, tmp_path):
    launcher, child = start(repo, tmp_path, "trap '' TERM; echo $$ > pid; exec sleep 1000")
    try:
        launcher.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        assert alive(child) and launcher.poll() is None  # still in its grace period
        launcher.send_signal(signal.SIGTERM)
        assert launcher.wait(10) == 128 + signal.SIGTERM
        assert wait_for(lambda: not alive(child), 5)
    finally:
        if alive(child):
            os.kill(child, signal.SIGKILL)


def test_killing_the_jobs_bash_stops_what_it_started(repo, tmp_path):
    launcher, child = start(repo, tmp_path, "echo $$ > bash.pid; sleep 1000 & echo $! > pid; wait")
    try:
        os.kill(int((tmp_path / "bash.pid").read_text()), signal.SIGTERM)
        assert launcher.wait(10) == 1
        assert wait_for(lambda: not alive(child), 5)
        assert "# Ended (code 143)" in (tmp_path / "l.log").read_text()
    finally:
        if alive(child):
            os.kill(child, signal.SIGKILL)


def test_rerun_rotates_the_old_logs(repo, tmp_path):
    for n in range(1, 6):
        r = subprocess.run([str(repo / "utils" / "run.pl"), "log/x.log", "echo", f"attempt{n}"], cwd=tmp_path)
        assert r.returncode == 0
    logs = {p.name: p.read_text() for p in (tmp_path / "log").iterdir()}
    assert sorted(logs) == ["x.log", "x.log.1", "x.log.2", "x.log.3"]  # attempt 1 dropped (keeps 3)
    for name, n in [("x.log", 5), ("x.log.1", 4), ("x.log.2", 3), ("x.log.3", 2)]:
        assert f"\nattempt{n}\n" in logs[name] and "# Ended (code 0)" in logs[name]


def test_slurm_rerun_rotates_the_old_log(repo, tmp_path, sbatch_env):
    for n in (1, 2):
        r = subprocess.run([str(repo / "utils" / "slurm.pl"), "log/x.log", "echo", f"attempt{n}"], cwd=tmp_path,
                           env=sbatch_env)
        assert r.returncode == 0
    assert "\nattempt1\n" in (tmp_path / "log/x.log.1").read_text()
    assert "\nattempt2\n" in (tmp_path / "log/x.log").read_text()
