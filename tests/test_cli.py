"""asrllm/cli.py: the error family (asrllm.errors.UserError and a missing file) is one line and exit 1;
anything else is a bug and keeps its traceback."""

import logging

import pytest

from asrllm.cli import run
from asrllm.config import ConfigError
from asrllm.data.shards import StageError
from asrllm.kaldi.table import DataError


@pytest.mark.parametrize("error", [ConfigError("conf/x.yaml: bad key 'y'"), DataError("text:3: 'u1' has no words"),
                                   StageError("2 of 4 jobs failed"), FileNotFoundError("no such file: a.scp")])
def test_the_family_gives_one_error_line_and_status_1(error, caplog):
    def body():
        raise error

    with caplog.at_level(logging.ERROR):
        assert run("prog", body) == 1
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == [f"prog: {error}"]


def test_a_bug_is_not_swallowed_and_a_status_passes_through():
    def bug():
        raise KeyError("oops")

    with pytest.raises(KeyError):
        run("prog", bug)
    assert run("prog", lambda: 3) == 3 and run("prog", lambda: None) == 0
