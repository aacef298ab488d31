"""Build RESULTS.md for an experiment folder from the JSON files its stages wrote.

RESULTS.md = a generated-by line, an environment block, then one section per registered section
renderer that found files, in `order`. Sections are registered with `register_section` by the
modules listed in SECTION_MODULES (imported by make_results) or passed with
`--section-module some.module`. The scores tables themselves are such a section
(asrllm/scoring/results_section.py).
"""

import importlib
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from asrllm.scoring.environment import environment
from asrllm.utils.atomic import atomic_write

log = logging.getLogger(__name__)

# The modules that register RESULTS.md sections, in no particular order (each section has its own);
# a new stage that reports adds its module here (or passes --section-module)
SECTION_MODULES = ("asrllm.scoring.results_section", "asrllm.analysis.results_section",
                   "asrllm.hallucination.results_section", "asrllm.recipe.results_section")

# render(exp_dir, files, options) -> markdown (None or "" to leave the section out)
Renderer = Callable[[Path, list[Path], dict], str | None]


@dataclass(frozen=True)
class Section:
    name: str
    patterns: tuple[str, ...]
    render: Renderer
    order: int = 100


SECTIONS: dict[str, Section] = {}


def register_section(name: str, patterns: Iterable[str], order: int = 100) -> Callable[[Renderer], Renderer]:
    """Decorator: call `render(exp_dir, files, options)` with every file under EXP_DIR whose path
    relative to EXP_DIR matches one of the glob `patterns` ('**/' = any number of folders, '*' and
    '?' stay inside one folder name). Sections print in increasing `order` (scores: 10)."""
    patterns = tuple(patterns)

    def deco(fn: Renderer) -> Renderer:
        if name in SECTIONS and SECTIONS[name].render is not fn:
            log.warning("results section '%s' registered twice; the later one wins", name)
        SECTIONS[name] = Section(name, patterns, fn, order)
        return fn

    return deco


def glob_to_regex(pattern: str) -> re.Pattern:
    """Compile a '/'-separated glob with '**' (zero or more folders) to a full-match regex."""
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:[^/]+/)*")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def list_files(exp_dir: Path) -> list[str]:
    """Every regular file under exp_dir as a '/'-separated relative path, sorted; symlinked
    folders are not followed (no loops), hidden folders are skipped."""
    found = []
    for root, dirs, files in os.walk(exp_dir, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        rel_root = Path(root).relative_to(exp_dir)
        for f in files:
            found.append((rel_root / f).as_posix())
    return sorted(found, key=natural_key)


def natural_key(s: str) -> list:
    """Sort key that puts test2 before test10."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", s)]


def find_files(exp_dir: Path, patterns: Iterable[str], all_files: list[str] | None = None) -> list[Path]:
    regexes = [glob_to_regex(p) for p in patterns]
    all_files = list_files(exp_dir) if all_files is None else all_files
    return [exp_dir / f for f in all_files if any(r.match(f) for r in regexes)]


def load_section_modules(extra: Iterable[str] = ()) -> None:
    """Import SECTION_MODULES and any extra module names; each registers its sections."""
    for name in [*SECTION_MODULES, *extra]:
        try:
            importlib.import_module(name)
        except Exception as e:  # a broken add-on must not take the scores table down with it
            log.error("cannot import results section module %s: %s: %s", name, type(e).__name__, e)


def render_environment(env: dict) -> str:
    git = env.get("git", {})
    dirty = {True: " (uncommitted changes)", False: "", None: ""}[git.get("dirty")]
    lines = [
        "## Environments",
        f"- date: `{env['date']}`",
        f"- python version: `{env['python']}`",
        f"- asrllm version: `{env['asrllm']}`",
        f"- torch version: `{env.get('torch', 'unknown')}`",
        f"- transformers version: `{env.get('transformers', 'unknown')}`",
        f"- Git hash: `{git.get('hash', 'unknown')}`{dirty}",
        f"  - Commit date: `{git.get('commit_date', 'unknown')}`",
    ]
    return "\n".join(lines)


def render_results(exp_dir: str | os.PathLike, options: dict | None = None,
                   section_modules: Iterable[str] = ()) -> str:
    """The whole RESULTS.md text for exp_dir."""
    exp_dir = Path(exp_dir)
    if not exp_dir.is_dir():
        raise FileNotFoundError(f"experiment folder not found: {exp_dir}")
    options = dict(options or {})
    load_section_modules(section_modules)
    all_files = list_files(exp_dir)
    env = environment()
    options.setdefault("environment", env)
    parts = [
        "<!-- Generated by `python -m asrllm.bin.make_results`; edits are overwritten. -->",
        f"# RESULTS: {exp_dir.resolve().name}",
        render_environment(env),
    ]
    rendered = 0
    for section in sorted(SECTIONS.values(), key=lambda s: (s.order, s.name)):
        files = find_files(exp_dir, section.patterns, all_files)
        if not files:
            continue
        try:
            text = section.render(exp_dir, files, options)
        except Exception as e:
            log.error("results section '%s' failed: %s: %s", section.name, type(e).__name__, e)
            text = f"## {section.name}\n\n_This section could not be rendered: {type(e).__name__}: {e}_"
        if text:
            parts.append(text.strip("\n"))
            rendered += 1
    if rendered == 0:
        log.warning("no result files found under %s", exp_dir)
        parts.append("_No results found (looked for: "
                     + ", ".join(f"`{p}`" for s in SECTIONS.values() for p in s.patterns) + ")._")
    return "\n\n".join(parts) + "\n"


def write_results(exp_dir: str | os.PathLike, out: str | os.PathLike | None = None, options: dict | None = None,
                  section_modules: Iterable[str] = ()) -> Path:
    """Render and write RESULTS.md atomically (default EXP_DIR/RESULTS.md); returns its path."""
    text = render_results(exp_dir, options, section_modules)
    out = Path(out) if out is not None else Path(exp_dir) / "RESULTS.md"
    with atomic_write(out) as f:
        f.write(text)
    return out
