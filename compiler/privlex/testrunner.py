"""`privlex test`: run the tests written beside the rules against the generated code."""

from __future__ import annotations

import datetime
import importlib
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from . import ir
from .pipeline import generate
from .runtime import InvalidUse, RulesetResult, combine


@dataclass
class TestReport:
    """What a run of the tests found: `failures` as (test, problem), `decided` what each failing test
    expected and what was decided instead, `unexercised` the nodes no test reached."""

    passed: list[ir.TestCase] = field(default_factory=list)
    failures: list[tuple[ir.TestCase, str]] = field(default_factory=list)
    unexercised: list[tuple[str, ir.Node]] = field(default_factory=list)
    decided: dict[tuple[str | None, str], tuple[str, str]] = field(default_factory=dict)

    def expected_and_actual(self, case: ir.TestCase) -> tuple[str, str] | None:
        """(expected, decided) for a failing test; None when its facts were not a valid use."""
        return self.decided.get((case.ruleset, case.id))


class GeneratedPackage:
    """The program's generated code, written to a temporary folder and imported."""

    def __init__(self, program: ir.Program) -> None:
        self.name = f"_privlex_under_test_{program.source_hash[:12]}"
        self._folder = tempfile.TemporaryDirectory(prefix="privlex-test-")
        package = Path(self._folder.name) / self.name
        package.mkdir()
        for name, text in generate(program, self.name).items():
            (package / name).write_text(text, encoding="utf-8")

    def __enter__(self) -> ModuleType:
        sys.path.insert(0, self._folder.name)
        importlib.invalidate_caches()
        return importlib.import_module(self.name)

    def __exit__(self, *exc: object) -> None:
        sys.path.remove(self._folder.name)
        for module in [m for m in sys.modules if m == self.name or m.startswith(self.name + ".")]:
            del sys.modules[module]
        self._folder.cleanup()


def _describe(outcome: str, ids: list[str], obligations: list[str]) -> str:
    text = outcome.replace("_", " ")
    if ids:
        text += " by " + ", ".join(ids)
    if obligations:
        text += " with obligations " + ", ".join(obligations)
    return text


def _judge(case: ir.TestCase, outcome: str, ids: list[str], obligations: list[str]) -> tuple[str, str] | None:
    """(expected, decided) when the decision is not what the test expects."""
    for expectation in case.expectations:
        wrong = expectation.outcome != outcome
        if expectation.by is not None and sorted(expectation.by) != sorted(ids):
            wrong = True
        if expectation.obligations is not None and sorted(expectation.obligations) != sorted(obligations):
            wrong = True
        if wrong:
            wanted = _describe(expectation.outcome, list(expectation.by or ()), list(expectation.obligations or ()))
            return wanted, _describe(outcome, ids, obligations)
    return None


def run_tests(program: ir.Program, today: datetime.date, package: ModuleType | None = None) -> TestReport:
    """Run the program's tests against `package`, its generated checkers (generated here when None).

    A caller that needs the checkers for more than the tests (properties, the
    report) passes them, so that the program is generated and imported once.
    """
    if package is None:
        with GeneratedPackage(program) as generated:
            return run_tests(program, today, generated)
    report = TestReport()
    exercised: set[tuple[str, str]] = set()
    for case in program.tests:
        day = case.day or today
        try:
            results: dict[str, RulesetResult | None] = package.evaluate(case.use, today=day)
        except InvalidUse as exc:
            report.failures.append((case, f"the test's facts are not a valid use: {exc}"))
            continue
        for name, result in results.items():
            if result is not None:
                exercised.update((name, leaf.reason.rule) for leaf in result.leaves)
        if case.ruleset is not None:
            own = results.get(case.ruleset)
            outcome = str(own.effect) if own else "not_applicable"
            ids = [leaf.reason.rule for leaf in own.leaves] if own else []
            obligations = [o.id for o in own.obligations] if own else []
        else:
            decision = combine(list(results.values()))
            outcome = str(decision.outcome)
            ids = [f"{r.ruleset}.{r.rule}" for r in decision.reasons]
            # A top-level test may name obligations as `ruleset.id` or, when
            # unambiguous enough for its author, by the bare id.
            qualified = all("." in name for e in case.expectations for name in e.obligations or ())
            obligations = [f"{o.ruleset}.{o.id}" if qualified else o.id for o in decision.obligations]
        verdict = _judge(case, outcome, ids, obligations)
        if verdict is not None:
            report.failures.append((case, f"expected {verdict[0]}; got {verdict[1]}"))
            report.decided[(case.ruleset, case.id)] = verdict
        else:
            report.passed.append(case)
    for ruleset in program.rulesets:
        for node, _ in ruleset.walk():
            if (ruleset.id, node.id) not in exercised:
                report.unexercised.append((ruleset.id, node))
    return report


def describe_case(case: ir.TestCase) -> str:
    owner = f"{case.ruleset}." if case.ruleset else ""
    return f"{owner}{case.id}"
