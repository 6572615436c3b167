"""The solver's encoding decides exactly as the generated checkers do (outcome and reasons, in order).

Differential: for every shipped ruleset and every fixture unit, random valid
uses (hypothesis) and, for every node, a use the solver says it decides are
decided both ways and compared. A mismatch is a bug in privlex.verify.encode
(or in code generation): the two are written independently from DESIGN.md.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, TESTS, compile_unit, diagnostics_text, imported_package, quick_or_slow
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from privlex import ir
from privlex.runtime import InvalidUse
from use_strategies import uses

pytest.importorskip("z3")

from privlex.verify.solve import Symbolic, verdict  # noqa: E402
from privlex.verify.space import WINDOW  # noqa: E402
from privlex.verify.uses import assignment, point, use_of  # noqa: E402

ALL_UNITS = [
    ROOT / "rulesets",  # fifteen regimes: the full run's
    *sorted((TESTS / "good").glob("*.rules")),
    *sorted(p for p in (TESTS / "semantics").iterdir() if p.is_dir()),
]
# The quick run compares on four small units that between them hold every operator, two rulesets
# combined, parameters by region and date, and unknown facts; the full run on every unit.
QUICK_UNITS = {
    TESTS / "good" / "every_operator.rules",
    *(TESTS / "semantics" / name for name in ("a_two_rulesets", "e_parameters", "f_unknown_facts")),
}
UNITS = quick_or_slow(ALL_UNITS, QUICK_UNITS)
DAYS = st.dates(datetime.date(2015, 1, 1), datetime.date(2032, 12, 31))


def unit_id(path: Path) -> str:
    return path.name if path.name != "rulesets" else "shipped"


def observed(decision: Any) -> tuple[str, tuple[str, ...]]:
    return str(decision.outcome), tuple(f"{r.ruleset}.{r.rule}" for r in decision.reasons)


class Compiled(dict[Path, ir.Program]):
    """Each unit's program, compiled when a test first asks for it."""

    def __missing__(self, unit: Path) -> ir.Program:
        compilation = compile_unit(unit)
        assert compilation.program is not None, diagnostics_text(compilation)
        self[unit] = compilation.program
        return compilation.program


@pytest.fixture(scope="module")
def compiled() -> dict[Path, ir.Program]:
    return Compiled()


def compare_random(program: ir.Program, package: Any, examples: int) -> int:
    symbolic = Symbolic.of(program, timeout=30)
    covered = tuple(c for r in program.rulesets for c in r.covers)
    checked = [0]

    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(uses(program.vocabulary, covered=covered, extras=False), DAYS)
    def agree(use: dict[str, Any], today: datetime.date) -> None:
        try:
            valid = package.DataUse.from_input(use)
        except InvalidUse:
            return
        day = valid.date or today
        if not WINDOW[0] <= day <= WINDOW[1]:
            return
        model = symbolic.solver.model(*assignment(symbolic.space, valid, day))
        assert model is not None, f"the solver finds no point for the valid use {use}"
        found = verdict(model, symbolic.decisions)
        expected = observed(package.check(valid, today=day))
        assert (found.outcome, found.reasons) == expected, (use, day.isoformat())
        checked[0] += 1

    agree()
    return checked[0]


def compare_witnesses(program: ir.Program, package: Any) -> list[str]:
    """For every possible reason, a use the solver says has it: the generated checker must agree."""
    symbolic = Symbolic.of(program, timeout=30)
    decisions = symbolic.decisions
    unreachable = []
    for key, label in decisions.labels.items():
        model = symbolic.solver.model(label)
        if model is None:
            unreachable.append(key)
            continue
        use = use_of(symbolic.space, point(symbolic.space, model))
        found = verdict(model, decisions)
        decision = package.check(use, today=datetime.date(2025, 6, 1))
        assert (found.outcome, found.reasons) == observed(decision), (key, use)
    return unreachable


@pytest.mark.parametrize("unit", UNITS, ids=unit_id)
def test_solver_and_checker_decide_alike(unit: Path, compiled: dict[Path, ir.Program]) -> None:
    package = imported_package(compiled[unit])
    unreachable = compare_witnesses(compiled[unit], package)
    assert compare_random(compiled[unit], package, 12) > 0
    # Every outcome and node of the shipped rules can be reached by some use.
    if unit.name == "rulesets":
        assert unreachable == []


@pytest.mark.slow
@pytest.mark.parametrize("unit", UNITS, ids=unit_id)
def test_many_random_uses_decide_alike(unit: Path, compiled: dict[Path, ir.Program]) -> None:
    package = imported_package(compiled[unit])
    assert compare_random(compiled[unit], package, 400) > 100


# A small unit whose vocabulary declares no subdivision (in the quick run), and the shipped rules,
# which declare thousands (in the full run).
@pytest.mark.parametrize(
    "unit",
    quick_or_slow([TESTS / "verify" / "properties", ROOT / "rulesets"], {TESTS / "verify" / "properties"}),
    ids=unit_id,
)
def test_fresh_subdivisions_lie_inside_their_country(unit: Path, compiled: dict[Path, ir.Program]) -> None:
    symbolic = Symbolic.of(compiled[unit])
    region = symbolic.space.vars["region"]
    assert "DK-*" in region.domain and "US-*" in region.domain
    model = symbolic.solver.model(region.value == region.index("DK-*"), symbolic.decisions.outcome["deny"])
    assert model is not None
    use = use_of(symbolic.space, point(symbolic.space, model))
    assert use["region"] == "DK-ZZZ"
    package = imported_package(compiled[unit])
    assert str(package.check(use).outcome) == "deny"
