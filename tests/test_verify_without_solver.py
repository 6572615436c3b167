"""Without the `verify` extra, each command that needs the solver says so, naming itself and the extra."""

from __future__ import annotations

import sys

import pytest
from conftest import TESTS
from privlex.cli import main

UNIT = str(TESTS / "verify" / "properties")


@pytest.mark.parametrize(
    ("command", "named"),
    [
        (["verify", UNIT], "privlex verify needs the solver"),
        (["diff", UNIT, UNIT], "privlex diff needs the solver"),
        (["check", "--lint", UNIT], "privlex check --lint needs the solver"),
    ],
)
def test_a_command_that_needs_the_solver_names_itself_and_the_extra(
    command: list[str], named: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "z3", None)  # `import z3` now fails as when it is not installed
    assert main(command) == 2
    err = capsys.readouterr().err
    assert named in err and "pip install 'privlex[verify]'" in err and "Traceback" not in err


def test_privlex_test_runs_the_tests_and_says_the_properties_were_not_checked(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "z3", None)
    main(["test", UNIT, "--today", "2025-06-01"])
    out, err = capsys.readouterr()  # the human report goes to stderr
    assert "properties not checked: install privlex[verify]" in out + err
