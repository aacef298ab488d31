"""Run a Kaldi wav.scp pipe command (`cmd ... |`) and capture the audio it writes."""

import os
import subprocess
from pathlib import Path

from asrllm.audio.errors import PIPE_FAILED, AudioError


def _run(command: str, stdout) -> subprocess.CompletedProcess:
    # pipefail: a failing decoder early in the chain fails the entry, not just the last command
    return subprocess.run(["bash", "-o", "pipefail", "-c", command], stdout=stdout,
                          stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)


def _fail(command: str, proc: subprocess.CompletedProcess) -> AudioError:
    err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
    tail = err[-1] if err else "no error output"
    return AudioError(PIPE_FAILED, f"command exited with {proc.returncode}: {command} ({tail})")


def pipe_to_file(command: str, dest: str | os.PathLike) -> None:
    """Write the command's stdout to dest (bounded memory); AudioError if it fails or writes nothing."""
    dest = Path(dest)
    with open(dest, "wb") as out:
        proc = _run(command, out)
    if proc.returncode != 0:
        dest.unlink(missing_ok=True)
        raise _fail(command, proc)
    if dest.stat().st_size == 0:
        dest.unlink(missing_ok=True)
        raise AudioError(PIPE_FAILED, f"command wrote no audio: {command}")


def pipe_to_bytes(command: str) -> bytes:
    """The command's stdout in memory (for one short utterance); AudioError on failure."""
    proc = _run(command, subprocess.PIPE)
    if proc.returncode != 0:
        raise _fail(command, proc)
    if not proc.stdout:
        raise AudioError(PIPE_FAILED, f"command wrote no audio: {command}")
    return proc.stdout
