"""One logging format for every entry point: time, place, level, message."""

import logging
import sys

FORMAT = "%(asctime)s (%(module)s:%(lineno)d) %(levelname)s: %(message)s"


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at each record, not the one at set-up: a caller that swaps
    stderr (pytest's capture, a redirect) and closes it later leaves no dead stream behind."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def setup_logging(level: str | int = "INFO") -> logging.Logger:
    """Configure the root logger once (idempotent) and return it."""
    root = logging.getLogger()
    if not any(getattr(h, "_asrllm", False) for h in root.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter(FORMAT, datefmt="%Y-%m-%dT%H:%M:%S"))
        handler._asrllm = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(level)
    return root
