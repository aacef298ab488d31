"""What produced a number: package versions, the repository's git state, the date, the command."""

import datetime
import platform
import shlex
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import asrllm

REPO_ROOT = Path(asrllm.__file__).resolve().parent.parent
PACKAGES = ("torch", "transformers", "numpy")


def package_version(name: str) -> str:
    """Installed version from the package metadata (no import, so no torch start-up cost)."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(REPO_ROOT), *args], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def git_state() -> dict:
    """{'hash', 'commit_date', 'dirty'} of the asrllm checkout; 'unknown' outside a git repository
    or before the first commit."""
    commit = _git("rev-parse", "HEAD")
    if not commit:
        return {"hash": "unknown", "commit_date": "unknown", "dirty": None}
    status = _git("status", "--porcelain", "--untracked-files=no")
    return {
        "hash": commit,
        "commit_date": _git("log", "-1", "--format=%cd", "--date=iso") or "unknown",
        "dirty": bool(status) if status is not None else None,
    }


def now() -> str:
    """Local time with its UTC offset, to the second."""
    return datetime.datetime.now().astimezone().isoformat(timespec="seconds")


def environment() -> dict:
    """Versions, git state and date, as recorded in result.json and printed in RESULTS.md."""
    env = {
        "date": now(),
        "python": platform.python_version(),
        "asrllm": asrllm.__version__,
    }
    env.update({name: package_version(name) for name in PACKAGES})
    env["git"] = git_state()
    return env


def module_command(module: str, argv: list[str] | None = None) -> list[str]:
    """The command line of a `python -m <module>` entry point as it was run."""
    return ["python", "-m", module, *(sys.argv[1:] if argv is None else argv)]


def command_string(command: list[str] | str) -> str:
    """A command list quoted for a POSIX shell (a string is returned as is)."""
    return command if isinstance(command, str) else shlex.join(command)
