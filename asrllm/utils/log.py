"""One logging format for every entry point: time, place, level, message."""

import logging
import sys

FORMAT = "%(asctime)s (%(module)s:%(lineno)d) %(levelname)s: %(message)s"


def setup_logging(level: str | int = "INFO") -> logging.Logger:
    """Configure the root logger once (idempotent) and return it."""
    root = logging.getLogger()
    if not any(getattr(h, "_asrllm", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(FORMAT, datefmt="%Y-%m-%dT%H:%M:%S"))
        handler._asrllm = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(level)
    return root
