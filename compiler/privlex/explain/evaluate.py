"""An interpreter over the checked program (the IR) that decides as the generated `check` does, and records why.

It reads a validated use (the generated package's `DataUse`, so that input is
normalised exactly as at run time) and a day, and follows the semantics of
docs/language.md part 3 step by step: applicability, exclusions, rules with
their exceptions, the default, then deny-overrides across rulesets. Reasons
and obligations are built with the runtime's own types and combined with the
runtime's `combine`, and a property test holds the interpreter to the
generated code: same outcome, reasons and obligations for any use.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from .. import ir
from ..runtime import Decision, Effect, Leaf, Obligation, RulesetResult, combine
from ..runtime.vocabulary import parameter_value, places

Value = bool | None  # three-valued: True, False, or None for unknown


@dataclass
class Trace:
    """One condition (or part of one) with its value for the use, and its parts."""

    condition: ir.Condition
    value: Value
    parts: list[Trace] = field(default_factory=list)
    # what the atom read: (fact path, its value), and a parameter's value when one was compared
    fact: tuple[str, Any] | None = None
    parameter: tuple[str, Any] | None = None


@dataclass
class NodeResult:
    """A rule, exception, exclusion or default as the interpreter met it."""

    node: ir.Node
    parents: tuple[ir.Node, ...]
    considered: bool  # its parent matched (top-level nodes: the ruleset applied and no exclusion held)
    data: Value = None  # None: no data line
    purpose: Value = None
    dated: Value = None  # None: no dates
    condition: Trace | None = None
    matches: bool = False
    decides: bool = False
    exceptions: list[NodeResult] = field(default_factory=list)


@dataclass
class RulesetRun:
    """One ruleset: whether it applied (and why not), and what each of its nodes did."""

    ruleset: ir.Ruleset
    covered: bool
    here: frozenset[str]
    before_start: bool
    after_end: bool
    applies: Trace | None
    result: RulesetResult | None = None
    exclusions: list[NodeResult] = field(default_factory=list)
    rules: list[NodeResult] = field(default_factory=list)
    default: NodeResult | None = None
    # the ruleset's conditional obligations with the value of their condition (when no exclusion held)
    duties: list[tuple[ir.Obligation, Trace]] = field(default_factory=list)

    @property
    def applied(self) -> bool:
        return self.result is not None


@dataclass
class Run:
    rulesets: list[RulesetRun]
    decision: Decision


class Interpreter:
    """Decides one use under a program, keeping every step."""

    def __init__(self, program: ir.Program, use: Any, day: datetime.date) -> None:
        self.program = program
        self.vocabulary = program.vocabulary
        self.use = use
        self.day = day
        self.within = {code: frozenset(inside) for code, inside in self.vocabulary.within.items()}
        self.here = places(use.region, self.within)
        self.parameters: dict[str, ir.Parameter] = {}

    # ---------------------------------------------------------------- facts

    def fact(self, path: str) -> Any:
        if path == "date":
            return self.day
        group, _, name = path.rpartition(".")
        holder = getattr(self.use, group) if group else self.use
        return getattr(holder, name)

    def scalar(self, value: ir.Scalar | ir.ParamRef) -> tuple[Any, tuple[str, Any] | None]:
        if isinstance(value, ir.ParamRef):
            found = parameter_value(self.parameters[value.name].timeline, self.use.region, self.day)
            return found, (value.name, found)
        return value, None

    # ----------------------------------------------------------- conditions

    def trace(self, condition: ir.Condition) -> Trace:
        if isinstance(condition, ir.Defined):
            inner = self.trace(condition.condition)
            return Trace(condition, inner.value, [inner])
        if isinstance(condition, ir.Not):
            inner = self.trace(condition.operand)
            return Trace(condition, None if inner.value is None else not inner.value, [inner])
        if isinstance(condition, ir.And | ir.Or):
            parts = [self.trace(operand) for operand in condition.operands]
            values = [p.value for p in parts]
            decisive = isinstance(condition, ir.Or)  # the value that settles: true for or, false for and
            if decisive in values:
                value: Value = decisive
            elif None in values:
                value = None
            else:
                value = not decisive
            return Trace(condition, value, parts)
        return self._atom(condition)

    def _atom(self, condition: ir.Truth | ir.Compare | ir.OneOf | ir.Within | ir.Known) -> Trace:
        path = condition.fact.path
        current = self.fact(path)
        read = (path, current)
        if isinstance(condition, ir.Known):
            return Trace(condition, (current is not None) == condition.known, fact=read)
        if isinstance(condition, ir.Truth):
            return Trace(condition, bool(current), fact=read)
        if current is None:
            parameter = self.scalar(condition.value)[1] if isinstance(condition, ir.Compare) else None
            return Trace(condition, None, fact=read, parameter=parameter)
        if isinstance(condition, ir.Compare):
            other, parameter = self.scalar(condition.value)
            value = _compare(condition.op, current, other)
            return Trace(condition, value, fact=read, parameter=parameter)
        if isinstance(condition, ir.OneOf):
            return Trace(condition, current in condition.values, fact=read)
        return Trace(condition, self._within(condition.fact, current, condition.values), fact=read)

    def _within(self, fact: ir.FactRef, current: Any, values: tuple[str, ...]) -> bool:
        if fact.kind == "data":
            return any(current in self.vocabulary.data_below.get(v, (v,)) for v in values)
        if fact.kind == "purpose":
            return any(current in self.vocabulary.purposes_below.get(v, (v,)) for v in values)
        around = self.here if fact.path == "region" else places(current, self.within)
        return not around.isdisjoint(values)

    # ---------------------------------------------------------------- nodes

    def node(self, node: ir.Node, parents: tuple[ir.Node, ...], considered: bool) -> NodeResult:
        found = NodeResult(node, parents, considered)
        if not considered:
            found.exceptions = [self.node(inner, (*parents, node), False) for inner in node.exceptions]
            return found
        if node.data is not None:
            found.data = self._within(ir.FactRef(path="data", kind="data", nullable=False), self.use.data, node.data)
        if node.purposes is not None:
            purpose = ir.FactRef(path="purpose", kind="purpose", nullable=False)
            found.purpose = self._within(purpose, self.use.purpose, node.purposes)
        if node.start is not None or node.end is not None:
            found.dated = (node.start is None or self.day >= node.start) and (node.end is None or self.day <= node.end)
        if node.condition is not None:
            found.condition = self.trace(node.condition)
        found.matches = (
            found.data is not False
            and found.purpose is not False
            and found.dated is not False
            and (found.condition is None or found.condition.value is True)
        )
        found.exceptions = [self.node(inner, (*parents, node), found.matches) for inner in node.exceptions]
        return found

    def leaf(self, ruleset: ir.Ruleset, result: NodeResult) -> Leaf:
        """The runtime leaf of a deciding node: its reason, and for a permit the obligations on its path."""
        node = result.node
        reason = node.reason(ruleset.id)
        carried: list[Obligation] = []
        seen: set[tuple[str, str]] = set()
        if node.effect == "permit":
            carriers: list[tuple[str, tuple[ir.Obligation, ...]]] = []
            if node.kind != "exclusion":
                # the conditional ones come with the ruleset's result, where they hold (`RulesetRun.duties`)
                carriers.append(("", tuple(o for o in ruleset.obligations if o.condition is None)))
            carriers += [(step.id, step.obligations) for step in (*result.parents, node) if step.effect == "permit"]
            for carrier, obligations in carriers:
                for obligation in obligations:
                    if (carrier, obligation.id) in seen:
                        continue
                    seen.add((carrier, obligation.id))
                    carried.append(obligation.carried(ruleset.id, carrier))
        return Leaf(reason, tuple(carried))

    def collect(self, ruleset: ir.Ruleset, found: NodeResult, denied: list[Leaf], permitted: list[Leaf]) -> None:
        """The leaves a matching node contributes, in the order the generated code appends them."""
        matching = [inner for inner in found.exceptions if inner.matches]
        for inner in matching:
            self.collect(ruleset, inner, denied, permitted)
        if not matching:
            found.decides = True
            (denied if found.node.effect == "deny" else permitted).append(self.leaf(ruleset, found))

    # ------------------------------------------------------------- rulesets

    def ruleset(self, ruleset: ir.Ruleset) -> RulesetRun:
        self.parameters = {p.name: p for p in ruleset.parameters}
        before = ruleset.start is not None and self.day < ruleset.start
        after = ruleset.end is not None and self.day > ruleset.end
        covered = not self.here.isdisjoint(ruleset.covers)
        in_play = covered and not (before or after)
        applies = self.trace(ruleset.applies) if ruleset.applies is not None and in_play else None
        run = RulesetRun(ruleset, covered, self.here, before, after, applies)
        applicable = covered and not before and not after and (applies is None or applies.value is True)
        run.exclusions = [self.node(node, (), applicable) for node in ruleset.exclusions]
        holding = [found for found in run.exclusions if found.matches]
        run.rules = [self.node(node, (), applicable and not holding) for node in ruleset.rules]
        run.default = NodeResult(ruleset.default, (), applicable and not holding)
        if not applicable:
            return run
        if holding:
            for found in holding:
                found.decides = True
            run.result = RulesetResult(ruleset.id, Effect.PERMIT, tuple(self.leaf(ruleset, f) for f in holding))
            return run
        denied: list[Leaf] = []
        permitted: list[Leaf] = []
        for found in run.rules:
            if found.matches:
                self.collect(ruleset, found, denied, permitted)
        run.duties = [(o, self.trace(o.condition)) for o in ruleset.obligations if o.condition is not None]
        duties = tuple(o.carried(ruleset.id, "") for o, trace in run.duties if trace.value is True)
        if denied:
            run.result = RulesetResult(ruleset.id, Effect.DENY, tuple(denied))
        elif permitted:
            run.result = RulesetResult(ruleset.id, Effect.PERMIT, tuple(permitted), duties)
        else:
            run.default.matches = run.default.decides = True
            leaf = self.leaf(ruleset, run.default)
            effect = Effect(ruleset.default.effect)
            run.result = RulesetResult(ruleset.id, effect, (leaf,), duties if effect is Effect.PERMIT else ())
        return run

    def run(self) -> Run:
        runs = [self.ruleset(ruleset) for ruleset in self.program.rulesets]
        return Run(runs, combine([r.result for r in runs]))


def _compare(op: str, left: Any, right: Any) -> bool:
    if op == "<":
        return bool(left < right)
    if op == "<=":
        return bool(left <= right)
    if op == ">":
        return bool(left > right)
    if op == ">=":
        return bool(left >= right)
    if op == "=":
        return bool(left == right)
    return bool(left != right)


def interpret(program: ir.Program, use: Any, day: datetime.date) -> Run:
    """Decide a validated use on a day under the program, step by step."""
    return Interpreter(program, use, day).run()
