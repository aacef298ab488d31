"""utils/slurm.pl against a fake sbatch (tests/launch/conftest.py) that runs array tasks locally."""

import subprocess


def slurm_pl(repo, cwd, env, *args):
    return subprocess.run([str(repo / "utils" / "slurm.pl"), *args], cwd=cwd, env=env,
                          capture_output=True, text=True)


def test_array_job_runs_every_task_with_mapped_options(repo, tmp_path, sbatch_env):
    env = sbatch_env
    r = slurm_pl(repo, tmp_path, env, "--mem", "4G", "--gpu", "1", "--num-threads", "2",
                 "JOB=1:3", "exp/log/t.JOB.log", "echo", "task JOB", "$OMP_NUM_THREADS", ">", "out.JOB")
    assert r.returncode == 0, r.stderr
    for j in (1, 2, 3):
        assert (tmp_path / f"out.{j}").read_text() == f"task {j} 2\n"  # --num-threads sets the job's threads
        assert "# Ended (code 0)" in (tmp_path / f"exp/log/t.{j}.log").read_text()
    args = (tmp_path / "sbatch_args.txt").read_text()
    assert "--mem-per-cpu 4G" in args
    assert "--gres=gpu:1" in args
    assert "--cpus-per-task 2" in args
    assert "--array=1-3" in args and "--wait" in args


def test_failed_task_is_named(repo, tmp_path, sbatch_env):
    env = sbatch_env
    r = slurm_pl(repo, tmp_path, env, "JOB=1:3", "log/x.JOB.log", "test JOB -ne 2")
    assert r.returncode == 1
    assert "job 2 failed" in r.stderr and "log/x.2.log" in r.stderr


def test_recipe_slurm_conf_is_used(repo, tmp_path, sbatch_env):
    env = sbatch_env
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf/slurm.conf").write_text(
        "command sbatch --partition=cpu\noption mem=* --mem $0\noption gpu=* -p gpu --gres=gpu:$0\n"
        "option gpu=0\ndefault gpu=0\n")
    r = slurm_pl(repo, tmp_path, env, "--mem", "8G", "log/one.log", "true")
    assert r.returncode == 0, r.stderr
    args = (tmp_path / "sbatch_args.txt").read_text()
    assert "--partition=cpu" in args and "--mem 8G" in args and "gres" not in args


def test_option_missing_from_conf_is_an_error(repo, tmp_path, sbatch_env):
    env = sbatch_env
    r = slurm_pl(repo, tmp_path, env, "--colour", "red", "log/one.log", "true")
    assert r.returncode == 1 and "--colour" in r.stderr
