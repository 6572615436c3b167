"""Symbolic compilation: a program's decisions as solver formulas over the input space.

This mirrors the generated code (codegen/ruleset.py, codegen/pyexpr.py,
runtime/decision.py) term for term, so that a solver's answer is the answer
`check` gives:

- a condition is two formulas, "is true" and "is false": a comparison on an
  unknown fact is neither, `not` swaps them, `and`/`or` follow Kleene, and a
  condition holds only when its "is true" formula does;
- a ruleset applies when the date lies in its dates, the region inside what
  it covers, and its applicability condition is true;
- a holding exclusion permits and its rules are not consulted;
- a node matches when the data and purpose lie below its scope, the date in
  its dates and its condition is true; a matching node decides itself unless
  one of its exceptions matches, and then those exceptions decide instead;
- within a ruleset and across rulesets deny overrides permit; with no
  deciding node the default decides; with no applicable ruleset the outcome
  is not_applicable.

`Decisions` holds, for one program, the outcome formulas and one formula per
possible reason (ruleset, node): "this node is among the decision's reasons".
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import z3

from .. import ir
from .space import Space, Term, Var

OUTCOMES = ("permit", "deny", "not_applicable")


def _and(parts: Sequence[Term]) -> Term:
    return z3.BoolVal(True) if not parts else parts[0] if len(parts) == 1 else z3.And(*parts)


def _or(parts: Sequence[Term]) -> Term:
    return z3.BoolVal(False) if not parts else parts[0] if len(parts) == 1 else z3.Or(*parts)


class Conditions:
    """Conditions of one program as pairs of formulas ("is true", "is false")."""

    def __init__(self, space: Space, index: int) -> None:
        self.space = space
        self.program = space.programs[index]
        self.places = space.places[index]
        self.vocabulary = self.program.vocabulary
        self._parameters: dict[tuple[str, str], Term] = {}

    def var(self, fact: ir.FactRef) -> Var:
        return self.space.vars[fact.path]

    # ------------------------------------------------------------ sets

    def within(self, var: Var, values: Iterable[object]) -> Term:
        """A region fact lies in one of the regions, or a key at or below one of the keys."""
        wanted = {str(v) for v in values}
        if var.kind in ("data", "purpose"):
            below = self.vocabulary.data_below if var.kind == "data" else self.vocabulary.purposes_below
            expanded = {k for v in wanted for k in below.get(v, (v,))}
            return self.space.tested_member(var, (i for i, key in enumerate(var.domain) if key in expanded))
        return self.space.tested_member(var, (i for i, code in enumerate(var.domain) if self.places[code] & wanted))

    def equals(self, var: Var, values: Iterable[ir.Scalar]) -> Term:
        """The fact's value is one of the values (never true of an unknown value)."""
        chosen = list(values)
        if var.finite:
            return self.space.tested_member(var, (i for i, v in enumerate(var.domain) if v in {str(c) for c in chosen}))
        return _or([var.value == self.constant(c) for c in chosen])

    def constant(self, value: ir.Scalar) -> Term:
        if isinstance(value, bool):
            return z3.BoolVal(value)
        if isinstance(value, int):
            return z3.IntVal(value)
        if isinstance(value, datetime.date):
            return z3.IntVal(value.toordinal())
        raise TypeError(f"not a scalar of a comparison: {value!r}")

    # ------------------------------------------------------- parameters

    def parameter(self, ruleset: ir.Ruleset, name: str) -> Term:
        """A region parameter's value for the use's region on the use's date."""
        key = (ruleset.id, name)
        if key in self._parameters:
            return self._parameters[key]
        parameter = next(p for p in ruleset.parameters if p.name == name)
        region = self.space.vars["region"]
        day = self.space.vars["date"].value
        groups: dict[tuple[tuple[datetime.date, datetime.date, ir.Scalar], ...], list[int]] = {}
        for index, code in enumerate(region.domain):
            timeline = parameter.timeline.get(code) or parameter.timeline.get(code.split("-", 1)[0])
            if timeline:
                groups.setdefault(timeline, []).append(index)
        term: Term = None
        for timeline, indices in sorted(groups.items(), key=lambda item: -len(item[1])):
            pieces = self.constant(timeline[-1][2])
            for _start, end, value in reversed(timeline[:-1]):
                pieces = z3.If(day <= end.toordinal(), self.constant(value), pieces)
            term = pieces if term is None else z3.If(self.space.tested_member(region, indices), pieces, term)
        if term is None:  # covers no region of the space: never read
            term = z3.IntVal(0) if parameter.kind != "boolean" else z3.BoolVal(False)
        self._parameters[key] = term
        return term

    # ------------------------------------------------------- conditions

    def true(self, condition: ir.Condition, ruleset: ir.Ruleset | None) -> Term:
        return self.pair(condition, ruleset)[0]

    def pair(self, condition: ir.Condition, ruleset: ir.Ruleset | None) -> tuple[Term, Term]:
        """("is true", "is false") of a condition, as the generated code computes them."""
        if isinstance(condition, ir.Defined):  # a definition stands for its condition
            return self.pair(condition.condition, ruleset)
        if isinstance(condition, ir.Not):
            yes, no = self.pair(condition.operand, ruleset)
            return no, yes
        if isinstance(condition, ir.And | ir.Or):
            pairs = [self.pair(operand, ruleset) for operand in condition.operands]
            trues, falses = [p[0] for p in pairs], [p[1] for p in pairs]
            if isinstance(condition, ir.And):
                return _and(trues), _or(falses)
            return _or(trues), _and(falses)
        var = self.var(condition.fact)
        known = var.known

        def guard(term: Term) -> Term:
            return term if known is None else z3.And(known, term)

        if isinstance(condition, ir.Truth):
            return guard(var.value), guard(z3.Not(var.value))
        if isinstance(condition, ir.Known):
            is_known = z3.BoolVal(True) if known is None else known
            return (is_known, z3.Not(is_known)) if condition.known else (z3.Not(is_known), is_known)
        if isinstance(condition, ir.Within):
            inside = self.within(var, condition.values)
            return guard(inside), guard(z3.Not(inside))
        if isinstance(condition, ir.OneOf):
            inside = self.equals(var, condition.values)
            return guard(inside), guard(z3.Not(inside))
        assert isinstance(condition, ir.Compare)
        if isinstance(condition.value, ir.ParamRef):
            assert ruleset is not None, "parameters are read inside a ruleset"
            other = self.parameter(ruleset, condition.value.name)
        elif var.finite:
            inside = self.equals(var, [condition.value])
            if condition.op == "=":
                return guard(inside), guard(z3.Not(inside))
            return guard(z3.Not(inside)), guard(inside)
        else:
            other = self.constant(condition.value)
        value = var.value
        comparisons = {
            "<": (value < other, value >= other),
            "<=": (value <= other, value > other),
            ">": (value > other, value <= other),
            ">=": (value >= other, value < other),
            "=": (value == other, value != other),
            "!=": (value != other, value == other),
        }
        yes, no = comparisons[condition.op]
        return guard(yes), guard(no)


