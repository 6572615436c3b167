"""The compiler's passes in order, from rule files to generated files.

`read_sources` reads a unit's rule files; `analyse` runs `PASSES` over them,
each pass a function that reads what the passes before it built into a
`Unit` and returns its diagnostics; `generate` renders the checked program.
To add a pass, write it in `privlex.passes` and list it in `PASSES`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import collector, ir
from .compilation import RULE_SUFFIX as RULE_SUFFIX  # re-exported: the compiler's callers import them from here
from .compilation import Compilation as Compilation
from .compilation import read_sources as read_sources
from .compilation import rule_files as rule_files
from .diagnostics import Diagnostic
from .passes.checks import check_rulesets
from .passes.properties import build_properties
from .passes.rulesets import build_rulesets
from .passes.testcases import build_tests
from .passes.vocabulary import resolve_vocabulary
from .source import SourceFile, unit_hash
from .syntax.nodes import File
from .syntax.read import read
from .syntax.recovery import Dropped, explained


@dataclass
class Unit:
    """What the passes build, one field each, from the sources of a compilation unit."""

    sources: Sequence[SourceFile]
    files: list[File] = field(default_factory=list)
    vocabulary: ir.Vocabulary | None = None
    rulesets: list[ir.Ruleset] = field(default_factory=list)
    tests: list[ir.TestCase] = field(default_factory=list)
    properties: list[ir.Property] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)  # declarations left out after a syntax error

    @property
    def known_vocabulary(self) -> ir.Vocabulary:
        assert self.vocabulary is not None, "the vocabulary pass runs first"
        return self.vocabulary


def syntax_pass(unit: Unit) -> list[Diagnostic]:
    """Rule file text -> syntax trees; a declaration with a syntax error is left out, the run goes on."""
    found: list[Diagnostic] = []
    for source in unit.sources:
        syntax = read(source)
        found.extend(syntax.diagnostics)
        unit.dropped.extend(syntax.dropped)
        if syntax.file is not None:
            unit.files.append(syntax.file)
    return found


def vocabulary_pass(unit: Unit) -> list[Diagnostic]:
    unit.vocabulary, found = resolve_vocabulary(unit.files)
    return found


def rulesets_pass(unit: Unit) -> list[Diagnostic]:
    unit.rulesets, found = build_rulesets(unit.files, unit.known_vocabulary)
    return found


def checks_pass(unit: Unit) -> list[Diagnostic]:
    return check_rulesets(unit.rulesets, unit.known_vocabulary)


def tests_pass(unit: Unit) -> list[Diagnostic]:
    unit.tests, found = build_tests(unit.files, unit.rulesets, unit.known_vocabulary)
    return found


def properties_pass(unit: Unit) -> list[Diagnostic]:
    unit.properties, found = build_properties(unit.files, unit.rulesets, unit.known_vocabulary)
    return found


# The passes in the order they run; each reads what the ones before it built.
PASSES: tuple[Callable[[Unit], list[Diagnostic]], ...] = (
    syntax_pass,
    vocabulary_pass,
    rulesets_pass,
    checks_pass,
    tests_pass,
    properties_pass,
)


def analyse(compilation: Compilation) -> Compilation:
    """Run every pass on the sources; set the program when nothing failed."""
    with collector.paused():
        return _analyse(compilation)


def _analyse(compilation: Compilation) -> Compilation:
    unit = Unit(sources=list(compilation.sources.values()))
    for step in PASSES:
        found = step(unit)
        if unit.dropped and step is not syntax_pass:  # what a declaration left out causes is not reported
            found = [d for d in found if not explained(d, unit.dropped)]
        compilation.diagnostics.extend(found)
    if not compilation.failed:
        compilation.program = ir.Program(
            vocabulary=unit.known_vocabulary,
            rulesets=tuple(unit.rulesets),
            tests=tuple(unit.tests),
            source_hash=unit_hash(compilation.sources.values()),
            files=tuple(sorted(compilation.sources)),
            properties=tuple(unit.properties),
        )
    return compilation


def compile_paths(paths: Sequence[Path]) -> Compilation:
    compilation = read_sources(paths)
    if compilation.failed:
        return compilation
    return analyse(compilation)


def generate(program: ir.Program, package: str) -> dict[str, str]:
    # The code generator (jinja2 and the layout) is imported when first used: checking rule files,
    # proving properties that hold and diffing never generate, and start up about 0.15 s sooner.
    from .codegen.package import render_package

    with collector.paused():
        return render_package(program, package)
