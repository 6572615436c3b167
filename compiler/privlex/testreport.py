"""`privlex test`'s report in every output format: full, concise, json, sarif, github and junit.

One document holds the diagnostics of the compilation and the results of the
tests written beside the rules: a failing test is a SARIF result and a GitHub
annotation at the test's line, with what it expected and what was decided; a
node no test exercises is one too when coverage is required. JUnit XML has one
`testsuite` per ruleset (tests written outside any ruleset form the suite
`(unit)`), one `testcase` per test.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from xml.etree import ElementTree

from . import ir
from .diagnostics import Diagnostic, render_all
from .diagnostics import formats as diagnostic_formats
from .diagnostics.formats import (
    FORMATS,
    github_command,
    json_diagnostics,
    location,
    sarif_diagnostics,
    sarif_log,
    sarif_result,
    sarif_rule,
)
from .source import SourceFile, Span
from .testrunner import TestReport, describe_case
from .verify.run import PropertyReport

TEST_FORMATS = (*FORMATS, "junit")
UNIT_SUITE = "(unit)"
FAILED_RULE = "test-failed"
UNEXERCISED_RULE = "not-exercised"

_FAILED_HELP = (
    "Fix the rules or the test: `privlex explain` with the test's facts shows why the rules decide as they do."
)
_UNEXERCISED_HELP = "Write a test whose facts reach it (`expect ... by NODE`), or remove the node."


@dataclass
class TestRun:
    """Everything `privlex test` reports: the diagnostics, and the tests' results when the rules compiled."""

    diagnostics: Sequence[Diagnostic]
    sources: Mapping[str, SourceFile]
    report: TestReport | None
    require_coverage: bool = False
    move: Callable[[str], str] = str  # a compiler path -> the path shown (relative to the current folder)
    properties: PropertyReport | None = None  # the unit's properties, checked (privlex.verify.run)

    def span(self, span: Span) -> Span:
        return span.model_copy(update={"file": self.move(span.file)})

    @property
    def failed(self) -> int:
        return len(self.report.failures) if self.report else 0

    @property
    def passed(self) -> int:
        return len(self.report.passed) if self.report else 0

    @property
    def unexercised(self) -> list[tuple[str, ir.Node]]:
        return list(self.report.unexercised) if self.report else []


def summary(run: TestRun) -> str:
    """The line a person reads last: `127 passed, 0 failed` (and what no test exercised)."""
    if run.report is None:
        return "no tests run: the rules have errors\n"
    text = f"{run.passed} passed, {run.failed} failed"
    if run.unexercised:
        text += f"; {len(run.unexercised)} node{'s' * (len(run.unexercised) != 1)} exercised by no test"
    if run.properties is not None and run.properties.failed:
        text += "; a property does not hold"
    return text + "\n"


def _failure_message(run: TestRun, case: ir.TestCase, problem: str) -> str:
    verdict = run.report.expected_and_actual(case) if run.report else None
    title = f"test {describe_case(case)} failed: {case.title}"
    if verdict is None:
        return f"{title}\n{problem}"
    return f"{title}\nexpected: {verdict[0]}\ndecided:  {verdict[1]}"


def _unexercised_message(ruleset: str, node: ir.Node) -> str:
    return f"{ruleset}.{node.id} ({node.kind}) is exercised by no test: {node.title}"


# ----------------------------------------------------------------- formats


def format_full(run: TestRun, *, color: bool = False) -> str:
    parts = [diagnostic_formats.format_full(run.diagnostics, run.sources, color=color)]
    if run.report is not None:
        for case, problem in run.report.failures:
            where = run.span(case.span).location
            parts.append(f"FAIL {describe_case(case)} ({where}): {case.title}\n     {problem}\n")
        if run.unexercised:
            parts.append("\nNot exercised by any test:\n")
            for ruleset, node in run.unexercised:
                where = run.span(node.span).location
                parts.append(f"  {ruleset}.{node.id} ({node.kind}, {where}): {node.title}\n")
    if run.properties is not None:
        parts.append("\n" + run.properties.text)
    return "".join(part for part in parts if part)


def format_concise(run: TestRun) -> str:
    lines = [diagnostic_formats.format_concise(run.diagnostics)]
    if run.report is not None:
        for case, problem in run.report.failures:
            span = run.span(case.span)
            lines.append(f"{span.file}:{span.line}:{span.column}: FAIL {describe_case(case)} {problem}\n")
        if run.require_coverage:
            for ruleset, node in run.unexercised:
                span = run.span(node.span)
                lines.append(f"{span.file}:{span.line}:{span.column}: NOT EXERCISED {ruleset}.{node.id}\n")
    if run.properties is not None and run.properties.failed:
        lines.append(run.properties.text)
    return "".join(lines)


