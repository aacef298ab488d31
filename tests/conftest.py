"""Shared pytest fixtures."""

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = REPO / "tools" / "venv" / "bin"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture
def tool_env() -> dict:
    """Environment for running repo tools as subprocesses: venv and utils first on PATH."""
    env = dict(os.environ)
    env["PATH"] = f"{VENV_BIN}:{REPO / 'utils'}:{env['PATH']}"
    env["PYTHONPATH"] = str(REPO)
    env["LC_ALL"] = "C.UTF-8"
    return env
