"""The stage driver's contract (egs/TEMPLATE/asr_llm/asr_llm.sh), with stand-in stage-1 commands."""

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

# A stand-in local/data.sh: counts its runs, writes a tiny data dir, optionally sleeps midway.
DATA_SH = """#!/usr/bin/env bash
set -euo pipefail
variant=a
. utils/parse_options.sh
echo run >> runs.txt
mkdir -p data/train data/dev
for d in train dev; do
  printf '%s-u1 /nonexistent/%s1.wav\\n%s-u2 /nonexistent/%s2.wav\\n' spk $d spk $d > data/$d/wav.scp
  printf 'spk-u1 hello %s\\nspk-u2 world %s\\n' "$variant" "$variant" > data/$d/text
  printf 'spk-u1 spk\\nspk-u2 spk\\n' > data/$d/utt2spk
  echo "spk spk-u1 spk-u2" > data/$d/spk2utt
done
[ -f sleep_midway ] && { touch started; sleep 60; }
true
"""


@pytest.fixture
def recipe(repo, tmp_path, tool_env) -> Path:
    d = tmp_path / "egs" / "toy" / "asr_llm"
    subprocess.run([str(repo / "egs/TEMPLATE/asr_llm/setup.sh"), str(d)], check=True, capture_output=True)
    # the recipe lives outside the repo: point its symlinks back at the repo's shared pieces
    for name, target in [("asr_llm.sh", "egs/TEMPLATE/asr_llm/asr_llm.sh"),
                         ("path.sh", "egs/TEMPLATE/asr_llm/path.sh"), ("cmd.sh", "egs/TEMPLATE/asr_llm/cmd.sh"),
                         ("utils", "utils")]:
        (d / name).unlink()
        (d / name).symlink_to(repo / target)
    (d / "local/data.sh").write_text(DATA_SH)
    # no speed perturbation unless a test asks for it
    (d / "conf/data.yaml").write_text(f"extends: {repo / 'conf/data.yaml'}\nspeed_perturb: {{factors: [1.0]}}\n")
    return d


def drive(recipe, *args, env=None):
    cmd = ["./asr_llm.sh", "--train_set", "train", "--valid_set", "dev", *args]
    return subprocess.run(cmd, cwd=recipe, capture_output=True, text=True, env=env)


def runs(recipe) -> int:
    f = recipe / "runs.txt"
    return len(f.read_text().splitlines()) if f.exists() else 0


def test_stage_runs_once_then_is_skipped(recipe):
    r = drive(recipe, "--stage", "1", "--stop_stage", "1")
    assert r.returncode == 0, r.stderr
    assert runs(recipe) == 1
    assert (recipe / "dump/.stages/stage1.data_prep.done").is_file()
    times = (recipe / "exp/asr_llm_entropy/stage_times.tsv").read_text().splitlines()
    assert times[0] == "date\tstage\tname\tseconds" and times[1].split("\t")[1:3] == ["1", "data_prep"]
    r = drive(recipe, "--stage", "1", "--stop_stage", "1")
    assert r.returncode == 0 and runs(recipe) == 1
    assert "already done, skipping" in r.stderr
    # a skipped stage adds no time
    assert len((recipe / "exp/asr_llm_entropy/stage_times.tsv").read_text().splitlines()) == 2


def test_force_reruns(recipe):
    drive(recipe, "--stop_stage", "1")
    r = drive(recipe, "--stop_stage", "1", "--force", "true")
    assert r.returncode == 0 and runs(recipe) == 2


def test_changed_option_stops_and_names_it(recipe):
    assert drive(recipe, "--stop_stage", "1").returncode == 0
    r = drive(recipe, "--stop_stage", "1", "--local_data_opts", "--variant b")
    assert r.returncode != 0
    assert "--local_data_opts changed" in r.stderr and "--force true" in r.stderr
    assert runs(recipe) == 1


def test_changed_input_file_stops_and_names_it(recipe):
    assert drive(recipe, "--stop_stage", "1").returncode == 0
    (recipe / "local/data.sh").write_text(DATA_SH.replace("variant=a", "variant=c"))
    r = drive(recipe, "--stop_stage", "1")
    assert r.returncode != 0 and "input local/data.sh changed" in r.stderr