@dataclass
class RulesetTerms:
    """One ruleset's own decision as formulas."""

    ruleset: ir.Ruleset
    applies: Term
    excluded: Term
    denies: Term  # applies, and the ruleset's own effect is deny
    permits: Term  # applies, and the ruleset's own effect is permit
    matches: dict[str, Term] = field(default_factory=dict)  # node id -> the node matches (its ancestors too)
    fires: dict[str, Term] = field(default_factory=dict)  # node id -> matches, and none of its exceptions does
    decides: dict[str, Term] = field(default_factory=dict)  # node id -> a reason of the ruleset's own result


@dataclass
class Decisions:
    """A program's decision as formulas: outcome, and each possible reason."""

    program: ir.Program
    rulesets: dict[str, RulesetTerms]
    outcome: dict[str, Term]  # "permit" | "deny" | "not_applicable" -> formula
    reasons: dict[tuple[str, str], Term]  # (ruleset, node id) -> among the decision's reasons
    # A named constant per outcome and reason, defined equal to its formula: a
    # model answers them at once (the solver must hold `definitions`).
    labels: dict[str, Term] = field(default_factory=dict)
    definitions: list[Term] = field(default_factory=list)

    def label(self, prefix: str) -> None:
        for name, term in [*self.outcome.items(), *((f"{r}.{n}", t) for (r, n), t in self.reasons.items())]:
            constant = z3.Bool(f"{prefix}:{name}")
            self.labels[name] = constant
            self.definitions.append(constant == term)

    def own_outcome(self, ruleset: str) -> dict[str, Term]:
        """The outcome of one ruleset alone (as tests and properties inside a ruleset see it)."""
        terms = self.rulesets[ruleset]
        return {"permit": terms.permits, "deny": terms.denies, "not_applicable": z3.Not(terms.applies)}

    def reason_order(self) -> list[tuple[str, str]]:
        """Every possible reason, in the order a decision lists them."""
        return list(self.reasons)


