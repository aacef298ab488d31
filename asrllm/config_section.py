"""One loader for every typed config section: a YAML mapping -> a dataclass.

build_section(cls, data, where) checks the keys against the dataclass's fields (a typo names the
nearest valid key), the required ones (fields without a default), and each value against its
annotation, recursing into nested dataclasses; every error names the file and the key path, e.g.
"conf/data.yaml: batching.frames_budget: expected an integer, got 'x'". What a section checks beyond
types (ranges, choices, combinations) stays in its own __post_init__ / validate.
"""

import dataclasses
import os
import types
import typing
from typing import Any

from asrllm.config import ConfigError, check_keys


def build_section(cls: type, data: Any, where: str, keypath: str = "") -> Any:
    """A `cls` from a mapping (None: all defaults)."""
    here = f"{where}: {keypath}" if keypath else where
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{here}: expected a mapping, got {data!r}")
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    check_keys(data, set(fields), here)
    for name, f in fields.items():
        if name not in data and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise ConfigError(f"{here}: missing required key '{name}'")
    hints = typing.get_type_hints(cls)
    kwargs = {name: coerce(value, hints[name], where, f"{keypath}.{name}" if keypath else name)
              for name, value in data.items()}
    try:
        return cls(**kwargs)
    except TypeError as e:
        raise ConfigError(f"{here}: {e}") from None


def coerce(value: Any, tp: Any, where: str, keypath: str) -> Any:
    """Check one value against its annotation; ints pass as floats, and so do number strings (YAML 1.1
    reads 1e-3 as a string)."""
    at = f"{where}: {keypath}"
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if tp is Any or tp is object:
        return value
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        arms = [a for a in args if a is not type(None)]
        if len(arms) == 1:
            return coerce(value, arms[0], where, keypath)
        for arm in arms:
            try:
                return coerce(value, arm, where, keypath)
            except ConfigError:
                continue
        raise ConfigError(f"{at}: expected {' or '.join(_name(a) for a in arms)}, got {value!r}")
    if origin is typing.Literal:
        if value not in args:
            raise ConfigError(f"{at}: {value!r} is not one of {', '.join(map(str, args))}")
        return value
    if dataclasses.is_dataclass(tp):
        return build_section(tp, value, where, keypath)
    if origin is list:
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{at}: expected a list, got {value!r}")
        return [coerce(v, args[0], where, f"{keypath}[{i}]") for i, v in enumerate(value)] if args else list(value)
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{at}: expected a list, got {value!r}")
        if len(args) == 2 and args[1] is Ellipsis:
            args = (args[0],) * len(value)
        if len(value) != len(args):
            raise ConfigError(f"{at}: expected {len(args)} values, got {value!r}")
        return tuple(coerce(v, a, where, f"{keypath}[{i}]") for i, (v, a) in enumerate(zip(value, args)))
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{at}: expected a mapping, got {value!r}")
        if not args:
            return dict(value)
        return {coerce(k, args[0], where, f"{keypath}.{k}"): coerce(v, args[1], where, f"{keypath}.{k}")
                for k, v in value.items()}
    if tp is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{at}: expected true/false, got {value!r}")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{at}: expected an integer, got {value!r}")
        return value
    if tp is float:
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                pass
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{at}: expected a number, got {value!r}")
        return float(value)
    if tp is str:
        if isinstance(value, os.PathLike):  # a path given from code
            return os.fspath(value)
        if not isinstance(value, str):
            raise ConfigError(f"{at}: expected a string, got {value!r}")
        return value
    if tp is dict or tp is list:
        if not isinstance(value, tp):
            raise ConfigError(f"{at}: expected a {'mapping' if tp is dict else 'list'}, got {value!r}")
        return value
    return value  # any other annotation (a path type, a class): its constructor checks it


def _name(tp: Any) -> str:
    return {int: "an integer", float: "a number", str: "a string", bool: "true/false"}.get(
        tp, getattr(tp, "__name__", str(tp)))
