"""Each file in tests/good/ is a correct unit: no diagnostic at all, and its own tests pass."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXED_DAY, TESTS, compile_unit, diagnostics_text
from privlex.testrunner import describe_case, run_tests

GOOD_FILES = sorted((TESTS / "good").glob("*.rules"))


def test_there_are_good_files() -> None:
    assert len(GOOD_FILES) >= 3


@pytest.mark.parametrize("path", GOOD_FILES, ids=lambda p: p.stem)
def test_compiles_without_any_diagnostic(path: Path) -> None:
    compilation = compile_unit(path)
    assert compilation.diagnostics == [], diagnostics_text(compilation)
    assert compilation.program is not None


@pytest.mark.parametrize("path", GOOD_FILES, ids=lambda p: p.stem)
def test_its_tests_pass_and_exercise_every_node(path: Path) -> None:
    program = compile_unit(path).program
    assert program is not None and program.tests
    report = run_tests(program, FIXED_DAY)
    assert [(describe_case(case), problem) for case, problem in report.failures] == []
    assert [f"{ruleset}.{node.id}" for ruleset, node in report.unexercised] == []


def test_nested_exceptions_go_three_deep() -> None:
    program = compile_unit(TESTS / "good" / "nested_exceptions.rules").program
    assert program is not None
    (rule,) = program.rulesets[0].rules
    depth, node = 0, rule
    while node.exceptions:
        (node,) = node.exceptions
        depth += 1
    assert depth == 3 and node.id == "consent.child.guardian.bundled"


def test_dated_parameter_timelines() -> None:
    program = compile_unit(TESTS / "good" / "dated_parameters.rules").program
    assert program is not None
    ages = {p.name: p for p in program.rulesets[0].parameters}["consent_age"].timeline
    assert [(str(start), value) for start, _, value in ages["DK"]] == [("2018-05-25", 13), ("2024-01-01", 15)]
    assert [(str(start), value) for start, _, value in ages["US-CA"]] == [("2018-05-25", 13), ("2020-01-01", 16)]
    assert [value for _, _, value in ages["DE"]] == [16]
    assert [value for _, _, value in ages["US-NY"]] == [13]
