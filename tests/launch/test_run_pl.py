"""utils/run.pl: JOB substitution, parallelism, logs, failure propagation."""

import subprocess
import sys

import pytest

from asrllm.launch.jobspec import UsageError, parse


def run_pl(repo, cwd, *args, env=None):
    return subprocess.run([str(repo / "utils" / "run.pl"), *args], cwd=cwd, env=env,
                          capture_output=True, text=True)


def test_job_substitution_in_log_and_command(repo, tmp_path):
    r = run_pl(repo, tmp_path, "JOB=1:3", "log/echo.JOB.log", "echo", "job JOB", ">", "out.JOB.txt")
    assert r.returncode == 0, r.stderr
    for j in (1, 2, 3):
        assert (tmp_path / f"out.{j}.txt").read_text() == f"job {j}\n"
        log = (tmp_path / f"log/echo.{j}.log").read_text()
        assert log.startswith(f"# echo 'job {j}' > out.{j}.txt")
        assert "# Ended (code 0)" in log


def test_jobs_run_in_parallel(repo, tmp_path):
    # each job waits (up to 20 s) until all three have started: impossible when run one by one
    wait_all = ("touch started.JOB; for i in $(seq 200); do [ $(ls started.* | wc -l) -ge 3 ] && exit 0; "
                "sleep 0.1; done; exit 1")
    r = run_pl(repo, tmp_path, "JOB=1:3", "log/p.JOB.log", wait_all)
    assert r.returncode == 0, r.stderr


def test_max_jobs_run_limits_parallelism(repo, tmp_path):
    # with --max-jobs-run 1 a job never sees another job's lock file
    body = ("[ -e lock ] && exit 3; touch lock; sleep 0.2; rm lock")
    r = run_pl(repo, tmp_path, "--max-jobs-run", "1", "JOB=1:3", "log/s.JOB.log", body)
    assert r.returncode == 0, r.stderr


def test_failure_propagates_and_names_the_log(repo, tmp_path):
    r = run_pl(repo, tmp_path, "JOB=1:4", "log/f.JOB.log", "test JOB -ne 3 && test JOB -ne 4")
    assert r.returncode == 1
    assert "2 / 4 failed" in r.stderr
    assert "log/f.3.log" in r.stderr and "log/f.4.log" in r.stderr
    assert "# Ended (code 1)" in (tmp_path / "log/f.3.log").read_text()


def test_single_job_without_range(repo, tmp_path):
    r = run_pl(repo, tmp_path, "log/one.log", "echo", "hello")
    assert r.returncode == 0
    assert "hello" in (tmp_path / "log/one.log").read_text()
    r = run_pl(repo, tmp_path, "log/bad.log", "false")
    assert r.returncode == 1 and "log/bad.log" in r.stderr


def test_num_threads_sets_the_jobs_thread_count(repo, tmp_path):
    import os

    env = {**os.environ, "OMP_NUM_THREADS": "1"}  # as path.sh exports it: --num-threads still wins
    r = run_pl(repo, tmp_path, "--num-threads", "2", "l.log", "echo $OMP_NUM_THREADS > t.txt", env=env)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "t.txt").read_text() == "2\n"


def test_options_accepted_and_unknown_rejected(repo, tmp_path):
    r = run_pl(repo, tmp_path, "--mem", "4G", "--num-threads", "2", "--gpu", "0", "JOB=1:1", "l.JOB.log", "true")
    assert r.returncode == 0, r.stderr
    r = run_pl(repo, tmp_path, "--colour", "red", "l.log", "true")
    assert r.returncode == 1 and "--colour" in r.stderr


@pytest.mark.parametrize("argv, message", [
    (["JOB=3:1", "l.JOB.log", "true"], "empty job range"),
    (["JOB=1:2", "l.log", "true"], "must contain JOB"),
    (["JOB=1:2"], "usage"),
    (["--mem"], "needs a value"),
])
def test_usage_errors(argv, message):
    with pytest.raises(UsageError, match=message):
        parse(argv, "run.pl")


def test_works_with_plain_system_python(repo, tmp_path):
    """run.pl is stdlib-only: it runs with any python3, venv or not."""
    r = subprocess.run([sys.executable, str(repo / "utils" / "run.pl"), "JOB=1:2", "l.JOB.log", "true"],
                       cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
