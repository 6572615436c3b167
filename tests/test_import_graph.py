"""The package's imports follow the layers docs/architecture.md describes, and none forms a cycle."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "compiler" / "privlex"

# Top to bottom, as docs/architecture.md lists them: a module may import only
# from a lower layer (or from its own top-level package). "privlex" is the
# package's own __init__ (its version and the runtime's names).
LAYERS: tuple[frozenset[str], ...] = tuple(
    frozenset(names.split())
    for names in (
        "__main__",
        "cli",
        "lsp",
        "report testreport",
        "verify testrunner batch",
        "build data explain fmt",
        "pipeline",
        "passes",
        "syntax codegen",
        "compilation",
        "diagnostics ir",
        "source privlex cache collector",
        "runtime",
    )
)

# The one import that goes up, deferred until it is called: a decision can
# explain itself (`Decision.explain()`), and the explainer needs the runtime.
UPWARD = {("privlex.runtime.decision", "privlex.explain")}


def _module_names() -> dict[str, Path]:
    names = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


MODULES = _module_names()


def _imports(name: str, path: Path, *, deferred: bool) -> Iterator[str]:
    """The privlex modules `name` imports at module level (under TYPE_CHECKING too), and in functions if `deferred`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
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


def _graph(*, deferred: bool) -> dict[str, set[str]]:
    return {name: set(_imports(name, path, deferred=deferred)) - {name} for name, path in MODULES.items()}


def _top(module: str) -> str:
    return module.split(".")[1] if "." in module else module


def test_every_top_level_module_has_a_layer() -> None:
    placed = set().union(*LAYERS)
    missing = sorted({_top(module) for module in MODULES} - placed)
    assert not missing, f"give {missing} a layer in docs/architecture.md and in LAYERS"


def test_imports_go_down_the_layers() -> None:
    rank = {name: index for index, layer in enumerate(LAYERS) for name in layer}
    upward = sorted(
        f"{module} -> {imported}"
        for module, imported_modules in _graph(deferred=True).items()
        for imported in imported_modules
        if _top(module) != _top(imported)
        and rank[_top(imported)] <= rank[_top(module)]
        and (module, imported) not in UPWARD
    )
    assert not upward, "imports that do not go down the layers:\n" + "\n".join(upward)


def test_no_module_level_import_cycle() -> None:
    graph = _graph(deferred=False)
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, "import cycle: " + " -> ".join((*path[path.index(module) :], module))
        if module not in done:
            for imported in sorted(graph[module]):
                visit(imported, (*path, module))
            done.add(module)

    for module in sorted(graph):
        visit(module, ())


def test_the_checks_see_the_imports_they_judge() -> None:
    """The graph is not empty by accident: known imports are found, deferred ones only when asked for."""
    assert "privlex.runtime" in _graph(deferred=False)["privlex.ir"]
    assert "privlex.explain" not in _graph(deferred=False)["privlex.runtime.decision"]
    assert "privlex.explain" in _graph(deferred=True)["privlex.runtime.decision"]
    assert len(MODULES) > 100
