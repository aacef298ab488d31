"""utils/parse_options.sh: option forms, errors, --help and --config."""

import subprocess

SCRIPT = """#!/usr/bin/env bash
# Demo script header: says what it does.
# Usage: demo.sh [options] <args>
set -euo pipefail
nj=4             # number of parallel jobs
use_gpu=false    # true or false
name="a b"
_private=1
. {repo}/utils/parse_options.sh
echo "nj=$nj use_gpu=$use_gpu name=$name rest=$*"
"""


def run(repo, tmp_path, *args):
    script = tmp_path / "demo.sh"
    script.write_text(SCRIPT.format(repo=repo))
    return subprocess.run(["bash", str(script), *args], capture_output=True, text=True, cwd=tmp_path)


def test_space_and_equals_forms_and_dashes(repo, tmp_path):
    r = run(repo, tmp_path, "--nj", "8", "--use-gpu=true", "--name", "x y", "pos1", "--pos2")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "nj=8 use_gpu=true name=x y rest=pos1 --pos2"


def test_unknown_option_is_named(repo, tmp_path):
    r = run(repo, tmp_path, "--nope", "1")
    assert r.returncode != 0 and "invalid option '--nope'" in r.stderr


def test_boolean_option_takes_true_or_false(repo, tmp_path):
    r = run(repo, tmp_path, "--use_gpu", "yes")
    assert r.returncode != 0 and "true or false" in r.stderr


def test_missing_value(repo, tmp_path):
    r = run(repo, tmp_path, "--nj")
    assert r.returncode != 0 and "needs a value" in r.stderr


def test_config_file(repo, tmp_path):
    (tmp_path / "opts.conf").write_text("nj=16\nname=fromconf\n")
    r = run(repo, tmp_path, "--config", "opts.conf", "--nj", "2")
    assert r.stdout.strip() == "nj=2 use_gpu=false name=fromconf rest="
    r = run(repo, tmp_path, "--config", "missing.conf")
    assert r.returncode != 0 and "missing.conf" in r.stderr


def test_help_prints_header_and_options_with_defaults(repo, tmp_path):
    r = run(repo, tmp_path, "--help")
    assert r.returncode == 0
    assert "Demo script header: says what it does." in r.stdout
    assert "#!/usr/bin/env" not in r.stdout
    lines = {line.split()[0]: line for line in r.stdout.splitlines() if line.strip().startswith("--")}
    assert "[4]" in lines["--nj"] and "number of parallel jobs" in lines["--nj"]
    assert "[false]" in lines["--use_gpu"]
    assert "--_private" not in lines


PASS_ON = """#!/usr/bin/env bash
set -euo pipefail
scale=paper                # paper | single_gpu
declare -a driver_args=()  # the rest, for the driver
. {repo}/utils/parse_options.sh
printf '%s|' "scale=$scale" "${{driver_args[@]}}" "$@"
"""


def test_a_declared_driver_args_array_collects_the_other_options(repo, tmp_path):
    script = tmp_path / "run.sh"
    script.write_text(PASS_ON.format(repo=repo))
    r = subprocess.run(["bash", str(script), "--stage", "3", "--scale=single_gpu", "--llm=/m x", "--driver_args", "y",
                        "rest"], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    # values keep their spaces; the array's own name is no option; the first non-option stops parsing
    assert r.stdout.split("|")[:-1] == ["scale=single_gpu", "--stage", "3", "--llm=/m x", "--driver_args", "y", "rest"]
