"""Values the rules never tell apart (`Space.alike`) are decided alike, which lets a diff widen a set
of regions or keys one class of values per question."""

from __future__ import annotations

import pytest
from conftest import ROOT, compile_unit

pytest.importorskip("z3")

import z3  # noqa: E402
from privlex.verify.encode import encode  # noqa: E402
from privlex.verify.space import Space  # noqa: E402

# The GDPR (consent ages by country, the EEA, transfers) and the CCPA (a US state) with the shipped vocabulary.
UNIT = [ROOT / "rulesets" / name for name in ("vocabulary.rules", "regions.rules", "gdpr.rules", "ccpa.rules")]


@pytest.fixture(scope="module")
def space() -> Space:
    program = compile_unit(*UNIT).program
    assert program is not None
    found = Space([program])
    found.decisions = encode(found)  # type: ignore[attr-defined]
    return found


@pytest.mark.parametrize("path", ["region", "data", "purpose", "processing.transfer_to", "legal_basis"])
def test_alike_values_are_decided_alike(space: Space, path: str) -> None:
    var = space.vars[path]
    classes = space.alike(var)
    # Each value is in its class, and the distinct classes partition the values (their sizes add up to the
    # domain's), so every member of a class has that class: checked in linear time, for the regions' thousands.
    assert all(index in classes[index] for index in range(len(var.domain)))
    assert sum(len(members) for members in set(classes)) == len(var.domain)
    # Some values are alike, and not all: the rules name some of the values and not others.
    assert 1 < len(set(classes)) < len(var.domain)
    decisions = space.decisions  # type: ignore[attr-defined]
    terms = [*decisions.outcome.values(), *decisions.reasons.values()]
    twin = z3.Int(f"{path}'")
    solver = z3.Solver()
    solver.add(*space.constraints)
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


def test_values_a_rule_names_are_told_apart(space: Space) -> None:
    region = space.vars["region"]
    classes = space.alike(region)
    # Denmark's age of digital consent is its own: Denmark is alike to its subdivisions only.
    denmark = {region.domain[i] for i in classes[region.index("DK")]}
    assert denmark == {code for code in region.domain if code.split("-", 1)[0] == "DK"}
    assert region.index("SE") not in classes[region.index("DK")]
