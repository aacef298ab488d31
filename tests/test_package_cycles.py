"""No two packages of asrllm import each other (top-level modules such as asrllm/config.py count as
their own units): each concern sits on the ones below it, e.g. audio, augment and features on data's
config and job protocol, the loading package on all of them, metrics below the analysis stage."""

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "asrllm"


def unit_of(module: str) -> str:
    """asrllm.<package>.x -> <package>; asrllm.<module> -> <module>."""
    return module.split(".")[1]


def package_edges() -> dict[tuple[str, str], set[str]]:
    edges: dict[tuple[str, str], set[str]] = defaultdict(set)
    for f in ROOT.rglob("*.py"):
        rel = f.relative_to(ROOT).with_suffix("").parts
        here = rel[0]
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            names = [node.module] if isinstance(node, ast.ImportFrom) and node.module else \
                [a.name for a in node.names] if isinstance(node, ast.Import) else []
            for name in names:
                if name.startswith("asrllm.") and unit_of(name) != here:
                    edges[(here, unit_of(name))].add(str(f.relative_to(ROOT)))
    return edges


def test_no_two_packages_import_each_other():
    edges = package_edges()
    cycles = sorted({tuple(sorted(pair)) for pair in edges if pair[::-1] in edges})
    detail = {c: (sorted(edges[c]), sorted(edges[c[::-1]])) for c in cycles}
    assert not cycles, f"packages that import each other (files each way): {detail}"
