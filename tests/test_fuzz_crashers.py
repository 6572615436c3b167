"""Every failure the fuzzer ever found, replayed: tests/fuzz_crashers/<name>/ (issue 15).

A crasher is a folder with the rule files of a unit (`rulesets/`) and
`case.json`: how it was found, the error it gave, the uses it was decided on
and the day. `python -m fuzz` writes one for every failure; once the bug is
fixed it stays here as a regression test. Replaying one means: the compiler
answers with diagnostics or a program, never a traceback; an accepted unit
imports, the tests written in it pass, and `check`, `permits`, `evaluate`
and the batch evaluator agree on its uses.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import TESTS
from fuzz_oracle import _batch, imported, well_formed
from fuzz_uses import Drawn
from privlex.pipeline import compile_paths, generate
from privlex.runtime import InvalidUse
from privlex.testrunner import describe_case, run_tests

CRASHERS = sorted(p for p in (TESTS / "fuzz_crashers").iterdir() if (p / "case.json").is_file())


def test_the_crashers_are_kept() -> None:
    assert CRASHERS, "tests/fuzz_crashers/ holds the failures the fuzzer found"


@pytest.mark.parametrize("folder", CRASHERS, ids=lambda p: p.name)
def test_a_crasher_no_longer_fails(folder: Path, tmp_path: Path) -> None:
    case: dict[str, Any] = json.loads((folder / "case.json").read_text(encoding="utf-8"))
    today = datetime.date.fromisoformat(case.get("today") or "2025-06-01")
    compilation = compile_paths([folder / "rulesets"])
    well_formed(compilation)
    if compilation.program is None:
        return  # a mutant may be wrong: diagnostics are the answer
    report = run_tests(compilation.program, today)
    if case.get("mode") != "mutants":  # a mutant's own tests may fail: its rules changed
        assert [(describe_case(c), problem) for c, problem in report.failures] == []
    name = f"crasher_{folder.name.replace('-', '_')}"
    with imported(generate(compilation.program, name), tmp_path, name) as package:
        drawn: list[Drawn] = []
        answers: list[Any] = []
        for use in case.get("uses", []):
            if not isinstance(use, dict):
                continue
            try:
                decision = package.check(use, today=today)
            except InvalidUse as exc:
                answers.append(exc)
                drawn.append(Drawn(use, False, None, True))
                with pytest.raises(InvalidUse):
                    package.permits(use, today=today)
                continue
            answers.append(decision)
            drawn.append(Drawn(use, True, None, True))
            assert package.permits(use, today=today) is (str(decision.outcome) == "permit")
            assert package.check(package.DataUse(**use), today=today) == decision
        _batch(package, drawn, answers, today)
