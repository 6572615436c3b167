"""Lints that need the solver (W601-W605), reported by `privlex verify`."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT, TESTS, compile_unit
from privlex.cli import main

pytest.importorskip("z3")

from privlex.diagnostics import Diagnostic  # noqa: E402
from privlex.verify.lints import lint_program, lint_ruleset  # noqa: E402
from privlex.verify.solve import Symbolic  # noqa: E402

LINTS = TESTS / "verify" / "lints.rules"


def lints_of(path: object) -> list[tuple[str, int, str]]:
    program = compile_unit(path).program  # type: ignore[arg-type]
    assert program is not None
    return [(d.code, d.span.line if d.span else 0, d.message) for d in lint_program(Symbolic.of(program))]


def _as_data(found: list[Diagnostic]) -> list[tuple[str, str, int, int, str, str | None]]:
    return [
        (d.code, d.span.file if d.span else "", d.span.line if d.span else 0, d.span.column if d.span else 0)
        + (d.message, d.help)
        for d in found
    ]


def lints_on_the_program_solver(path: object) -> list[tuple[str, str, int, int, str, str | None]]:
    """The lints asked as they first were: every ruleset on the one solver that also holds the
    definitions of the whole program's outcome and reasons (what properties are proved on)."""
    program = compile_unit(path).program  # type: ignore[arg-type]
    assert program is not None
    symbolic = Symbolic.of(program)
    found: list[Diagnostic] = []
    for ruleset in program.rulesets:
        found += lint_ruleset(symbolic.solver, symbolic.decisions.rulesets[ruleset.id])
    return sorted(_as_data(found), key=lambda d: d[1:4])


def all_lints_of(path: object) -> list[tuple[str, str, int, int, str, str | None]]:
    program = compile_unit(path).program  # type: ignore[arg-type]
    assert program is not None
    return _as_data(lint_program(Symbolic.of(program)))


def test_each_lint_is_found_where_it_applies() -> None:
    found = lints_of(LINTS)
    assert [(code, line) for code, line, _ in found] == [
        ("W601", 25),
        ("W602", 30),
        ("W603", 38),
        ("W604", 50),
        ("W605", 65),
    ]
    messages = dict((code, message) for code, _, message in found)
    assert "exception guarded.always matches" in messages["W602"]
    assert "a deny of ruleset lint overrides it" in messages["W603"]


def test_the_lints_are_what_the_program_solver_finds() -> None:
    """A solver per ruleset, without the program's labels, finds every lint the solver holding them finds,
    word for word and in the same order."""
    found = all_lints_of(LINTS)
    assert found == lints_on_the_program_solver(LINTS)
    assert [(code, line, column) for code, _, line, column, *_ in found] == [
        ("W601", 25, 16),
        ("W602", 30, 10),
        ("W603", 38, 10),
        ("W604", 50, 5),
        ("W605", 65, 9),
    ]


@pytest.mark.slow  # the solver over fifteen regimes
def test_the_shipped_rules_have_no_lint() -> None:
    assert lints_of(ROOT / "rulesets") == []


@pytest.mark.slow  # the solver over fifteen regimes, twice
def test_the_shipped_rules_have_no_lint_on_the_program_solver_either() -> None:
    assert lints_on_the_program_solver(ROOT / "rulesets") == []


def test_the_good_fixtures_have_no_lint() -> None:
    for path in sorted((TESTS / "good").glob("*.rules")):
        assert lints_of(path) == [], path.name


def test_verify_reports_lints_as_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(LINTS), "--output-format", "json"]) == 0
    out = capsys.readouterr().out
    assert [d["code"] for d in json.loads(out)["diagnostics"]][-1] == "W605"  # stdout holds one document
    assert main(["verify", str(LINTS), "--output-format", "json", "--json"]) == 2
    capsys.readouterr()
    assert main(["verify", str(LINTS), "--output-format", "concise"]) == 0
    err = capsys.readouterr().err
    assert "W604" in err and "W605" in err
    assert main(["verify", str(LINTS), "--warnings-as-errors", "--output-format", "concise"]) == 1
    capsys.readouterr()
    assert main(["verify", str(LINTS), "--no-lints"]) == 0
    assert "W60" not in capsys.readouterr().err


def test_lints_in_json(capsys: pytest.CaptureFixture[str], tmp_path: object) -> None:
    from pathlib import Path

    out = Path(str(tmp_path)) / "lints.json"
    assert main(["verify", str(LINTS), "--output-format", "json", "--output-file", str(out)]) == 0
    codes = [d["code"] for d in json.loads(out.read_text(encoding="utf-8"))["diagnostics"]]
    assert codes == ["W601", "W602", "W603", "W604", "W605"]


def test_check_reports_solver_lints_only_when_asked(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(LINTS), "--output-format", "concise"]) == 0
    assert "W60" not in capsys.readouterr().err
    assert main(["check", str(LINTS), "--lint", "--output-format", "concise"]) == 0
    err = capsys.readouterr().err
    assert err.count("W60") == 5 and "5 warnings" in err
