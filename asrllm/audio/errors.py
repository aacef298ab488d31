"""Bad-input errors with a short reason tag that reports count by."""

MISSING = "missing-file"
UNREADABLE = "unreadable"
TRUNCATED = "truncated"
CORRUPT = "corrupt"
EMPTY = "empty-audio"
TOO_SHORT = "too-short"
PAST_END = "segment-past-end"
BAD_SEGMENT = "bad-segment"
PIPE_FAILED = "pipe-failed"
PIPE_TIMEOUT = "pipe-timeout"
MULTI_CHANNEL = "multi-channel"
BAD_TEXT = "text-not-utf8"
NO_TEXT = "no-text"
NO_AUDIO = "no-audio"
WRONG_RATE = "sample-rate"


class AudioError(Exception):
    """An audio entry that cannot be used; `reason` is one of the tags above."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message

    def __str__(self) -> str:
        return f"{self.reason}: {self.message}"
