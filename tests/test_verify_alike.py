"""Values the rules never tell apart (`Space.alike`) are decided alike, which lets a diff widen a set
of regions or keys one class of values per question."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from conftest import ROOT, TESTS, compile_unit

pytest.importorskip("z3")

import z3  # noqa: E402
from privlex.verify.encode import encode  # noqa: E402
from privlex.verify.space import Space  # noqa: E402

SHIPPED = ROOT / "rulesets"
UNITS: dict[str, list[Path]] = {
    # The GDPR (consent ages by country, the EEA, transfers) and the CCPA (a US state) with the shipped
    # vocabulary and its thousands of subdivisions: in the full run.
    "gdpr_ccpa": [SHIPPED / name for name in ("vocabulary.rules", "regions.rules", "gdpr.rules", "ccpa.rules")],
    # Small units in the quick run: in each dimension below, the rules name some values and not others.
    "every_operator": [TESTS / "good" / "every_operator.rules"],
    "small_regime": [TESTS / "verify" / "properties"],
}
QUICK = [
    ("every_operator", "region"),
    ("every_operator", "data"),
    ("every_operator", "processing.transfer_to"),
    ("small_regime", "purpose"),
]
FULL = [("gdpr_ccpa", path) for path in ("region", "data", "purpose", "processing.transfer_to", "legal_basis")]
DIMENSIONS = [
    *(pytest.param(unit, path, id=f"{unit}-{path}") for unit, path in QUICK),
    *(pytest.param(unit, path, id=f"{unit}-{path}", marks=pytest.mark.slow) for unit, path in FULL),
]


@cache
def space(unit: str) -> Space:
    """The unit's space, its decisions encoded: once per process."""
    program = compile_unit(*UNITS[unit]).program
    assert program is not None
    found = Space([program])
    found.decisions = encode(found)  # type: ignore[attr-defined]
    return found


@pytest.mark.parametrize(("unit", "path"), DIMENSIONS)
def test_alike_values_are_decided_alike(unit: str, path: str) -> None:
    var = space(unit).vars[path]
    classes = space(unit).alike(var)
    # Each value is in its class, and the distinct classes partition the values (their sizes add up to the
    # domain's), so every member of a class has that class: checked in linear time, for the regions' thousands.
    assert all(index in classes[index] for index in range(len(var.domain)))
    assert sum(len(members) for members in set(classes)) == len(var.domain)
    # Some values are alike, and not all: the rules name some of the values and not others.
    assert 1 < len(set(classes)) < len(var.domain)
    decisions = space(unit).decisions  # type: ignore[attr-defined]
    terms = [*decisions.outcome.values(), *decisions.reasons.values()]
    twin = z3.Int(f"{path}'")
    solver = z3.Solver()
    solver.add(*space(unit).constraints)
    # The same use at two values of the dimension: some outcome or reason differs.
    swapped = [z3.substitute(t, (var.value, twin)) for t in terms]
    differs = z3.Or(*(a != b for a, b in zip(terms, swapped, strict=True)))
    for members in set(classes):
        first, *rest = sorted(members)
        for other in rest[:3]:
            assert solver.check(var.value == first, twin == other, differs) == z3.unsat, (
                var.domain[first],
                var.domain[other],
            )


@pytest.mark.parametrize(
    ("unit", "neighbour"), [("small_regime", "DE"), pytest.param("gdpr_ccpa", "SE", marks=pytest.mark.slow)]
)
def test_values_a_rule_names_are_told_apart(unit: str, neighbour: str) -> None:
    region = space(unit).vars["region"]
    classes = space(unit).alike(region)
    # Denmark's age of digital consent is its own: Denmark is alike to its subdivisions only.
    denmark = {region.domain[i] for i in classes[region.index("DK")]}
    assert denmark == {code for code in region.domain if code.split("-", 1)[0] == "DK"}
    assert region.index(neighbour) not in classes[region.index("DK")]
