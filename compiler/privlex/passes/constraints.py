"""What the conjuncts of a condition require of each fact, to find conditions that can never hold."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .. import ir

Bound = int  # integers as they are; dates by ordinal


@dataclass
class Requirement:
    """What one fact must be for every conjunct seen so far to hold."""

    low: Bound | None = None
    high: Bound | None = None
    allowed: set[object] | None = None
    excluded: set[object] = field(default_factory=set)
    truth: bool | None = None
    known: bool | None = None
    conflict: bool = False

    def narrow(self, other: Requirement) -> None:
        if other.low is not None:
            self.low = other.low if self.low is None else max(self.low, other.low)
        if other.high is not None:
            self.high = other.high if self.high is None else min(self.high, other.high)
        if other.allowed is not None:
            self.allowed = set(other.allowed) if self.allowed is None else self.allowed & other.allowed
        self.excluded |= other.excluded
        for name in ("truth", "known"):
            mine, theirs = getattr(self, name), getattr(other, name)
            if theirs is not None:
                if mine is not None and mine != theirs:
                    self.conflict = True
                setattr(self, name, theirs)
        self.conflict = self.conflict or other.conflict

    @property
    def impossible(self) -> bool:
        if self.conflict:
            return True
        if self.low is not None and self.high is not None and self.low > self.high:
            return True
        if self.allowed is not None and not any(self._in_range(v) for v in self.allowed - self.excluded):
            return True
        if self.low is not None and self.high is not None and self.high - self.low < _FEW:
            excluded = {_bound(v) for v in self.excluded}
            if all(b in excluded for b in range(self.low, self.high + 1)):
                return True
        # Any comparison or membership test on an unknown value is unknown, so it never holds.
        constrained = self.low is not None or self.high is not None or self.allowed is not None or bool(self.excluded)
        return self.known is False and constrained

    def _in_range(self, value: object) -> bool:
        bound = _bound(value)
        if bound is None:
            return True
        return (self.low is None or self.low <= bound) and (self.high is None or bound <= self.high)


_FEW = 64  # a range this narrow is checked value by value against the excluded values


def _bound(value: object) -> Bound | None:
    if isinstance(value, datetime.date):
        return value.toordinal()
    if isinstance(value, bool):
        return None
    return value if isinstance(value, int) else None


class Analyser:
    """Turns conditions and scopes into per-fact requirements."""

    def __init__(self, vocabulary: ir.Vocabulary, parameters: Mapping[str, ir.Parameter]) -> None:
        self.vocabulary = vocabulary
        self.parameters = parameters

    def _range(self, value: ir.Scalar | ir.ParamRef) -> tuple[Bound | None, Bound | None]:
        if isinstance(value, ir.ParamRef):
            parameter = self.parameters.get(value.name)
            bounds = [_bound(v) for pieces in (parameter.timeline.values() if parameter else ()) for _, _, v in pieces]
            known = [b for b in bounds if b is not None]
            return (min(known), max(known)) if known else (None, None)
        bound = _bound(value)
        return bound, bound

    def expand(self, fact: ir.FactRef, values: Iterable[str]) -> set[object]:
        if fact.kind == "data":
            return {k for v in values for k in self.vocabulary.data_below.get(v, (v,))}
        if fact.kind == "purpose":
            return {k for v in values for k in self.vocabulary.purposes_below.get(v, (v,))}
        wanted = set(values)
        return {code for code, within in self.vocabulary.within.items() if wanted & set(within)}

    def atom(self, condition: ir.Condition, negated: bool = False) -> tuple[str, Requirement] | None:
        """The requirement of one conjunct, or None when it says nothing simple."""
        if isinstance(condition, ir.Defined):
            return self.atom(condition.condition, negated)
        if isinstance(condition, ir.Not):
            return self.atom(condition.operand, not negated)
        if isinstance(condition, ir.Truth):
            return condition.fact.path, Requirement(truth=not negated)
        if isinstance(condition, ir.Known):
            return condition.fact.path, Requirement(known=condition.known != negated)
        if isinstance(condition, ir.OneOf):
            values: set[object] = set(condition.values)
            return condition.fact.path, (Requirement(excluded=values) if negated else Requirement(allowed=values))
        if isinstance(condition, ir.Within):
            values = self.expand(condition.fact, condition.values)
            return condition.fact.path, (Requirement(excluded=values) if negated else Requirement(allowed=values))
        if isinstance(condition, ir.Compare) and condition.fact.kind in ("integer", "date"):
            low, high = self._range(condition.value)
            op: str = condition.op
            if negated:
                op = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "=": "!=", "!=": "="}[op]
            requirement = Requirement()
            if op in ("<", "<=") and high is not None:
                requirement.high = high - (op == "<")
            elif op in (">", ">=") and low is not None:
                requirement.low = low + (op == ">")
            elif op == "=" and low is not None and high is not None:
                requirement.low, requirement.high = low, high
            else:
                return None
            return condition.fact.path, requirement
        return None

    def conjuncts(self, condition: ir.Condition | None) -> list[ir.Condition]:
        if condition is None:
            return []
        if isinstance(condition, ir.Defined):
            return self.conjuncts(condition.condition)
        if isinstance(condition, ir.Not) and isinstance(condition.operand, ir.Defined):
            return self.conjuncts(ir.Not(operand=condition.operand.condition))
        if isinstance(condition, ir.And):
            return [c for operand in condition.operands for c in self.conjuncts(operand)]
        if isinstance(condition, ir.Not) and isinstance(condition.operand, ir.Or):
            return [c for operand in condition.operand.operands for c in self.conjuncts(ir.Not(operand=operand))]
        return [condition]

    def requirements(self, node: ir.Node) -> dict[str, Requirement]:
        """What a node's own scope and condition require of each fact."""
        found: dict[str, Requirement] = {}
        if node.data is not None:
            data = self.expand(ir.FactRef(path="data", kind="data", nullable=False), node.data)
            found["data"] = Requirement(allowed=data)
        if node.purposes is not None:
            purposes = self.expand(ir.FactRef(path="purpose", kind="purpose", nullable=False), node.purposes)
            found["purpose"] = Requirement(allowed=purposes)
        for conjunct in self.conjuncts(node.condition):
            atom = self.atom(conjunct)
            if atom is not None:
                found.setdefault(atom[0], Requirement()).narrow(atom[1])
        return found


def merge(*groups: Mapping[str, Requirement]) -> dict[str, Requirement]:
    merged: dict[str, Requirement] = {}
    for group in groups:
        for path, requirement in group.items():
            merged.setdefault(path, Requirement()).narrow(requirement)
    return merged


def impossible_facts(requirements: Mapping[str, Requirement]) -> list[str]:
    return sorted(path for path, requirement in requirements.items() if requirement.impossible)
