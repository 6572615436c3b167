"""Checking properties: a promise holds for every use, or here is a use that breaks it.

`never permit when C` fails on a use where C is true and the outcome is
permit; `never deny when C` likewise; `always deny when C` fails on a use
where C is true and the outcome is anything but deny (not applicable
included); `always permit when C` likewise. A counterexample is made as
plain as the solver allows (facts left unknown or false where they can be)
and decided again by the generated checker before it is reported.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import z3

from .. import ir
from .encode import Conditions, Decisions
from .solve import Solver, SolverTimeout, Symbolic, Verdict, verdict
from .space import Space, Term, Var
from .uses import point, use_of


@dataclass
class PropertyResult:
    """What checking one property found."""

    prop: ir.Property
    status: str  # "holds" | "fails" | "timeout" | "error"
    seconds: float
    use: dict[str, Any] | None = None  # the counterexample, as `check` takes it
    solver: Verdict | None = None  # the decision the encoding gives it
    decision: Any | None = None  # the decision the generated checker gives it (privlex.Decision)
    message: str = ""

    @property
    def failed(self) -> bool:
        return self.status != "holds"


def violation(prop: ir.Property, decisions: Decisions, conditions: Conditions) -> Term:
    """The uses that break the property."""
    ruleset = next((r for r in decisions.program.rulesets if r.id == prop.ruleset), None)
    outcome = decisions.own_outcome(prop.ruleset) if prop.ruleset else decisions.outcome
    when = conditions.true(prop.condition, ruleset)
    target = outcome[prop.effect]
    return z3.And(when, target if prop.claim == "never" else z3.Not(target))


def _plain(space: Space, var: Var, today: datetime.date) -> Term | None:
    """The value a reader expects when nothing is said: unknown, false, the default, today."""
    if var.known is not None:
        return z3.Not(var.known)
    if var.kind == "boolean":
        return z3.Not(var.value)
    if var.kind == "date" and var.path == "date":
        return var.value == today.toordinal()
    if var.default is not None and var.default in var.domain:
        return var.value == var.index(var.default)
    if var.kind == "region":  # a country rather than one of its subdivisions
        return space.member(var, (i for i, code in enumerate(var.domain) if "-" not in code))
    return None


def plainest(solver: Solver, goal: Term, today: datetime.date) -> Any:
    """A model of the goal with as many dimensions as possible at their plain value, and every other
    at the first value it can take (a number or a day: the one next to the bound the goal states):
    one model, whatever the solver was asked before.

    Without the second step the values the goal forces away from plain (the
    region, the data, an age) were whichever z3 found first, which depends on
    what it had learnt: a property checked alone, or after the lints, showed
    another counterexample than in the full run.
    """
    kept: list[Term] = []
    settled: set[str] = set()  # dimensions whose plain value is one value (today, a default)
    model = solver.model(goal)
    if model is None:
        return None
    for var in solver.space.dimensions():
        plain = _plain(solver.space, var, today)
        if plain is None:
            continue
        if not z3.is_true(model.eval(plain, model_completion=True)):
            better = solver.model(goal, *kept, plain)
            if better is None:
                continue
            model = better
        kept.append(plain)
        if var.known is None and var.kind not in ("boolean", "region"):
            settled.add(var.path)
    for var in solver.space.dimensions():
        if var.kind == "boolean" or var.path in settled:  # a boolean not false must be true
            continue
        if var.known is not None and not z3.is_true(model.eval(var.known, model_completion=True)):
            continue  # unknown (its plain value), so its value says nothing
        goals = [goal, *kept]
        model = _least(solver, var, goals, model) if var.finite else _nearest_a_bound(solver, var, goals, model)
        kept.append(var.value == model.eval(var.value, model_completion=True))
    return model


def _value(model: Any, var: Var) -> int:
    return int(model.eval(var.value, model_completion=True).as_long())


def _nearest_a_bound(solver: Solver, var: Var, goals: list[Term], model: Any) -> Any:
    """A model of the goals where a number or a day takes the value next to the bound the goals state.

    A promise about children under 13 is best shown with a 12-year-old, one
    about adults with an 18-year-old: the least value the goals allow when
    it is above the fact's own least (a lower bound stated), else the
    greatest when it is below the fact's own greatest (an upper bound
    stated), else the least. Both ends depend only on the goals, never on
    what the solver was asked before, so neither does the value chosen.
    """
    least = _least(solver, var, goals, model)
    if _value(least, var) > var.low:
        return least
    greatest = _greatest(solver, var, goals, model)
    return greatest if _value(greatest, var) < var.high else least


def _least(solver: Solver, var: Var, goals: list[Term], model: Any) -> Any:
    """A model of the goals where `var` takes the least value (index, number or day) it can.

    The model at hand bounds the search from above: an age of 12 takes four
    questions, not the twenty of the whole range.
    """
    low, high = var.low, _value(model, var)
    while low < high:
        middle = (low + high) // 2
        lower = solver.model(*goals, var.value <= middle)
        if lower is None:
            low = middle + 1
        else:
            model, high = lower, _value(lower, var)
    return model


def _greatest(solver: Solver, var: Var, goals: list[Term], model: Any) -> Any:
    """A model of the goals where `var` takes the greatest value it can (as `_least`, from above)."""
    low, high = _value(model, var), var.high
    while low < high:
        middle = (low + high + 1) // 2
        higher = solver.model(*goals, var.value >= middle)
        if higher is None:
            high = middle - 1
        else:
            model, low = higher, _value(higher, var)
    return model


def check_properties(
    program: ir.Program,
    checkers: Callable[[], ModuleType],
    *,
    timeout: float,
    today: datetime.date,
    only: Sequence[str] = (),
    symbolic: Symbolic | None = None,
) -> list[PropertyResult]:
    """Check every property of the program (or those named), re-deciding counterexamples with the
    generated checkers `checkers()` returns.

    `checkers` is called only when a property fails, once per counterexample:
    generating and importing the checkers costs more than proving ten
    properties, and a run where every property holds has nothing to re-decide.
    `symbolic`: the program already compiled for the solver (as the lints
    were), over the same `timeout`; compiled here when None.
    """
    symbolic = symbolic or Symbolic.of(program, timeout)
    space, decisions, conditions, solver = symbolic.space, symbolic.decisions, symbolic.conditions, symbolic.solver
    results: list[PropertyResult] = []
    for prop in program.properties:
        if only and prop.name not in only and prop.id not in only:
            continue
        start = time.perf_counter()
        try:
            model = plainest(solver, violation(prop, decisions, conditions), today)
        except SolverTimeout as exc:
            results.append(PropertyResult(prop, "timeout", time.perf_counter() - start, message=str(exc)))
            continue
        if model is None:
            results.append(PropertyResult(prop, "holds", time.perf_counter() - start))
            continue
        use = use_of(space, point(space, model))
        found = verdict(model, decisions, prop.ruleset)
        result = PropertyResult(prop, "fails", 0.0, use=use, solver=found)
        result.decision, problem = _recheck(checkers(), use, prop, found, today)
        if problem:
            result.status, result.message = "error", problem
        result.seconds = time.perf_counter() - start
        results.append(result)
    return results


def _recheck(
    package: ModuleType, use: dict[str, Any], prop: ir.Property, found: Verdict, today: datetime.date
) -> tuple[Any, str]:
    """The generated checker's decision on the counterexample, and a problem if it disagrees."""
    try:
        if prop.ruleset:
            result = package.evaluate(use, today=today)[prop.ruleset]
            outcome = str(result.effect) if result else "not_applicable"
            reasons = tuple(leaf.reason.rule for leaf in result.leaves) if result else ()
            decision: Any = result
        else:
            decision = package.check(use, today=today)
            outcome = str(decision.outcome)
            reasons = tuple(f"{r.ruleset}.{r.rule}" for r in decision.reasons)
    except Exception as exc:  # an invalid counterexample is privlex's bug; say so, do not crash
        return None, f"the counterexample is not a valid use ({exc}); please report this as a bug in privlex"
    if (outcome, reasons) != (found.outcome, found.reasons):
        got = Verdict(outcome, reasons).describe()
        return decision, (
            f"the solver decided the counterexample {found.describe()}, the generated checker {got}; "
            "please report this as a bug in privlex"
        )
    return decision, ""
