"""The boolean fast path: `permits` says exactly what `check` says, without the reasons."""

from __future__ import annotations

import datetime
import importlib
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import privlex
import privlex_rules
import pytest
from conftest import FIXED_DAY, ROOT, TESTS, at_most, compile_unit, compiled_package, diagnostics_text, quick_or_slow
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from privlex import InvalidUse, ir
from privlex.codegen import decisions
from privlex.codegen.package import render_package
from use_strategies import DAYS, uses

UNITS = {
    "shipped": ROOT / "rulesets",
    "benchmark": ROOT / "benchmarks" / "policy",
    "hazards": TESTS / "codegen" / "hazards.rules",
    "names": TESTS / "codegen" / "names",
    **{folder.name: folder for folder in sorted((TESTS / "semantics").iterdir()) if folder.is_dir()},
}


# The units' property tests are slow but for one unit that has a bit of everything.
QUICK = {"names"}


@pytest.fixture(scope="module", params=quick_or_slow(sorted(UNITS), QUICK))
def unit(request: pytest.FixtureRequest) -> Iterator[tuple[types.ModuleType, ir.Program]]:
    with compiled_package(UNITS[request.param]) as found:
        yield found


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_permits_agrees_with_check_on_every_use(unit: tuple[types.ModuleType, ir.Program], data: Any) -> None:
    package, program = unit
    covered = tuple(region for ruleset in program.rulesets for region in ruleset.covers)
    use = data.draw(uses(program.vocabulary, covered=covered))
    today = data.draw(DAYS)
    try:
        decision = package.check(use, today=today)
    except InvalidUse as error:
        with pytest.raises(InvalidUse) as raised:
            package.permits(use, today=today)
        assert str(raised.value) == str(error)
        return
    valid = package.DataUse.from_input(use)
    for allow_uncovered in (False, True):
        expected = decision.outcome == "permit" or (allow_uncovered and decision.outcome == "not_applicable")
        assert package.permits(use, today=today, allow_uncovered=allow_uncovered) is expected
        assert package.permits(valid, today=today, allow_uncovered=allow_uncovered) is expected
    # each ruleset's own fast path agrees with its own evaluation
    day = valid.date or today
    for name, result in package.evaluate(valid, today=today).items():
        fast = getattr(package, name).permitted(valid._record, day)
        assert fast == (None if result is None else result.effect == "permit"), name


def _load(program: ir.Program, name: str, folder: Path) -> types.ModuleType:
    package = folder / name
    package.mkdir()
    for file_name, text in render_package(program, name).items():
        (package / file_name).write_text(text, encoding="utf-8")
    importlib.invalidate_caches()
    return importlib.import_module(name)


@pytest.fixture(scope="module", params=quick_or_slow(["names", "b_nested_exceptions", "shipped"], QUICK))
def both_forms(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[types.ModuleType, types.ModuleType, ir.Program]]:
    """A unit's package as generated, and with every exception tree written flat (as deep trees are)."""
    compilation = compile_unit(UNITS[request.param])
    assert compilation.program is not None, diagnostics_text(compilation)
    folder = tmp_path_factory.mktemp("forms")
    sys.path.insert(0, str(folder))
    nested = _load(compilation.program, f"nested_{request.param}", folder)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(decisions, "MAX_DEPTH", 0)
        flat = _load(compilation.program, f"flat_{request.param}", folder)
    written = Path(str(flat.__file__)).parent
    assert any("_matches = " in module.read_text(encoding="utf-8") for module in written.glob("*.py"))
    yield nested, flat, compilation.program
    sys.path.remove(str(folder))
    for module in [m for m in sys.modules if m.startswith((nested.__name__, flat.__name__))]:
        del sys.modules[module]


@settings(max_examples=at_most(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_flat_exception_trees_decide_as_nested_ones(
    both_forms: tuple[types.ModuleType, types.ModuleType, ir.Program], data: Any
) -> None:
    nested, flat, program = both_forms
    covered = tuple(region for ruleset in program.rulesets for region in ruleset.covers)
    use = data.draw(uses(program.vocabulary, covered=covered))
    today = data.draw(DAYS)
    try:
        expected = nested.check(use, today=today)
    except InvalidUse:
        return
    assert flat.check(use, today=today) == expected
    assert flat.permits(use, today=today) is nested.permits(use, today=today)


BASE = {"region": "DE", "data": "content.chat", "purpose": "ai.training"}


@pytest.mark.parametrize(
    ("use", "outcome"),
    [
        ({**BASE, "consent": {"given": True}}, "permit"),
        ({**BASE, "consent": {"given": True, "bundled": True}}, "deny"),
        ({**BASE, "region": "AQ"}, "not_applicable"),
    ],
)
def test_shipped_permits_from_a_dict_and_from_a_validated_use(use: dict[str, Any], outcome: str) -> None:
    assert privlex.check(use, today=FIXED_DAY).outcome == outcome
    valid = privlex.DataUse.from_input(use)
    for given_use in (use, valid):
        assert privlex.permits(given_use, today=FIXED_DAY) is (outcome == "permit")
        assert privlex.permits(given_use, today=FIXED_DAY, allow_uncovered=True) is (outcome != "deny")


def test_permits_validates_a_dict_like_check() -> None:
    with pytest.raises(InvalidUse, match="content.chat"):
        privlex.permits({**BASE, "data": "content.chatt"})
    with pytest.raises(InvalidUse, match="subject.age"):
        privlex.permits({**BASE, "subject": {"age": "12"}})


def test_permits_builds_no_decision(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object) -> None:
        raise AssertionError("permits must not build a Decision")

    monkeypatch.setattr(privlex_rules, "combine", fail)
    assert privlex.permits({**BASE, "consent": {"given": True}}, today=FIXED_DAY) is True
    assert privlex.permits({**BASE, "consent": {"given": True, "withdrawn": True}}, today=FIXED_DAY) is False


def test_a_unit_whose_rules_read_no_date_does_not_read_the_clock(unit_package: Any) -> None:
    package = unit_package(UNITS["benchmark"])
    package.datetime = None  # any use of the clock would fail
    use = {"region": "DE", "data": "content.chat", "purpose": "ai.training", "consent": {"explicit": True}}
    assert package.permits(use) is True
    assert package.check(use).outcome == "permit"
    shipped = Path(privlex_rules.__file__).read_text(encoding="utf-8")
    assert "day = record_.date or (today if" in shipped  # the shipped rules do read it


def test_the_shipped_fast_path_stops_at_the_first_deny() -> None:
    source = Path(privlex_rules.gdpr.__file__).read_text(encoding="utf-8")
    fast = source[source.index("def permitted(") :]
    assert "return False" in fast and ".append(" not in fast and "settle(" not in fast


@pytest.mark.parametrize("today", [datetime.date(2018, 5, 24), datetime.date(2018, 5, 25)])
def test_permits_takes_today_like_check(today: datetime.date) -> None:
    use = {**BASE, "consent": {"given": True}}
    outcome = privlex.check(use, today=today).outcome
    assert privlex.permits(use, today=today, allow_uncovered=True) is (outcome != "deny")
    assert privlex.permits(use, today=today) is (outcome == "permit")
