"""Run an entry point: logging set up, and the project's error family (asrllm.errors.UserError, plus
an operating-system error: a missing file, no permission, a full disk) reported as one line with exit
status 1. Every `python -m asrllm.bin.*` uses it."""

import logging
from typing import Callable

from asrllm.errors import UserError
from asrllm.utils.log import setup_logging


def run(prog: str, body: Callable[[], int | None], level: str | int = "INFO") -> int:
    """body()'s exit status (None: 0); a UserError or OSError gives one error line and 1."""
    setup_logging(level)
    try:
        return body() or 0
    except (UserError, OSError) as e:
        logging.error("%s: %s", prog, e)
        return 1
