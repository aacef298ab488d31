"""Fixtures of the offline augmentation tests."""

from pathlib import Path

import pytest

from tests.augment.datadirs import write_clean_dir


@pytest.fixture(scope="module")
def clean_dir(tmp_path_factory) -> Path:
    """240 clean utterances, shared by a module's tests (read only)."""
    return write_clean_dir(tmp_path_factory.mktemp("clean") / "train", 240)
