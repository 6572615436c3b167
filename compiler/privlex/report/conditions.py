"""Conditions of the checked program, written back in the rule language."""

from __future__ import annotations

import datetime

from .. import ir


def value_text(value: object) -> str:
    if isinstance(value, ir.ParamRef):
        return value.name
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _values(values: tuple[object, ...]) -> str:
    if len(values) == 1:
        return value_text(values[0])
    return "{" + ", ".join(value_text(v) for v in values) + "}"


def _operand(condition: ir.Condition, parent: str) -> str:
    text = condition_text(condition)
    # `and` binds tighter than `or`; parentheses around an `and` inside an `or` are kept for the reader.
    needs = isinstance(condition, ir.Or | ir.And) and parent in ("and", "or", "not")
    return f"({text})" if needs else text


def condition_text(condition: ir.Condition) -> str:
    """The condition as a rule file would say it."""
    match condition:
        case ir.Truth():
            return condition.fact.path
        case ir.Compare():
            return f"{condition.fact.path} {condition.op} {value_text(condition.value)}"
        case ir.OneOf() if len(condition.values) == 1:
            return f"{condition.fact.path} is {value_text(condition.values[0])}"
        case ir.OneOf() | ir.Within():
            return f"{condition.fact.path} in {_values(tuple(condition.values))}"
        case ir.Known():
            return f"{condition.fact.path} is {'known' if condition.known else 'unknown'}"
        case ir.Not(operand=ir.OneOf(values=values) as inner) if len(values) == 1:
            return f"{inner.fact.path} is not {value_text(values[0])}"
        case ir.Not(operand=ir.OneOf() | ir.Within() as inner):
            return f"{inner.fact.path} not in {_values(tuple(inner.values))}"
        case ir.Not():
            return "not " + _operand(condition.operand, "not")
        case ir.And():
            return " and ".join(_operand(c, "and") for c in condition.operands)
        case ir.Or():
            return " or ".join(_operand(c, "or") for c in condition.operands)
        case ir.Defined():
            return condition.name
    raise TypeError(f"unknown condition {condition!r}")  # pragma: no cover - every kind is matched above
