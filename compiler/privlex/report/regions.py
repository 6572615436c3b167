"""Regions that no ruleset tells apart decide alike: the rows of the report's matrices.

Two places fall into one class when every ruleset covers both or neither,
every region named in a condition contains both or neither, and every
parameter has the same timeline for both. Deciding one place of a class
decides them all, which keeps the matrices small and fast to compute.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .. import ir


@dataclass(frozen=True)
class RegionClass:
    id: str
    coverage: tuple[str, ...]  # the rulesets that cover these places
    regions: tuple[str, ...]  # countries and subdivisions, sorted

    @property
    def representative(self) -> str:
        return self.regions[0]


def _conditions(ruleset: ir.Ruleset) -> Iterator[ir.Condition]:
    if ruleset.applies is not None:
        yield ruleset.applies
    for node, _ in ruleset.walk():
        if node.condition is not None:
            yield node.condition


def _region_tests(condition: ir.Condition) -> Iterator[tuple[bool, str]]:
    """What conditions ask of the place itself: (True, code) lies within code, (False, code) is code."""
    match condition:
        case ir.Not():
            yield from _region_tests(condition.operand)
        case ir.Defined():
            yield from _region_tests(condition.condition)
        case ir.And() | ir.Or():
            for operand in condition.operands:
                yield from _region_tests(operand)
        case ir.Within() if condition.fact.path == "region":
            yield from ((True, value) for value in condition.values)
        case ir.OneOf() if condition.fact.path == "region":
            yield from ((False, str(value)) for value in condition.values)
        case _:
            return


def places(vocabulary: ir.Vocabulary) -> list[str]:
    """Every place a person can be: the countries and subdivisions, sorted by code."""
    return sorted(r.code for r in vocabulary.regions if r.kind != "group")


def coverage(program: ir.Program, region: str) -> tuple[str, ...]:
    inside = set(program.vocabulary.within.get(region, (region,)))
    return tuple(r.id for r in program.rulesets if inside.intersection(r.covers))


def region_classes(program: ir.Program) -> list[RegionClass]:
    """The classes, grouped by coverage (the uncovered last), each sorted by its first code."""
    named = sorted({test for ruleset in program.rulesets for c in _conditions(ruleset) for test in _region_tests(c)})
    parameters = [p for ruleset in program.rulesets for p in ruleset.parameters]
    groups: dict[tuple[tuple[str, ...], tuple[object, ...]], list[str]] = {}
    for region in places(program.vocabulary):
        inside = set(program.vocabulary.within.get(region, (region,)))
        signature = (
            coverage(program, region),
            (
                tuple(code in inside if within else code == region for within, code in named),
                tuple(p.timeline.get(region) for p in parameters),
            ),
        )
        groups.setdefault(signature, []).append(region)
    ordered = sorted(groups.items(), key=lambda item: (not item[0][0], item[0][0], item[1][0]))
    return [
        RegionClass(id=f"r{number}", coverage=signature[0], regions=tuple(regions))
        for number, (signature, regions) in enumerate(ordered, start=1)
    ]
