"""The error family entry points report as one line and exit status 1 (asrllm/cli.py).

Every error that means "the input, the config or the environment is not what this step needs"
derives from UserError as well as from the built-in type callers already catch (ValueError,
OSError, RuntimeError), so `except ValueError` keeps working. Bugs are not in the family: they
keep their traceback.
"""


class UserError(Exception):
    """Bad input (named by file and line or utterance id), a bad config, a missing resource, a failed stage."""
