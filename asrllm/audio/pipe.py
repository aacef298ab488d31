"""Run a Kaldi wav.scp pipe command (`cmd ... |`) and capture the audio it writes.

Each pipe runs in its own process group under a time limit (format.pipe_timeout); on timeout the
whole group is killed, so no `sleep` or decoder of the pipe is left running.
"""

import os
import re
import signal
import subprocess
from pathlib import Path

from asrllm.audio.errors import PIPE_FAILED, PIPE_TIMEOUT, TRUNCATED, AudioError
from asrllm.data.config import FormatConfig

PIPE_TIMEOUT_S = FormatConfig.pipe_timeout  # the default lives with the config key

# sox 14.4 exits 0 on a truncated WAV and only warns "sox WARN wav: Premature EOF on .wav input
# file"; the audio it writes is then silently short, so the warning fails the entry.
_PREMATURE_EOF = re.compile(r"premature eof", re.IGNORECASE)


def _kill_group(proc: subprocess.Popen) -> None:
    # the group id is the shell's pid, still ours: the shell is not reaped until proc.wait()
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()
    for f in (proc.stdout, proc.stderr):
        if f is not None:
            f.close()  # a process that left the group (setsid) may still hold the other end


def _run(command: str, stdout, timeout: float) -> tuple[bytes | None, bytes]:
    """(stdout if captured, stderr); AudioError if the command fails, warns of a truncated input or times out."""
    # pipefail: a failing decoder early in the chain fails the entry, not just the last command
    proc = subprocess.Popen(["bash", "-o", "pipefail", "-c", command], stdout=stdout, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise AudioError(PIPE_TIMEOUT, f"pipe timed out after {timeout:g} s: {command}") from None
    except BaseException:  # interrupted: leave no pipe behind either
        _kill_group(proc)
        raise
    lines = err.decode("utf-8", "replace").strip().splitlines()
    if proc.returncode != 0:
        tail = lines[-1] if lines else "no error output"
        raise AudioError(PIPE_FAILED, f"command exited with {proc.returncode}: {command} ({tail})")
    eof = next((ln.strip() for ln in lines if _PREMATURE_EOF.search(ln)), None)
    if eof:
        raise AudioError(TRUNCATED, f"input ended before its header said (truncated file): {command} ({eof})")
    return out, err


def pipe_to_file(command: str, dest: str | os.PathLike, timeout: float = PIPE_TIMEOUT_S) -> None:
    """Write the command's stdout to dest (bounded memory); AudioError if it fails or writes nothing."""
    dest = Path(dest)
    try:
        with open(dest, "wb") as out:
            _run(command, out, timeout)
    except AudioError:
        dest.unlink(missing_ok=True)
        raise
    if dest.stat().st_size == 0:
        dest.unlink(missing_ok=True)
        raise AudioError(PIPE_FAILED, f"command wrote no audio: {command}")


def pipe_to_bytes(command: str, timeout: float = PIPE_TIMEOUT_S) -> bytes:
    """The command's stdout in memory (for one short utterance); AudioError on failure."""
    out, _ = _run(command, subprocess.PIPE, timeout)
    if not out:
        raise AudioError(PIPE_FAILED, f"command wrote no audio: {command}")
    return out
