"""The privlex modules and what each imports, read from their source (for the tests of the import graph)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "compiler" / "privlex"


def _module_names() -> dict[str, Path]:
    names = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


MODULES = _module_names()


@cache
def _syntax(path: Path) -> ast.Module:
    """A module's syntax tree, parsed once per process: five tests read the graph (reading it took 0.5 s each)."""
    return ast.parse(path.read_text(encoding="utf-8"))


def imports(name: str, path: Path, *, deferred: bool) -> Iterator[str]:
    """The privlex modules `name` imports at module level (under TYPE_CHECKING too), and in functions if `deferred`."""
    tree = _syntax(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    pending: list[ast.AST] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            if deferred:
                pending.extend(node.body)
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if alias.name in MODULES)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            for alias in node.names:
                if f"{base}.{alias.name}" in MODULES:
                    yield f"{base}.{alias.name}"
                elif base in MODULES:
                    yield base
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                pending.append(child)


def import_graph(*, deferred: bool) -> dict[str, set[str]]:
    return {name: set(imports(name, path, deferred=deferred)) - {name} for name, path in MODULES.items()}


def first_cycle(graph: dict[str, set[str]]) -> list[str]:
    """An import cycle of `graph` (its modules in import order, the first again at the end), or [] if none."""
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> list[str]:
        if module in path:
            return [*path[path.index(module) :], module]
        if module not in done:
            for imported in sorted(graph[module]):
                found = visit(imported, (*path, module))
                if found:
                    return found
            done.add(module)
        return []

    for module in sorted(graph):
        found = visit(module, ())
        if found:
            return found
    return []
