"""Covering one change of a diff by cubes, on its own: in a fresh z3 context, as plain data.

Describing a change asks its own solver hundreds of small questions and
reads nothing of the other changes, so changes can be described in any
order and in any process (processes.py). For the regions to be the same
whichever process describes a change and whatever it described before,
each change gets a fresh z3 context: a fresh solver alone is not enough,
since z3's search depends on the numbering of its terms, which in a shared
context depends on every term made before. For the same reason Python's
cyclic collector is off while a change is described: z3 numbers a new term
with the number of one freed before, and the moments the collector frees
terms depend on everything the process allocated since it started. The cubes come back as plain
data (`Cover`), which pickles, and are rebuilt over the caller's space.
"""

from __future__ import annotations

from dataclasses import dataclass

import z3

from ..collector import paused
from .cubes import Cube, Generaliser, Literal
from .solve import Solver
from .space import Space, Term
from .uses import point

# The describing solver's settings. Its questions are thousands of small ones
# (most dimensions fixed, one widened); without z3's relevancy filter it
# answers them in about 0.85 of the CPU time, and with the older arithmetic
# solver (arith.solver 2) in about 0.87 of that again (docs/performance.md,
# issue 14). The answers are as sound either way: the settings choose how z3
# searches, not what it proves, though which of the equally correct regions
# comes first may differ.
DESCRIBING = {"relevancy": 0, "arith.solver": 2}

# One literal as plain data: (dimension, values, low, high, truth, unknown, known).
LiteralData = tuple[str, tuple[str, ...], int, int, bool, bool, bool]


@dataclass(frozen=True)
class Cover:
    """A change's cubes as plain data, and what finding them took."""

    cubes: tuple[tuple[LiteralData, ...], ...]
    more: bool  # more uses change so than the cubes cover
    questions: int

    def rebuilt(self, space: Space) -> list[Cube]:
        return [Cube([_literal(space, data) for data in cube]) for cube in self.cubes]


def _data(literal: Literal) -> LiteralData:
    values = tuple(sorted(literal.values))
    return (literal.var.path, values, literal.low, literal.high, literal.truth, literal.unknown, literal.known)


def _literal(space: Space, data: LiteralData) -> Literal:
    path, values, low, high, truth, unknown, known = data
    return Literal(space.vars[path], frozenset(values), low, high, truth, unknown, known)


def cover(space: Space, happens: Term, was: Term, regions: int, timeout: float) -> Cover:
    """At most `regions` cubes covering the uses where `happens` holds: inside each, every use `was`
    holds at is one where `happens` holds too."""
    with paused():
        return _cover(space, happens, was, regions, timeout)


def _cover(space: Space, happens: Term, was: Term, regions: int, timeout: float) -> Cover:
    context = z3.Context()
    own = space.translated(context)
    solver = Solver(own, timeout, params=DESCRIBING)
    happens, was = happens.translate(context), was.translate(context)
    cubes: list[Cube] = []
    more = False
    bad = solver.marker(z3.And(was, z3.Not(happens)))
    happens = solver.marker(happens)
    grower = Generaliser(solver, bad, happens)
    covered: list[Term] = []
    while True:
        model = solver.model(happens, *covered)
        if model is None:
            break
        if len(cubes) >= regions:
            more = True
            break
        cube = grower.grow(point(own, model))
        cubes.append(cube)
        covered.append(z3.Not(cube.term(own)))
    data = tuple(tuple(_data(literal) for literal in cube.literals) for cube in cubes)
    return Cover(data, more, solver.questions)
