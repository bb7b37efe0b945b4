"""The core's shape (ARCHITECTURE.md): no import cycle anywhere in yoolla_tui, counting imports
inside functions too (a cycle dodged by a late import is still a cycle), and every package of the
core says in its docstring what lives there and what it may import."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import yoolla_tui
import yoolla_tui.core

ROOT = Path(yoolla_tui.__file__).parent


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Every yoolla_tui module and the yoolla_tui modules it imports, wherever the import stands."""
    files = {_module_name(p): p for p in ROOT.rglob("*.py") if "migrations" not in p.parts}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(parts + ([node.module] if node.module else []))
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    targets.add(full if full in files else base)
            elif isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
        graph[name] = {t for t in targets if t in files and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle_even_through_late_imports():
    graph = import_graph()
    assert "yoolla_tui.core.calls.deals" in graph and graph["yoolla_tui.core.calls.deals"]
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_late_import_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_every_core_package_says_what_it_holds_and_may_import():
    packages = [m.name for m in pkgutil.walk_packages(yoolla_tui.core.__path__, "yoolla_tui.core.") if m.ispkg]
    assert "yoolla_tui.core.kernel" in packages
    for name in packages:
        doc = importlib.import_module(name).__doc__ or ""
        assert "May import" in doc or name.count(".") > 2, f"{name} has no 'May import' line in its docstring"


def test_no_core_module_reaches_into_another_packages_private_names():
    """Public names only across packages: `from yoolla_tui.core.x.y import _helper` is refused."""
    offenders = []
    for path in ROOT.rglob("*.py"):
        name = _module_name(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("yoolla_tui.core."):
                own = ".".join(name.split(".")[:3])
                if node.module.startswith(own + ".") or node.module == own:
                    continue
                offenders += [f"{name}: {node.module}.{a.name}" for a in node.names if a.name.startswith("_") and a.name != "_"]
    assert offenders == []
