"""No two modules of ``nhl_bronze`` import each other, directly or through others (function-level imports count:
a lazy import hides a cycle from Python, not from the design)."""

from __future__ import annotations

import ast
from pathlib import Path

import nhl_bronze

PACKAGE_DIR = Path(nhl_bronze.__file__).parent


def module_names() -> dict[str, Path]:
    modules = {}
    for path in PACKAGE_DIR.rglob("*.py"):
        parts = ["nhl_bronze", *path.relative_to(PACKAGE_DIR).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules ``name`` imports anywhere in its body (``from a import b`` names ``a.b`` when that is a
    module, else ``a``)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in modules)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                target = f"{base}.{alias.name}"
                found.add(target if target in modules else base)
    return {module for module in found if module in modules and module != name}


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph[node]):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_the_cycle_finder_finds_a_cycle_through_three_modules_and_ignores_a_chain():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert import_cycles(graph) == [["a", "b", "c"]]
    assert import_cycles({"a": {"b"}, "b": set()}) == []


def test_a_function_level_import_is_an_edge(tmp_path):
    module = tmp_path / "late.py"
    module.write_text("def f():\n    from nhl_bronze.storage.delta import DeltaStore\n    return DeltaStore\n")
    modules = {"nhl_bronze.late": module, "nhl_bronze.storage.delta": Path("delta.py")}
    assert imports_of("nhl_bronze.late", module, modules) == {"nhl_bronze.storage.delta"}


def test_no_module_of_nhl_bronze_is_part_of_an_import_cycle():
    modules = module_names()
    graph = {name: imports_of(name, path, modules) for name, path in modules.items()}
    assert import_cycles(graph) == []


def test_storage_never_imports_protection():
    modules = module_names()
    upward = {name: sorted(m for m in imports_of(name, path, modules) if m.startswith("nhl_bronze.protection"))
              for name, path in modules.items() if name.startswith("nhl_bronze.storage")}
    assert {name: found for name, found in upward.items() if found} == {}