def test_stage_selection_and_a_missing_model(recipe):
    r = drive(recipe, "--stage", "11", "--stop_stage", "11")
    assert r.returncode != 0
    assert "stage 11 (decode): no model to decode at exp/asr_llm_entropy/joint/final" in r.stderr
    assert runs(recipe) == 0
    r = drive(recipe, "--stage", "7", "--stop_stage", "10", "--skip_train", "true")
    assert r.returncode == 0, r.stderr


def test_invalid_data_dir_from_stage1_fails_without_marker(recipe):
    (recipe / "local/data.sh").write_text(DATA_SH.replace("hello %s", ""))  # empty transcripts
    r = drive(recipe, "--stop_stage", "1")
    assert r.returncode != 0
    assert "data/train/text" in r.stderr
    assert not (recipe / "dump/.stages/stage1.data_prep.done").exists()


def test_resume_after_kill(recipe):
    (recipe / "sleep_midway").touch()
    proc = subprocess.Popen(["./asr_llm.sh", "--train_set", "train", "--valid_set", "dev",
                             "--stop_stage", "1"],
                            cwd=recipe, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    for _ in range(300):
        if (recipe / "started").exists():
            break
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (recipe / "dump/.stages/stage1.data_prep.done").exists()
    (recipe / "sleep_midway").unlink()
    r = drive(recipe, "--stop_stage", "1")
    assert r.returncode == 0, r.stderr
    assert runs(recipe) == 2
    assert (recipe / "dump/.stages/stage1.data_prep.done").is_file()


def test_speed_perturbation_stage_and_input_change(recipe, repo):
    (recipe / "conf/data.yaml").write_text(f"extends: {repo / 'conf/data.yaml'}\n")  # 0.9 1.0 1.1
    r = drive(recipe, "--stop_stage", "2")
    assert r.returncode == 0, r.stderr
    utts = (recipe / "data/train_sp/utt2spk").read_text().split("\n")
    assert any(u.startswith("sp0.9-spk-u1 sp0.9-spk") for u in utts)
    assert len([u for u in utts if u]) == 6
    (recipe / "data/train/text").write_text("spk-u1 changed\nspk-u2 text\n")
    r = drive(recipe, "--stage", "2", "--stop_stage", "2")
    assert r.returncode != 0 and "input data/train/text changed" in r.stderr


def test_help_lists_options_with_defaults(recipe):
    r = subprocess.run(["./asr_llm.sh", "--help"], cwd=recipe, capture_output=True, text=True)
    assert r.returncode == 0
    assert "1 data preparation" in r.stdout
    assert any(line.split()[:2] == ["--nj", "[4]"] for line in r.stdout.splitlines())
    r = subprocess.run(["./asr_llm.sh", "--no_such_option", "1"], cwd=recipe, capture_output=True, text=True)
    assert r.returncode != 0 and "--no_such_option" in r.stderr


def test_driver_arguments_saved(recipe):
    drive(recipe, "--stop_stage", "1", "--exp", "exp/mine")
    replay = (recipe / "exp/mine/driver_run.sh").read_text()
    assert "--stop_stage 1" in replay and "--exp exp/mine" in replay


@pytest.mark.parametrize("args, message", [
    (["--stage", "99"], "--stage must be a stage number from 1 to 15 (got '99')"),
    (["--stage", "abc"], "--stage must be a stage number from 1 to 15 (got 'abc')"),
    (["--stage", "5", "--stop_stage", "3"], "--stop_stage 3 is before --stage 5"),
])
def test_bad_stage_numbers_fail(recipe, args, message):
    r = drive(recipe, *args)
    assert r.returncode != 0 and message in r.stderr
    assert runs(recipe) == 0


def test_paradigms_and_the_label_sets_they_train_on(recipe, repo):
    r = drive(recipe, "--paradigm", "aed")
    assert r.returncode != 0 and "--paradigm must be one of: entropy, conventional, conventional_ctc," in r.stderr
    # conventional's AED pre-training trains on characters: without them stage 7 stops before it starts
    r = drive(recipe, "--stage", "7", "--stop_stage", "7", "--paradigm", "conventional", "--token_types", "phone",
              "--train_config_dir", str(repo / "conf/train"))
    assert r.returncode != 0
    assert "pretrain_aed.yaml trains on the 'char' label set, which --token_types 'phone' does not prepare" in r.stderr
    assert not (recipe / "exp/asr_llm_conventional/pretrain").exists()


def test_force_checks_the_stage_before_removing_its_marker(recipe):
    marker = recipe / "dump/.stages/stage3.format_audio.done"
    marker.parent.mkdir(parents=True)
    marker.write_text('{"settings": {}, "configs": {}, "inputs": {}}\n')
    r = drive(recipe, "--stage", "3", "--stop_stage", "3", "--force", "true", "--data_config", "conf/nope.yaml")
    assert r.returncode != 0 and "conf/nope.yaml" in r.stderr
    assert marker.is_file()


def _start_sleeping_driver(recipe, *args):
    (recipe / "sleep_midway").touch()
    proc = subprocess.Popen(["./asr_llm.sh", "--train_set", "train", "--valid_set", "dev", "--stop_stage", "1",
                             *args], cwd=recipe, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    for _ in range(300):
        if (recipe / "started").exists():
            return proc
        time.sleep(0.1)
    raise AssertionError("stage 1 did not start")


def test_a_second_driver_on_a_busy_experiment_or_dump_fails_at_once(recipe):
    proc = _start_sleeping_driver(recipe)
    try:
        r = drive(recipe, "--stop_stage", "1")  # same experiment folder
        assert r.returncode != 0
        assert "exp/asr_llm_entropy is in use" in r.stderr and f"pid {proc.pid} (" in r.stderr
        assert "asr_llm.sh" in r.stderr
        # another experiment on the same dump: stage 1 would write the data dirs stage 1 is writing
        r = drive(recipe, "--stop_stage", "1", "--exp", "exp/other")
        assert r.returncode != 0 and "dump is in use" in r.stderr and f"pid {proc.pid} (" in r.stderr
        # nor may it read what stage 1 is writing
        r = drive(recipe, "--stage", "7", "--stop_stage", "10", "--skip_train", "true", "--exp", "exp/other")
        assert r.returncode != 0 and "dump is in use" in r.stderr
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert runs(recipe) == 1


def test_readers_share_the_dump_and_a_writer_waits_for_none(recipe):
    (recipe / "dump").mkdir()
    reader = subprocess.Popen(["flock", "-s", "dump/.lock", "sleep", "60"], cwd=recipe)  # another experiment
    try:
        time.sleep(0.3)
        r = drive(recipe, "--stage", "7", "--stop_stage", "10", "--skip_train", "true", "--exp", "exp/other")
        assert r.returncode == 0, r.stderr
        r = drive(recipe, "--stop_stage", "1")  # stage 1 must write
        assert r.returncode != 0 and f"dump is in use: its lock dump/.lock is held by pid {reader.pid} (flock" in r.stderr
        assert runs(recipe) == 0
    finally:
        reader.kill()
        reader.wait()


def test_an_orphan_of_a_killed_driver_keeps_the_lock(recipe):
    proc = _start_sleeping_driver(recipe)
    os.kill(proc.pid, signal.SIGKILL)  # the driver only: its local/data.sh runs on as an orphan
    proc.wait()
    try:
        r = drive(recipe, "--stop_stage", "1")
        assert r.returncode != 0 and "is in use" in r.stderr
        assert "local/data.sh" in r.stderr and f"pid {proc.pid} " not in r.stderr
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
    for _ in range(100):  # the orphan is gone: the folder is free again
        r = drive(recipe, "--stage", "7", "--stop_stage", "7", "--skip_train", "true")
        if r.returncode == 0:
            break
        time.sleep(0.1)
    assert r.returncode == 0, r.stderr
