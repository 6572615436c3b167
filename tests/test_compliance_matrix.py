"""The generated compliance matrix: docs/compliance-matrix.md is current, and the matrix says what the tests pin."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from conftest import ROOT, assert_golden, compile_unit, diagnostics_text, imported_package
from privlex import ir
from privlex.report.compliance import PATTERNS, build_matrix, compliance_matrix, render_markdown
from privlex.testrunner import run_tests
from shipped_unit import shipped_program, shipped_report

MATRIX_DOC = ROOT / "docs" / "compliance-matrix.md"
DAY = datetime.date(2026, 11, 29)

UNIT = """\
data content "Content"
data content.chat "Chat messages"
purpose ai "Artificial intelligence"
purpose ai.training "Training AI models"
fact consent.given "Consent": boolean
fact consent.bundled "Agree or leave": boolean
country DE "Germany"

ruleset demo "Demo Act":
    law "Demo Act 2020"
    covers DE
    otherwise deny "Nothing allows it" cites "Demo s.1"

    rule consent "Consent":
        cites "Demo s.2", "Demo s.2(1)"
        permit when consent.given
        unless bundled "Agree or leave":
            cites "Demo s.3"
            deny when consent.bundled

    test zoom_a_first "A variant written before the canonical test":
        on 2025-06-01
        given region DE, data content.chat, purpose ai.training
        expect deny by default

    test zoom_a "The canonical test of pattern (a)":
        on 2025-06-01
        given region DE, data content.chat, purpose ai.training, consent.given, consent.bundled
        expect deny by consent.bundled

    test zoom_b "A canonical test that fails":
        on 2025-06-01
        given region DE, data content.chat, purpose ai.training, consent.given
        expect deny by consent.bundled

    test zoom_c "Explicit consent":
        on 2025-06-01
        given region DE, data content.chat, purpose ai.training, consent.given
        expect permit by consent
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> ir.Program:
    path = Path(tmp_path_factory.mktemp("unit")) / "demo.rules"
    path.write_text(UNIT, encoding="utf-8")
    compilation = compile_unit(path)
    assert compilation.program is not None, diagnostics_text(compilation)
    return compilation.program


def test_the_docs_matrix_is_generated_from_the_shipped_tests(update_golden: bool) -> None:
    """Fails when docs/compliance-matrix.md is stale; `pytest --update-golden` rewrites it."""
    matrix = render_markdown(build_matrix(shipped_program(), shipped_report()))
    assert_golden(MATRIX_DOC, matrix, update_golden)


def test_compliance_matrix_runs_the_tests_itself(demo: ir.Program) -> None:
    assert compliance_matrix(demo, DAY) == render_markdown(build_matrix(demo, run_tests(demo, DAY)))


def test_the_canonical_test_is_the_one_named_exactly(demo: ir.Program) -> None:
    (row,) = build_matrix(demo, run_tests(demo, DAY, imported_package(demo))).rows
    cell = row.cells["a"]
    assert cell is not None and cell.test == "zoom_a"
    assert cell.outcome == "deny" and cell.problem is None
    assert [(d.node, d.title, d.citations) for d in cell.deciders] == [
        ("consent.bundled", "Agree or leave", ("Demo s.3",))
    ]
    assert [v.test for v in row.variants] == ["zoom_a_first"]


def test_a_pattern_without_a_test_is_shown_as_missing(demo: ir.Program) -> None:
    matrix = build_matrix(demo, run_tests(demo, DAY, imported_package(demo)))
    assert matrix.rows[0].cells["d"] is None and matrix.rows[0].cells["admin"] is None
    glance = render_markdown(matrix).split("## At a glance")[1].split("## Per ruleset")[0]
    assert "| `demo` | **deny**: Demo s.3 | **test fails** | **permit**: Demo s.2 | no test | no test |" in glance


def test_a_failing_test_is_marked_and_its_expectation_not_shown_as_the_law(demo: ir.Program) -> None:
    cell = build_matrix(demo, run_tests(demo, DAY, imported_package(demo))).rows[0].cells["b"]
    assert cell is not None and cell.problem is not None and "got permit by consent" in cell.problem
    detail = render_markdown(build_matrix(demo, run_tests(demo, DAY, imported_package(demo)))).split("### `demo`")[1]
    assert "| (b) agree or leave | 2025-06-01 | **test fails** |" in detail


def test_every_citation_of_the_deciding_node_is_listed(demo: ir.Program) -> None:
    detail = render_markdown(build_matrix(demo, run_tests(demo, DAY, imported_package(demo)))).split("### `demo`")[1]
    assert "| `consent` Consent | Demo s.2; Demo s.2(1) | `zoom_c` |" in detail


def test_the_matrix_has_a_column_per_pattern(demo: ir.Program) -> None:
    text = render_markdown(build_matrix(demo, run_tests(demo, DAY, imported_package(demo))))
    header = next(line for line in text.splitlines() if line.startswith("| ruleset |"))
    assert header.count("|") == len(PATTERNS) + 2
    assert all(p.label in header for p in PATTERNS)


def test_the_patterns_are_summarised_by_outcome(demo: ir.Program) -> None:
    text = render_markdown(build_matrix(demo, run_tests(demo, DAY, imported_package(demo))))
    assert "- **(a) telemetry, no way to object**: deny in `demo`." in text
    assert "- **(b) agree or leave**: no passing test." in text
    assert "- **(c) explicit, separate consent**: permit in `demo`." in text
