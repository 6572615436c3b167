"""The package's imports follow the layers docs/architecture.md describes, and none forms a cycle."""

from __future__ import annotations

from import_graph import MODULES, first_cycle, import_graph

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
        for module, imported_modules in import_graph(deferred=True).items()
        for imported in imported_modules
        if _top(module) != _top(imported)
        and rank[_top(imported)] <= rank[_top(module)]
        and (module, imported) not in UPWARD
    )
    assert not upward, "imports that do not go down the layers:\n" + "\n".join(upward)


def test_no_module_level_import_cycle() -> None:
    cycle = first_cycle(import_graph(deferred=False))
    assert not cycle, "import cycle: " + " -> ".join(cycle)


def test_the_checks_see_the_imports_they_judge() -> None:
    """The graph is not empty by accident: known imports are found, deferred ones only when asked for."""
    assert "privlex.runtime" in import_graph(deferred=False)["privlex.ir"]
    assert "privlex.explain" not in import_graph(deferred=False)["privlex.runtime.decision"]
    assert "privlex.explain" in import_graph(deferred=True)["privlex.runtime.decision"]
    assert len(MODULES) > 100
