"""Parse `launcher [--opt value ...] [JOB=1:N] log-file command args` (Kaldi's shared interface).

Quoting. The job runs `bash -c <command>`, and the command is built from the arguments after the log:
- one argument: it is the command, taken as shell as written (`run.pl log "a | b > c"`);
- several: joined as Kaldi does: a word without whitespace stays raw, so a `|`, `>` or `$VAR` word
  the user wrote (e.g. as `\\|`) acts as shell; a word with whitespace is quoted.
So a word like `exp/a;b` or `$(x)` from a path is shell too. Code that passes its own arguments
(paths, names) therefore builds the fully quoted command itself and passes it as ONE argument:
`shlex.join(argv)` in Python, `"$(printf '%q ' "${cmd[@]}")"` in bash. That needs no new option and
leaves `run.pl JOB=1:4 log cmd args` as Kaldi users know it. JOB is still replaced inside quotes.
"""

import re
import shlex
from dataclasses import dataclass, field

from asrllm.errors import UserError

RANGE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(\d+):(\d+)$")


class UsageError(UserError, ValueError):
    """Arguments that do not fit the launcher interface."""


@dataclass
class JobSpec:
    """One launcher call: options, job range, log-file pattern and command pattern."""

    options: dict[str, str] = field(default_factory=dict)
    var: str | None = None
    first: int = 1
    last: int = 1
    log_pattern: str = ""
    command: str = ""

    @property
    def ids(self) -> range:
        return range(self.first, self.last + 1)

    def log_for(self, job: int) -> str:
        return self.log_pattern.replace(self.var, str(job)) if self.var else self.log_pattern

    def command_for(self, job: int) -> str:
        return self.command.replace(self.var, str(job)) if self.var else self.command


def join_command(args: list[str]) -> str:
    """Join arguments as Kaldi does: words without whitespace stay raw (shell), others are quoted."""
    return " ".join(a if a and not re.search(r"\s", a) else shlex.quote(a) for a in args)


def parse(argv: list[str], prog: str) -> JobSpec:
    """Parse options (`--name value`, dashes -> underscores), the optional range, log and command."""
    spec = JobSpec()
    args = list(argv)
    while args and args[0].startswith("--"):
        name = args.pop(0)[2:].replace("-", "_")
        if "=" in name:
            name, value = name.split("=", 1)
        elif args:
            value = args.pop(0)
        else:
            raise UsageError(f"{prog}: option --{name} needs a value")
        spec.options[name] = value
    if args and RANGE.match(args[0]):
        var, first, last = RANGE.match(args.pop(0)).groups()
        spec.var, spec.first, spec.last = var, int(first), int(last)
        if spec.first > spec.last:
            raise UsageError(f"{prog}: empty job range {var}={first}:{last}")
    elif args and "=" in args[0] and ":" in args[0] and not args[0].startswith("/"):
        raise UsageError(f"{prog}: bad job range '{args[0]}' (expected e.g. JOB=1:4)")
    if len(args) < 2:
        raise UsageError(
            f"usage: {prog} [--mem 4G] [--gpu N] [--num-threads N] [--max-jobs-run N] "
            f"[JOB=1:N] <log-file> <command> [args ...]"
        )
    spec.log_pattern = args[0]
    spec.command = join_command(args[1:]) if len(args) > 2 else args[1]
    if spec.var and spec.last > spec.first and spec.var not in spec.log_pattern:
        raise UsageError(f"{prog}: the log file '{spec.log_pattern}' must contain {spec.var} "
                         f"when running jobs {spec.first}..{spec.last}")
    return spec
