"""Asking the solver: one solver per space, every question under a time limit."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import z3

from .. import ir
from .encode import OUTCOMES, Conditions, Decisions, encode
from .space import Space, Term

# Seconds the solver may spend on one question before it gives up.
DEFAULT_TIMEOUT = 30.0


class SolverTimeout(Exception):
    """The solver gave up on a question within its time limit."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the solver found no answer within {seconds:g} s")
        self.seconds = seconds


@dataclass(frozen=True)
class Verdict:
    """A decision read from a model: the outcome and its reasons, as `ruleset.node` ids, in order."""

    outcome: str
    reasons: tuple[str, ...]

    def describe(self) -> str:
        if self.outcome == "not_applicable":
            return "not applicable"
        return f"{self.outcome} ({', '.join(self.reasons)})" if self.reasons else self.outcome


class Solver:
    """A z3 solver holding the space's constraints; questions are asked under push/pop."""

    def __init__(
        self,
        space: Space,
        timeout: float = DEFAULT_TIMEOUT,
        decisions: Sequence[Decisions] = (),
        params: Mapping[str, int] | None = None,
    ) -> None:
        self.space = space
        self.timeout = timeout
        self.solver = z3.Solver(ctx=space.context)
        self.solver.set(timeout=max(1, int(timeout * 1000)))
        for name, value in (params or {}).items():
            self.solver.set(name, value)
        self.solver.add(*space.constraints)
        for found in decisions:
            self.solver.add(*found.definitions)
        self.questions = 0
        self._markers = 0

    @contextlib.contextmanager
    def scope(self) -> Iterator[None]:
        """Markers made inside are forgotten when it ends."""
        self.solver.push()
        try:
            yield
        finally:
            self.solver.pop()

    def marker(self, term: Term) -> Term:
        """A constant that stands for `term` in questions: the formula is given to the solver once."""
        self._markers += 1
        constant = z3.Bool(f"__marker{self._markers}", self.space.context)
        self.solver.add(z3.Implies(constant, term))
        return constant

    def model(self, *goals: Term) -> Any | None:
        """A model of the goals, or None when there is none; raises SolverTimeout.

        The goals are assumptions of one check, not assertions under push/pop:
        the solver keeps what it learnt between questions, which makes the
        thousands of small questions of a diff several times faster.
        """
        return self._check(*goals)

    def holds(self, *goals: Term) -> bool:
        return self.model(*goals) is not None

    def minimal_core(
        self, goals: Sequence[Term], assumptions: Sequence[Term], order: Sequence[int], hint: Sequence[int] = ()
    ) -> list[int]:
        """A minimal set of assumptions (by index) that with the goals has no model.

        The goals and all assumptions together must have none. Z3 minimises
        the core itself (`core.minimize`): one question, where dropping the
        assumptions one by one from Python took one question each (about 25
        for a cube of a diff, against 8 assumptions kept). Z3 tries to drop
        the last assumptions first, so they are given in reverse `order`: the
        ones to drop first come last. `hint` is a set likely to do (the one
        found for a neighbouring question): tried first, its core is smaller
        to minimise; when it does not do, the whole set is asked.
        """
        self.solver.push()
        self.solver.set("core.minimize", True)
        try:
            self.solver.add(*goals)
            markers = [z3.Bool(f"__assume{i}", self.space.context) for i in range(len(assumptions))]
            for marker, assumption in zip(markers, assumptions, strict=True):
                self.solver.add(z3.Implies(marker, assumption))
            rank = {index: place for place, index in enumerate(order)}

            def core(indices: Sequence[int]) -> list[int] | None:
                self.questions += 1
                result = self.solver.check(*(markers[i] for i in sorted(indices, key=lambda i: -rank[i])))
                if result == z3.sat:
                    return None
                if result == z3.unknown:
                    raise SolverTimeout(self.timeout)
                # By identity of the constants, not by name: printing thousands of them is slow.
                in_core = {m.get_id() for m in self.solver.unsat_core()}
                return [i for i in indices if markers[i].get_id() in in_core]

            kept = (core(hint) if hint else None) or core(range(len(assumptions)))
            assert kept is not None, "the goals and every assumption together have a model"
            return sorted(kept)
        finally:
            self.solver.set("core.minimize", False)
            self.solver.pop()

    def _check(self, *assumptions: Term) -> Any | None:
        self.questions += 1
        result = self.solver.check(*assumptions)
        if result == z3.sat:
            return self.solver.model()
        if result == z3.unknown:
            raise SolverTimeout(self.timeout)
        return None


def true_in(model: Any, term: Term) -> bool:
    return bool(z3.is_true(model.eval(term, model_completion=True)))


def verdict(model: Any, decisions: Decisions, ruleset: str | None = None) -> Verdict:
    """The decision in a model: of the whole program, or of one ruleset alone."""
    if ruleset is None:
        labels = decisions.labels
        outcome = next(o for o in OUTCOMES if true_in(model, labels[o]))
        reasons = tuple(f"{r}.{n}" for r, n in decisions.reasons if true_in(model, labels[f"{r}.{n}"]))
        return Verdict(outcome, reasons)
    outcomes = decisions.own_outcome(ruleset)
    outcome = next(o for o in OUTCOMES if true_in(model, outcomes[o]))
    if outcome == "not_applicable":
        return Verdict(outcome, ())
    own = decisions.rulesets[ruleset]
    effects = {node.id: node.effect for node, _ in own.ruleset.walk()}
    reasons = tuple(n for n, term in own.decides.items() if effects[n] == outcome and true_in(model, term))
    return Verdict(outcome, reasons)


@dataclass
class Symbolic:
    """One program compiled for the solver: its space, its decisions and a solver over them."""

    program: ir.Program
    space: Space
    decisions: Decisions
    conditions: Conditions
    solver: Solver

    @classmethod
    def of(cls, program: ir.Program, timeout: float = DEFAULT_TIMEOUT) -> Symbolic:
        space = Space([program])
        decisions = encode(space)
        return cls(program, space, decisions, Conditions(space, 0), Solver(space, timeout, [decisions]))
