"""Keep a launcher's jobs from outliving it: parent-death signal and process-group kills (Linux)."""

import os
import signal
import sys

_prctl = None
if sys.platform.startswith("linux"):
    import ctypes

    _prctl = ctypes.CDLL(None, use_errno=True).prctl
PR_SET_PDEATHSIG = 1


def die_with_parent(sig: int = signal.SIGTERM):
    """A Popen preexec_fn: the child gets `sig` when the launcher dies, even by SIGKILL.

    The setting survives exec (of `bash -c` and of the simple command bash execs in its place), not
    fork: processes that bash forks (compound commands, pipelines) do not get it.
    """
    parent = os.getpid()

    def setup() -> None:
        if _prctl is not None:
            _prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
        if os.getppid() != parent:  # the launcher died before prctl took effect
            os.kill(os.getpid(), sig)

    return setup


def kill_group(pgid: int, sig: int = signal.SIGTERM) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass
