"""The compliance matrix: what every ruleset decides for the Zoom patterns, from its own tests.

The Zoom case of 2023 gives four patterns that every shipped ruleset decides
(tests/scenarios): (a) training on telemetry with no way to object, (b) consent as the
price of joining, (c) explicit, separate consent, (d) giving the training data
to another company; and the consent a meeting host gives for everyone. Each
ruleset carries one canonical test per pattern, named exactly `zoom_a`,
`zoom_b`, `zoom_c`, `zoom_d` and `zoom_admin`; tests named `zoom_a_...` and so
on are variants. The matrix shows, per ruleset and pattern, the outcome the
canonical test pins, the nodes that decide it with their citations, and the
test itself; a test that fails is shown as failing, never as a result.

Everything here is a plain function of a checked program and a run of its
tests, so that other reports can reuse it: `build_matrix` collects,
`render_markdown` writes the Markdown of docs/compliance-matrix.md, and
`compliance_matrix` does both after running the tests.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from .. import ir
from ..testrunner import TestReport, run_tests


@dataclass(frozen=True)
class Pattern:
    key: str
    test: str
    label: str
    description: str


PATTERNS: tuple[Pattern, ...] = (
    Pattern(
        "a",
        "zoom_a",
        "(a) telemetry, no way to object",
        "Training on service telemetry that the terms said could be used for any purpose; the person only "
        "accepted the terms; a legitimate-interest assessment exists; no way to object or opt out was offered.",
    ),
    Pattern(
        "b",
        "zoom_b",
        "(b) agree or leave",
        "Training on meeting audio on the participant's own consent to training, given as the price of "
        "joining the meeting.",
    ),
    Pattern(
        "c",
        "zoom_c",
        "(c) explicit, separate consent",
        "Training on meeting audio on the participant's own explicit consent, asked separately for training.",
    ),
    Pattern(
        "d",
        "zoom_d",
        "(d) to another company",
        "Chat messages given to another company for training, on the participant's explicit consent to "
        "training, with no separate consent.",
    ),
    Pattern(
        "admin",
        "zoom_admin",
        "host's consent",
        "The meeting host (the customer) turned training on for every participant; the provider processes the "
        "meetings for its customer and trains a model that serves all its customers.",
    ),
)


@dataclass(frozen=True)
class Decider:
    """A node that decides a test's outcome, with what a reader needs to look it up."""

    node: str
    title: str
    citations: tuple[str, ...]


@dataclass(frozen=True)
class Cell:
    """What one test pins: outcome, deciding nodes and obligations; `problem` when the test fails."""

    test: str
    title: str
    day: datetime.date | None
    outcome: str
    deciders: tuple[Decider, ...]
    obligations: tuple[str, ...]
    problem: str | None = None


@dataclass(frozen=True)
class Row:
    """One ruleset: its canonical cell per pattern (None when it has no such test) and its variants."""

    ruleset: str
    title: str
    law: str | None
    cells: dict[str, Cell | None]
    variants: tuple[Cell, ...]


@dataclass(frozen=True)
class ComplianceMatrix:
    rows: tuple[Row, ...]


# ------------------------------------------------------------------ collecting


def node_index(ruleset: ir.Ruleset) -> dict[str, ir.Node]:
    """Every deciding node of a ruleset by its id ("rule", "rule.exception"), as tests name it."""
    return {node.id: node for node, _ in ruleset.walk()}


def _cell(case: ir.TestCase, nodes: dict[str, ir.Node], problems: dict[str, str]) -> Cell:
    expectation = case.expectations[0]
    deciders = []
    for name in expectation.by or ():
        node = nodes.get(name)
        deciders.append(Decider(name, node.title, node.citations) if node else Decider(name, "", ()))
    return Cell(
        test=case.id,
        title=case.title,
        day=case.day,
        outcome=expectation.outcome,
        deciders=tuple(deciders),
        obligations=tuple(expectation.obligations or ()),
        problem=problems.get(case.id),
    )


def _is_variant(case_id: str) -> bool:
    canonical = {p.test for p in PATTERNS}
    return case_id.startswith("zoom_") and case_id not in canonical


def build_matrix(program: ir.Program, report: TestReport) -> ComplianceMatrix:
    """The matrix of a program, from the tests `report` ran (a failed test is marked, not trusted)."""
    rows = []
    for ruleset in sorted(program.rulesets, key=lambda r: r.id):
        nodes = node_index(ruleset)
        own = [case for case in program.tests if case.ruleset == ruleset.id]
        problems = {case.id: problem for case, problem in report.failures if case.ruleset == ruleset.id}
        by_id = {case.id: case for case in own}
        cells = {p.key: (_cell(by_id[p.test], nodes, problems) if p.test in by_id else None) for p in PATTERNS}
        variants = tuple(_cell(case, nodes, problems) for case in own if _is_variant(case.id))
        rows.append(Row(ruleset.id, ruleset.title, ruleset.law, cells, variants))
    return ComplianceMatrix(tuple(rows))


def compliance_matrix(program: ir.Program, today: datetime.date) -> str:
    """Run the program's tests and render its matrix as Markdown."""
    return render_markdown(build_matrix(program, run_tests(program, today)))


# ------------------------------------------------------------------- rendering

HEADER = """\
<!-- Generated from the tests of rulesets/ by privlex.report.compliance: do not edit.
     Regenerate with `python -m pytest tests/test_compliance_matrix.py --update-golden`. -->

# Compliance matrix: the Zoom patterns in every shipped ruleset

In 2023 Zoom's terms let it train AI models on service-generated data "for any
purpose", and its later promise to train on meetings only "with customer
consent" rested on a consent the account administrator or meeting host gave
for every participant, who could only agree or leave. Four patterns follow
(see `tests/scenarios/`), plus the host's consent. Every shipped ruleset decides
each of them in a canonical test, named `zoom_a` ... `zoom_d` and `zoom_admin`,
with the same facts in every ruleset, so that differences below are
differences in the law. (COPPA's tests are about a 10-year-old and a parent's
consent; the EU AI Act's about bias detection on health data by the provider
of a high-risk system that meets Art. 10(5).) Each cell shows the outcome the
test pins and the article of the node that decides it. Tests named
`zoom_a_...` and so on are variants: other facts, the same pattern; they are
listed under each ruleset. This page is generated from the tests, and a test
fails when it is out of date.
"""


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _outcome(cell: Cell) -> str:
    if cell.problem is not None:
        return "**test fails**"
    return {"permit": "**permit**", "deny": "**deny**"}.get(cell.outcome, cell.outcome.replace("_", " "))


def _first_citations(cell: Cell) -> list[str]:
    seen: list[str] = []
    for decider in cell.deciders:
        if decider.citations and decider.citations[0] not in seen:
            seen.append(decider.citations[0])
    return seen


def _glance(cell: Cell | None) -> str:
    if cell is None:
        return "no test"
    articles = _first_citations(cell) if cell.problem is None else []
    return _escape(_outcome(cell) + (": " + "; ".join(articles) if articles else ""))


def _nodes(cell: Cell) -> str:
    if not cell.deciders:
        return "none"
    return "<br>".join(f"`{d.node}`" + (f" {_escape(d.title)}" if d.title else "") for d in cell.deciders)


def _articles(cell: Cell) -> str:
    if not cell.deciders:
        return ""
    return "<br>".join(_escape("; ".join(d.citations)) for d in cell.deciders)


def _short(cell: Cell) -> str:
    text = cell.outcome.replace("_", " ")
    if cell.deciders:
        text += " by " + ", ".join(d.node for d in cell.deciders)
    if cell.problem is not None:
        text += f" (test fails: {cell.problem})"
    return text


def _glance_table(matrix: ComplianceMatrix) -> Iterator[str]:
    yield "| ruleset | " + " | ".join(p.label for p in PATTERNS) + " |"
    yield "|---|" + "---|" * len(PATTERNS)
    for row in matrix.rows:
        yield f"| `{row.ruleset}` | " + " | ".join(_glance(row.cells[p.key]) for p in PATTERNS) + " |"


def _detail(row: Row) -> Iterator[str]:
    yield f"### `{row.ruleset}`: {row.title}"
    yield ""
    if row.law:
        yield f"{row.law}"
        yield ""
    yield "| pattern | on | outcome | deciding node | articles | test |"
    yield "|---|---|---|---|---|---|"
    for pattern in PATTERNS:
        cell = row.cells[pattern.key]
        if cell is None:
            yield f"| {pattern.label} | | no test | | | |"
            continue
        day = cell.day.isoformat() if cell.day else "(today)"
        yield (f"| {pattern.label} | {day} | {_outcome(cell)} | {_nodes(cell)} | {_articles(cell)} | `{cell.test}` |")
    if row.variants:
        yield ""
        yield "Variants:"
        yield ""
        for cell in row.variants:
            yield f"- `{cell.test}`: {_escape(cell.title)}: {_escape(_short(cell))}"
    yield ""


def _by_outcome(matrix: ComplianceMatrix) -> Iterator[str]:
    """Per pattern, which rulesets permit, deny or do not apply (failing tests are left out)."""
    for pattern in PATTERNS:
        groups: dict[str, list[str]] = {}
        for row in matrix.rows:
            cell = row.cells[pattern.key]
            if cell is not None and cell.problem is None:
                groups.setdefault(cell.outcome.replace("_", " "), []).append(f"`{row.ruleset}`")
        parts = [f"{outcome} in {', '.join(names)}" for outcome, names in sorted(groups.items())]
        yield f"- **{pattern.label}**: " + ("; ".join(parts) if parts else "no passing test") + "."


def render_markdown(matrix: ComplianceMatrix) -> str:
    lines = [HEADER, "## The patterns", ""]
    lines += [f"- **{p.label}** (`{p.test}`): {p.description}" for p in PATTERNS]
    lines += ["", "## At a glance", "", *_glance_table(matrix), "", "Where the regimes differ:", ""]
    lines += [*_by_outcome(matrix), "", "## Per ruleset", ""]
    for row in matrix.rows:
        lines += list(_detail(row))
    return "\n".join(lines).rstrip("\n") + "\n"