def format_json(run: TestRun) -> str:
    document = json_diagnostics(run.diagnostics)
    report = run.report
    failed = []
    for case, problem in report.failures if report else ():
        verdict = report.expected_and_actual(case) if report else None
        failed.append(
            {
                "test": describe_case(case),
                "title": case.title,
                "source": run.span(case.span).location,
                "location": location(run.span(case.span)),
                "problem": problem,
                "expected": verdict[0] if verdict else None,
                "decided": verdict[1] if verdict else None,
            }
        )
    document["tests_run"] = report is not None
    document["passed"] = [describe_case(c) for c in report.passed] if report else []
    document["failed"] = failed
    document["unexercised"] = [
        {"ruleset": r, "node": n.id, "kind": n.kind, "title": n.title, "source": run.span(n.span).location}
        for r, n in run.unexercised
    ]
    if run.properties is not None:
        document["properties"] = run.properties.json
    document["summary"].update(passed=run.passed, failed=run.failed, unexercised=len(run.unexercised))
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def format_sarif(run: TestRun) -> str:
    rules, results = sarif_diagnostics(run.diagnostics)
    failed_index, unexercised_index = len(rules), len(rules) + 1
    rules.append(
        sarif_rule(
            FAILED_RULE,
            "a test written beside the rules failed",
            "A test written beside the rules expects another decision than the one the rules make.",
            _FAILED_HELP,
            level="error",
        )
    )
    rules.append(
        sarif_rule(
            UNEXERCISED_RULE,
            "a node no test exercises",
            "A rule, exception, exclusion or default that no test written beside the rules exercises "
            "(reported with `privlex test --require-coverage`).",
            _UNEXERCISED_HELP,
            level="error",
        )
    )
    if run.report is not None:
        for case, problem in run.report.failures:
            message = _failure_message(run, case, problem)
            results.append(sarif_result(failed_index, FAILED_RULE, "error", message, run.span(case.span)))
        if run.require_coverage:
            for ruleset, node in run.unexercised:
                message = _unexercised_message(ruleset, node)
                results.append(sarif_result(unexercised_index, UNEXERCISED_RULE, "error", message, run.span(node.span)))
    return sarif_log(rules, results)


def format_github(run: TestRun) -> str:
    lines = [diagnostic_formats.format_github(run.diagnostics)]
    if run.report is not None:
        for case, problem in run.report.failures:
            message = _failure_message(run, case, problem)
            lines.append(github_command("error", run.span(case.span), "privlex test failed", message))
        if run.require_coverage:
            for ruleset, node in run.unexercised:
                message = _unexercised_message(ruleset, node)
                lines.append(github_command("error", run.span(node.span), "privlex test coverage", message))
    for span, message in run.properties.failures if run.properties is not None else ():
        lines.append(github_command("error", span, "privlex property failed", message))
    return "".join(lines)


def format_junit(run: TestRun) -> str:
    """JUnit XML: a suite per ruleset, a case per test; the compilation's errors as a failing suite `compile`."""
    root = ElementTree.Element("testsuites", name="privlex test")
    errors = [d for d in run.diagnostics if d.is_error]
    if errors or run.report is None:
        suite = ElementTree.SubElement(root, "testsuite", name="compile", tests="1", failures="0", skipped="0")
        suite.set("errors", "1" if errors else "0")
        case = ElementTree.SubElement(suite, "testcase", name="the rules compile", classname="compile")
        if errors:
            error = ElementTree.SubElement(
                case, "error", type="privlex.compile", message=f"{len(errors)} error{'s' * (len(errors) != 1)}"
            )
            error.text = render_all(run.diagnostics, run.sources)
    report = run.report
    if report is not None:
        suites: dict[str, list[tuple[ir.TestCase, str | None]]] = {}
        for case_ in report.passed:
            suites.setdefault(case_.ruleset or UNIT_SUITE, []).append((case_, None))
        for case_, trouble in report.failures:
            suites.setdefault(case_.ruleset or UNIT_SUITE, []).append((case_, trouble))
        for name in sorted(suites):
            cases = sorted(suites[name], key=lambda item: (item[0].span.file, item[0].span.line))
            failures = sum(1 for _, problem in cases if problem is not None)
            files = sorted({run.move(case_.span.file) for case_, _ in cases})
            suite = ElementTree.SubElement(
                root, "testsuite", name=name, tests=str(len(cases)), failures=str(failures), errors="0", skipped="0"
            )
            suite.set("file", files[0] if len(files) == 1 else ", ".join(files))
            for case_, problem in cases:
                element = ElementTree.SubElement(
                    suite, "testcase", name=case_.id, classname=f"privlex.{name}" if name != UNIT_SUITE else "privlex"
                )
                where = run.span(case_.span).location
                if problem is None:
                    out = ElementTree.SubElement(element, "system-out")
                    out.text = f"{where}: {case_.title}"
                else:
                    failure = ElementTree.SubElement(element, "failure", type="privlex.test", message=problem)
                    failure.text = f"{where}: {_failure_message(run, case_, problem)}"
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for suite in root:
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
    for key, value in totals.items():
        root.set(key, str(value))
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, encoding="unicode") + "\n"


def format_report(output_format: str, run: TestRun, *, color: bool = False) -> str:
    formatter: dict[str, Callable[[TestRun], str]] = {
        "concise": format_concise,
        "json": format_json,
        "sarif": format_sarif,
        "github": format_github,
        "junit": format_junit,
    }
    if output_format == "full":
        return format_full(run, color=color)
    if output_format not in formatter:
        raise ValueError(f"unknown output format {output_format!r}; choose one of {', '.join(TEST_FORMATS)}")
    return formatter[output_format](run)


__all__ = ["TEST_FORMATS", "TestRun", "format_report", "summary"]
