"""Kaldi-style slurm.conf: how launcher options become sbatch arguments.

Lines:  command sbatch ARGS...        the submit command and fixed arguments
        option NAME=* ARGS with $0     any value of --NAME (the value replaces $0)
        option NAME=VALUE ARGS...      this exact value (may map to nothing)
        default NAME=VALUE             used when the caller does not give --NAME
"""

from dataclasses import dataclass, field
from pathlib import Path

from asrllm.errors import UserError

DEFAULT = """\
command sbatch --export=ALL --ntasks-per-node=1
option time=* --time $0
option mem=* --mem-per-cpu $0
option mem=0
option num_threads=* --cpus-per-task $0
option num_threads=1 --cpus-per-task 1
option gpu=0
option gpu=* --gres=gpu:$0
option max_jobs_run=*
default gpu=0
"""


class SlurmConfError(UserError, ValueError):
    """A slurm.conf line or option that cannot be used."""


@dataclass
class SlurmConf:
    command: list[str] = field(default_factory=lambda: ["sbatch"])
    exact: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    wildcard: dict[str, list[str]] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_text(cls, text: str, where: str = "<slurm.conf>") -> "SlurmConf":
        conf = cls()
        for lineno, line in enumerate(text.splitlines(), 1):
            words = line.split("#", 1)[0].split()
            if not words:
                continue
            kind, rest = words[0], words[1:]
            if kind == "command" and rest:
                conf.command = rest
            elif kind in ("option", "default") and rest and "=" in rest[0]:
                name, value = rest[0].split("=", 1)
                if kind == "default":
                    conf.defaults[name] = value
                elif value == "*":
                    conf.wildcard[name] = rest[1:]
                else:
                    conf.exact[(name, value)] = rest[1:]
            else:
                raise SlurmConfError(f"{where}:{lineno}: cannot parse '{line.strip()}'")
        return conf

    @classmethod
    def from_file(cls, path: str | Path | None) -> "SlurmConf":
        if path is None:
            return cls.from_text(DEFAULT, "<built-in slurm.conf>")
        path = Path(path)
        if not path.is_file():
            raise SlurmConfError(f"slurm.pl: config file {path} not found")
        return cls.from_text(path.read_text(encoding="utf-8"), str(path))

    def sbatch_args(self, options: dict[str, str]) -> list[str]:
        """Map the caller's options (plus defaults) to sbatch arguments."""
        merged = {**self.defaults, **options}
        args: list[str] = []
        for name, value in merged.items():
            if (name, value) in self.exact:
                args += self.exact[(name, value)]
            elif name in self.wildcard:
                args += [w.replace("$0", value) for w in self.wildcard[name]]
            else:
                raise SlurmConfError(f"slurm.pl: option --{name} {value} is not in the slurm config")
        return args