def encode_ruleset(conditions: Conditions, ruleset: ir.Ruleset) -> RulesetTerms:
    space = conditions.space
    day = space.vars["date"].value
    region = space.vars["region"]
    data, purpose = space.vars["data"], space.vars["purpose"]

    def match(node: ir.Node) -> Term:
        parts: list[Term] = []
        if node.data is not None:
            parts.append(conditions.within(data, node.data))
        if node.purposes is not None:
            parts.append(conditions.within(purpose, node.purposes))
        if node.start is not None:
            parts.append(day >= node.start.toordinal())
        if node.end is not None:
            parts.append(day <= node.end.toordinal())
        if node.condition is not None:
            parts.append(conditions.true(node.condition, ruleset))
        return _and(parts)

    applies_parts: list[Term] = []
    if ruleset.start is not None:
        applies_parts.append(day >= ruleset.start.toordinal())
    if ruleset.end is not None:
        applies_parts.append(day <= ruleset.end.toordinal())
    applies_parts.append(conditions.within(region, ruleset.covers))
    if ruleset.applies is not None:
        applies_parts.append(conditions.true(ruleset.applies, ruleset))
    applies = _and(applies_parts)

    terms = RulesetTerms(ruleset, applies, z3.BoolVal(False), z3.BoolVal(False), z3.BoolVal(False))
    for exclusion in ruleset.exclusions:
        terms.matches[exclusion.id] = z3.And(applies, match(exclusion))
    excluded = _or([terms.matches[x.id] for x in ruleset.exclusions])
    live = z3.And(applies, z3.Not(excluded)) if ruleset.exclusions else applies

    fires: list[tuple[ir.Node, Term]] = []

    def visit(node: ir.Node, reach: Term) -> None:
        terms.matches[node.id] = reach
        inner = [(e, match(e)) for e in node.exceptions]
        fires.append((node, z3.And(reach, z3.Not(_or([m for _, m in inner]))) if inner else reach))
        for exception, matched in inner:
            visit(exception, z3.And(reach, matched))

    for rule in ruleset.rules:
        visit(rule, z3.And(live, match(rule)))
    any_deny = _or([f for node, f in fires if node.effect == "deny"])
    any_permit = _or([f for node, f in fires if node.effect == "permit"])
    by_default = z3.And(live, z3.Not(any_deny), z3.Not(any_permit))
    terms.matches[ruleset.default.id] = live
    for exclusion in ruleset.exclusions:
        terms.decides[exclusion.id] = terms.matches[exclusion.id]
    for node, fired in fires:
        terms.fires[node.id] = fired
        terms.decides[node.id] = fired if node.effect == "deny" else z3.And(fired, z3.Not(any_deny))
    terms.decides[ruleset.default.id] = by_default
    default_denies = ruleset.default.effect == "deny"
    terms.excluded = excluded
    terms.denies = z3.Or(any_deny, by_default) if default_denies else any_deny
    terms.permits = z3.And(applies, z3.Not(terms.denies))
    return terms


def encode(space: Space, index: int = 0) -> Decisions:
    """The decisions of `space.programs[index]`, every ruleset combined."""
    program = space.programs[index]
    conditions = Conditions(space, index)
    rulesets = {r.id: encode_ruleset(conditions, r) for r in sorted(program.rulesets, key=lambda r: r.id)}
    deny = _or([t.denies for t in rulesets.values()])
    applicable = _or([t.applies for t in rulesets.values()])
    outcome = {"deny": deny, "permit": z3.And(applicable, z3.Not(deny)), "not_applicable": z3.Not(applicable)}
    reasons: dict[tuple[str, str], Term] = {}
    for ruleset_id, terms in rulesets.items():
        for node, _ in terms.ruleset.walk():
            own = terms.decides[node.id]
            reasons[(ruleset_id, node.id)] = own if node.effect == "deny" else z3.And(own, z3.Not(deny))
    decisions = Decisions(program, rulesets, outcome, reasons)
    decisions.label(f"decision{index}")
    return decisions
