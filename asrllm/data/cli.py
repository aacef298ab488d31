"""What every data-stage entry point does around its work: logging, and known failures as one error line."""

import logging
from typing import Callable

from asrllm.config import ConfigError
from asrllm.data.shards import StageError
from asrllm.kaldi.table import DataError
from asrllm.utils.log import setup_logging


def run_stage(prog: str, body: Callable[[], int | None], level: str = "INFO") -> int:
    """Run `body`; bad input, a bad config or a failed stage is logged and gives exit status 1."""
    setup_logging(level)
    try:
        return body() or 0
    except (DataError, ConfigError, StageError) as e:
        logging.error("%s: %s", prog, e)
        return 1
