"""The package structure holds: imports point one way, no cycles, no private names across modules.

`docs/architecture.md` draws the layers; this test is what keeps the drawing true. Every import of
an `etl` module is counted, at the top of a file or inside a function: a function-level import may
keep start-up fast (the CLI, the DAG files), but it never hides a cycle or an upward import.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

ETL = REPO / "etl"

# lower layers never import higher ones; packages in one layer never import each other
LAYERS: list[set[str]] = [
    {"base"},
    {"reference"},
    {"read", "spec"},
    {"extract", "validate"},
    {"draft", "warehouse", "report", "inbox", "receipt"},
    {"ingest", "demo", "docs", "pull"},
    {"airflow_tasks", "cli", "schedule"},
]
ENTRY_POINTS = set().union(*LAYERS[5:])


def module_name(path: Path) -> str:
    rel = path.relative_to(ETL.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(ETL.rglob("*.py"))}


def package_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def layer_of(module: str) -> int:
    pkg = package_of(module)
    for i, layer in enumerate(LAYERS):
        if pkg in layer:
            return i
    raise AssertionError(f"{module}: its package {pkg!r} is in no layer of this test")


def imports(path: Path, known: set[str]) -> list[tuple[str, str, int]]:
    """(module imported, name imported or '', line) for every etl import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    this = module_name(path)
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, "", node.lineno) for a in node.names if a.name.split(".")[0] == "etl"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = this.split(".")
                if path.name != "__init__.py":
                    base = base[:-1]
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if mod.split(".")[0] != "etl":
                continue
            for a in node.names:
                sub = f"{mod}.{a.name}"
                if sub in known:  # `from etl.base import cells`: the module itself
                    out.append((sub, "", node.lineno))
                else:
                    out.append((mod, a.name, node.lineno))
    return out


MODULES = modules()
GRAPH = {m: imports(p, set(MODULES)) for m, p in MODULES.items()}


def test_every_package_has_a_layer():
    for m in MODULES:
        if m != "etl":
            layer_of(m)


def test_imports_point_down():
    bad = []
    for m, deps in GRAPH.items():
        if m == "etl":
            continue
        for dep, _name, line in deps:
            if dep == "etl" or package_of(dep) == package_of(m):
                continue
            if layer_of(dep) >= layer_of(m):
                bad.append(f"{MODULES[m].relative_to(ETL.parent)}:{line} imports {dep}")
    assert not bad, "imports that do not point down a layer:\n" + "\n".join(bad)


def test_no_private_name_crosses_a_module():
    bad = [
        f"{MODULES[m].relative_to(ETL.parent)}:{line} imports {dep}.{name}"
        for m, deps in GRAPH.items()
        for dep, name, line in deps
        if name.startswith("_") or any(p.startswith("_") and p != "__init__" for p in dep.split("."))
    ]
    assert not bad, "\n".join(bad)


def test_no_import_cycle():
    edges = {m: {d for d, _n, _l in deps if d in MODULES and d != m} for m, deps in GRAPH.items()}
    # a package's __init__ re-exports its modules: an edge into a package is an edge to its __init__
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for d in edges[m]:
            if state.get(d) == 1:
                cycle = stack[stack.index(d) :] + [d]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if d not in state:
                visit(d)
        stack.pop()
        state[m] = 2

    for m in sorted(edges):
        if m not in state:
            visit(m)


def test_stages_never_import_entry_points():
    bad = [
        f"{MODULES[m].relative_to(ETL.parent)}:{line} imports {dep}"
        for m, deps in GRAPH.items()
        if package_of(m) not in ENTRY_POINTS and m != "etl"
        for dep, _n, line in deps
        if package_of(dep) in ENTRY_POINTS
    ]
    assert not bad, "\n".join(bad)


def test_the_checks_can_fail(tmp_path):
    """The walker sees function-level and relative imports (a check that cannot fail is no check)."""
    f = tmp_path / "etl" / "base" / "x.py"
    f.parent.mkdir(parents=True)
    f.write_text("def f():\n    from etl.warehouse.load import _commit\n    from ..ingest import run\n")
    global ETL
    old, ETL = ETL, tmp_path / "etl"
    try:
        found = imports(f, set())
    finally:
        ETL = old
    assert ("etl.warehouse.load", "_commit", 2) in found
    assert ("etl.ingest", "run", 3) in found
