"""What every data-dir tool does around its work: logging, and bad input as one clear error line."""

import logging
from typing import Callable

from asrllm.kaldi.table import DataError
from asrllm.utils.log import setup_logging


def run_tool(prog: str, body: Callable[[], int | None]) -> int:
    """Run `body`; a DataError (bad input, located by file and line) is logged and gives exit status 1."""
    setup_logging()
    try:
        return body() or 0
    except DataError as e:
        logging.error("%s: %s", prog, e)
        return 1
