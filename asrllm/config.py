"""YAML configs with one source of truth.

A config may name a base it overrides with `extends: <path relative to this file>`; the base is
loaded first (recursively) and the overriding mapping is merged into it key by key. This is how a
recipe's conf/ holds only its overrides of the top-level conf/ files.
"""

import json
import os
from pathlib import Path
from typing import Any

import yaml

from asrllm.errors import UserError


class ConfigError(UserError, ValueError):
    """A config file that cannot be used as written."""


def deep_merge(base: dict, override: dict) -> dict:
    """Return base updated by override; nested mappings merge, everything else replaces."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def load_config(path: str | os.PathLike, _chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Load a YAML mapping, resolving `extends:` chains."""
    path = Path(path).resolve()
    if path in _chain:
        raise ConfigError(f"{path}: 'extends' forms a cycle: {' -> '.join(map(str, _chain + (path,)))}")
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as e:
        raise ConfigError(f"{path}: invalid YAML: {e}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: top level must be a mapping, got {type(data).__name__}")
    base_ref = data.pop("extends", None)
    if base_ref is None:
        return data
    base = load_config(path.parent / base_ref, _chain + (path,))
    return deep_merge(base, data)


def load_json(path: str | os.PathLike) -> Any:
    """Load a JSON file a stage wrote, naming the file when it is missing, unreadable or corrupt."""
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ConfigError(f"{path}: not readable JSON ({e}); remove it and re-run the stage that wrote it") from None


def check_keys(section: dict, allowed: set[str] | dict, where: str) -> None:
    """Fail on keys not in `allowed` (config typos), naming the closest valid key."""
    import difflib

    for key in section:
        if key not in allowed:
            near = difflib.get_close_matches(key, list(allowed), n=1)
            hint = f"; did you mean '{near[0]}'?" if near else f"; valid keys: {', '.join(sorted(allowed))}"
            raise ConfigError(f"{where}: unknown key '{key}'{hint}")
