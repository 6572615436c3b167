"""Describing questions answered from the uses the solver already showed, when one will do.

Widening a cube asks "is there a use, inside these conditions, where the
change happens (or where the claim fails), with this dimension outside the
set (or inside this range)?", hundreds of times per change, and often a use
the solver showed for an earlier question is such a use. Each shown use is
kept, each of its dimensions read from the model once, when a test first
needs it (a test reads the few dimensions of a cube, not all of them); a
question is first tested against the kept uses in Python, and asked of z3
only when none will do. The answer "no such use" always comes from z3, so a
cube is exactly as sound as before; a kept use only stands in for one z3
would have shown (docs/performance.md, issue 14: evaluating every goal with
`model.eval` cost more than the questions it saved).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

import z3

from .solve import Solver
from .space import Space, Term, Var


class Literal(Protocol):
    """What a question's conditions must offer (cubes.Literal does): a Python test and a term."""

    @property
    def var(self) -> Var: ...

    def admits(self, raw: Any) -> bool: ...

    def term(self, space: Space) -> Term: ...


class Use(dict[str, Any]):
    """A use a model shows, as each dimension's raw value: a finite dimension's is the index of its
    value, a date's its day number, a boolean's its truth; None for an unknown fact. Each is read
    from the model when first asked for."""

    def __init__(self, space: Space, model: Any) -> None:
        super().__init__()
        self.space = space
        self.model = model

    def __missing__(self, path: str) -> Any:
        var, model = self.space.vars[path], self.model
        raw: Any = None
        if var.known is None or z3.is_true(model.eval(var.known, model_completion=True)):
            value = model.eval(var.value, model_completion=True)
            raw = z3.is_true(value) if var.kind == "boolean" else value.as_long()
        self[path] = raw
        return raw


class Shown:
    """The uses the solver showed for questions about one goal (`happens`, or `bad`), newest last."""

    def __init__(self, solver: Solver, goal: Term) -> None:
        self.solver = solver
        self.goal = goal
        self.uses: list[Use] = []
        self.reused = 0  # questions answered from a kept use

    def find(self, literals: Sequence[Literal], test: Callable[[Use], bool], extra: Sequence[Term]) -> Use | None:
        """A use inside every literal where the goal holds and `test` (the Python form of `extra`)
        passes: a kept one, else one z3 shows; None when there is none."""
        for use in reversed(self.uses):
            if test(use) and all(literal.admits(use[literal.var.path]) for literal in literals):
                self.reused += 1
                return use
        space = self.solver.space
        model = self.solver.model(*(literal.term(space) for literal in literals), self.goal, *extra)
        if model is None:
            return None
        use = Use(space, model)
        self.uses.append(use)
        return use
