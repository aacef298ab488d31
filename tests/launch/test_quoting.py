"""Arguments the project puts on a job's command line reach the job literally: nothing in them is run."""

import json
import shlex
import subprocess

import pytest

from asrllm.data.shards import run_jobs

WEIRD = ["x;touch${IFS}pwned1", "$(touch${IFS}pwned2)", "`touch${IFS}pwned3`", "a'b\"c d",
         "e\\$(touch pwned4)", "f>pwned5", "g|touch${IFS}pwned6", "h&&touch${IFS}pwned7", "JOB"]
ECHO_ARGV = "import json, sys\nopen(sys.argv[1], 'w').write(json.dumps(sys.argv[2:]))\n"


def no_pwned(root):
    return not list(root.rglob("pwned*"))


@pytest.mark.parametrize("launcher", ["run.pl", "slurm.pl"])
def test_run_jobs_passes_shell_characters_literally(repo, tmp_path, sbatch_env, monkeypatch, launcher):
    (tmp_path / "mods").mkdir()
    (tmp_path / "mods" / "echo_argv.py").write_text(ECHO_ARGV)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "mods"))
    for name in ("PATH", "FAKE_SBATCH_LOG"):
        monkeypatch.setenv(name, sbatch_env[name])
    log = tmp_path / "log;touch${IFS}pwned8" / "e.JOB.log"
    run_jobs(str(repo / "utils" / launcher), 2, log, "echo_argv", [str(tmp_path / "out.JOB.json"), *WEIRD])
    for j in (1, 2):
        assert json.loads((tmp_path / f"out.{j}.json").read_text()) == WEIRD[:-1] + [str(j)]
        assert "# Ended (code 0)" in (log.parent / f"e.{j}.log").read_text()
    assert no_pwned(tmp_path)


@pytest.mark.parametrize("launcher", ["run.pl", "slurm.pl"])
def test_log_header_shows_the_command_without_running_it(repo, tmp_path, sbatch_env, launcher):
    arg = "e\\$(touch pwned) `touch pwned2` $HOME"  # has whitespace: quoted by Kaldi's join
    r = subprocess.run([str(repo / "utils" / launcher), "l.log", "echo", arg], cwd=tmp_path, env=sbatch_env,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    log = (tmp_path / "l.log").read_text()
    assert log.startswith(f"# echo {shlex.quote(arg)}\n") and f"\n{arg}\n" in log
    assert no_pwned(tmp_path)
