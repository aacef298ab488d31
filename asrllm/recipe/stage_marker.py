"""`.done` markers for the stage driver: what a finished stage ran with, to detect stale reuse.

A marker records the stage's settings (name=value strings and resolved YAML configs) and a
content hash of each input file. Checking it against the current settings and inputs says
`run` (no marker), `skip` (all equal) or names every difference (the driver then stops).
"""

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from asrllm.config import load_config
from asrllm.utils.atomic import atomic_write

CHUNK = 1 << 20


def file_digest(path: Path) -> str:
    """sha256 of a file's content, or 'missing'. An upstream stage's marker (`*.done`) is digested
    by what it recorded (settings, configs, inputs), not by when or where that stage finished, so a
    downstream stage goes stale exactly when something its upstream consumed changed."""
    if not path.exists():
        return "missing"
    if path.suffix == ".done":
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            state = {k: record[k] for k in ("settings", "configs", "inputs")}
        except (OSError, ValueError, KeyError, TypeError):
            pass  # not a marker we wrote: its bytes are its state
        else:
            return "state:" + hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def flatten(tree: object, prefix: str = "") -> dict[str, str]:
    """Nested config -> {'a.b.c': json value} so differences can be named key by key."""
    if isinstance(tree, dict):
        out: dict[str, str] = {}
        for k, v in tree.items():
            out.update(flatten(v, f"{prefix}{k}."))
        return out or {prefix.rstrip("."): "{}"}
    return {prefix.rstrip("."): json.dumps(tree, sort_keys=True)}


@dataclass
class StageState:
    """What a stage depends on: settings, config files and input files."""

    settings: dict[str, str]
    configs: dict[str, dict[str, str]]
    inputs: dict[str, str]

    @classmethod
    def collect(cls, settings: list[str], configs: list[str], inputs: list[str]) -> "StageState":
        parsed = {}
        for item in settings:
            name, sep, value = item.partition("=")
            if not sep:
                raise ValueError(f"setting '{item}' is not name=value")
            parsed[name] = value
        return cls(
            settings=parsed,
            configs={c: flatten(load_config(c)) for c in configs},
            inputs={i: file_digest(Path(i)) for i in inputs},
        )

    def to_json(self) -> dict:
        return {"settings": self.settings, "configs": self.configs, "inputs": self.inputs}

    def differences(self, old: dict) -> list[str]:
        """Human-readable list of what changed between `old` (a marker) and now."""
        diffs = []
        for name in sorted(set(self.settings) | set(old.get("settings", {}))):
            a, b = old.get("settings", {}).get(name), self.settings.get(name)
            if a != b:
                diffs.append(f"option --{name} changed: '{a}' -> '{b}'")
        for path in sorted(set(self.configs) | set(old.get("configs", {}))):
            a, b = old.get("configs", {}).get(path), self.configs.get(path)
            if a is None or b is None:
                diffs.append(f"config {path} {'added' if a is None else 'no longer used'}")
                continue
            for key in sorted(set(a) | set(b)):
                if a.get(key) != b.get(key):
                    diffs.append(f"config {path}: {key} changed: {a.get(key)} -> {b.get(key)}")
        for path in sorted(set(self.inputs) | set(old.get("inputs", {}))):
            a, b = old.get("inputs", {}).get(path), self.inputs.get(path)
            if a != b:
                what = "is new" if a is None else "is no longer an input" if b is None else \
                    "was removed" if b == "missing" else "changed"
                diffs.append(f"input {path} {what}")
        return diffs


def check(marker: Path, state: StageState) -> list[str] | None:
    """None when the marker matches (skip); [] when there is no marker (run); else the changes."""
    if not marker.is_file():
        return []
    try:
        old = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return [f"marker {marker} is unreadable"]
    diffs = state.differences(old)
    return None if not diffs else diffs


def write(marker: Path, state: StageState, stage: str) -> None:
    """Write the marker atomically (after the stage's outputs are complete)."""
    record = {"stage": stage, "finished": datetime.now().isoformat(timespec="seconds"),
              "host": os.uname().nodename, **state.to_json()}
    with atomic_write(marker) as f:
        json.dump(record, f, indent=1, ensure_ascii=False)
        f.write("\n")
