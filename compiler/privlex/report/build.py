"""The whole report as data: what report.json holds and every page shows."""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from .. import __version__, ir
from ..source import SourceFile
from ..testrunner import GeneratedPackage, run_tests
from .decide import categories, decide_matrices, purposes
from .nodes import ruleset_data, test_data, vocabulary_data
from .regions import RegionClass, places, region_classes
from .scenarios import SCENARIOS, Scenario

REPORT_FORMAT = 1


def _class_data(region_class: RegionClass, titles: Mapping[str, str]) -> dict[str, Any]:
    return {
        "id": region_class.id,
        "coverage": list(region_class.coverage),
        "regions": [{"code": code, "title": titles.get(code, code)} for code in region_class.regions],
    }


def _tests(program: ir.Program, package: ModuleType, day: datetime.date) -> list[dict[str, Any]]:
    problems = {(case.ruleset, case.id): problem for case, problem in run_tests(program, day, package).failures}
    evaluate = package.evaluate
    found: list[dict[str, Any]] = []
    for case in program.tests:
        exercised: dict[str, list[str]] = {}
        try:
            results = evaluate(case.use, today=case.day or day)
        except ValueError:
            results = {}
        for name, result in results.items():
            if result is not None:
                exercised[name] = [leaf.reason.rule for leaf in result.leaves]
        found.append(test_data(case, problems.get((case.ruleset, case.id)), exercised))
    return found


@contextmanager
def _checkers(program: ir.Program, package: ModuleType | None) -> Iterator[ModuleType]:
    """The given generated package when it is the program's, else the program compiled into a temporary one."""
    if package is not None and getattr(package, "SOURCE_HASH", None) == program.source_hash:
        yield package
        return
    with GeneratedPackage(program) as generated:
        yield generated


def build_report(
    program: ir.Program,
    day: datetime.date,
    sources: Mapping[str, SourceFile] | None = None,
    scenarios: tuple[Scenario, ...] = SCENARIOS,
    package: ModuleType | None = None,
) -> dict[str, Any]:
    """Decide every cell and gather every page's content; deterministic for a program and a day.

    `package`: the project's generated checkers, used when they are the program's.
    """
    titles = {r.code: r.title for r in program.vocabulary.regions}
    classes = region_classes(program)
    with _checkers(program, package) as package:
        matrices, explanations, used = decide_matrices(program, package, scenarios, classes, day)
        tests = _tests(program, package, day)
    all_places = places(program.vocabulary)
    rulesets = []
    for ruleset in program.rulesets:
        covered = [p for p in all_places if ruleset.id in {c for rc in classes if p in rc.regions for c in rc.coverage}]
        exercised = {node for test in tests for node in test["exercised"].get(ruleset.id, [])}
        own = [test for test in tests if test["ruleset"] == ruleset.id]
        rulesets.append(ruleset_data(ruleset, covered, own, exercised))
    return {
        "format": REPORT_FORMAT,
        "privlex": __version__,
        "date": day.isoformat(),
        "source_hash": program.source_hash,
        "files": list(program.files),
        "sources": sorted(sources) if sources else [],
        "scenarios": used,
        "categories": categories(program.vocabulary),
        "purposes": purposes(program.vocabulary),
        "region_classes": [_class_data(c, titles) for c in classes],
        "matrices": matrices,
        "explanations": explanations,
        "rulesets": rulesets,
        "tests": [test for test in tests if test["ruleset"] is None],
        "vocabulary": vocabulary_data(program.vocabulary),
    }
