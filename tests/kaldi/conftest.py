"""Fixtures: the utils/ tools run as a user would run them, and a valid data dir."""

import subprocess
from pathlib import Path

import pytest

from tests.kaldi.datadirs import REPO, make_data_dir


@pytest.fixture
def run(tool_env):
    """run(tool, *args) -> CompletedProcess of utils/<tool> with text stdout/stderr."""
    def _run(tool: str, *args, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([str(REPO / "utils" / tool), *map(str, args)], env=tool_env, input=stdin,
                              capture_output=True, text=True, timeout=60)
    return _run


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return make_data_dir(tmp_path / "data" / "train")
