"""A fake sbatch that runs every array task of the submitted script locally and records its arguments."""

import os

import pytest

FAKE_SBATCH = r"""#!/usr/bin/env bash
echo "$@" >> "$FAKE_SBATCH_LOG"
array=""; script=""
for a in "$@"; do
  case "$a" in --array=*) array=${a#--array=}; array=${array%%%*} ;; esac
  script=$a
done
first=${array%-*}; last=${array#*-}
rc=0
for t in $(seq "$first" "$last"); do SLURM_ARRAY_TASK_ID=$t bash "$script" || rc=1; done
exit $rc
"""


@pytest.fixture
def sbatch_env(tmp_path) -> dict:
    """os.environ with the fake sbatch first on PATH; its arguments go to tmp_path/sbatch_args.txt."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    sbatch = bindir / "sbatch"
    sbatch.write_text(FAKE_SBATCH)
    sbatch.chmod(0o755)
    env = dict(os.environ)
    env["PATH"] = f"{bindir}:{env['PATH']}"
    env["FAKE_SBATCH_LOG"] = str(tmp_path / "sbatch_args.txt")
    return env
