"""Conditions and values in the words of a rule file: the text of a condition, and why it has its value."""

from __future__ import annotations

import datetime
from typing import Any

from .. import ir
from .evaluate import Trace, Value


def value_text(value: Any) -> str:
    """A fact's value as a rule file writes it; `not given` for an unknown one."""
    if value is None:
        return "not given"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def truth_text(value: Value) -> str:
    return "unknown" if value is None else "true" if value else "false"


def _scalar(value: ir.Scalar | ir.ParamRef) -> str:
    return value.name if isinstance(value, ir.ParamRef) else value_text(value)


def _set(values: tuple[Any, ...]) -> str:
    shown = [_scalar(v) for v in values]
    return shown[0] if len(shown) == 1 else "{" + ", ".join(shown) + "}"


def condition_text(condition: ir.Condition, outer: str = "") -> str:
    """The condition as it could be written in a rule file (definitions by their names)."""
    if isinstance(condition, ir.Defined):
        return condition.name
    if isinstance(condition, ir.Not):
        inner = condition.operand
        if isinstance(inner, ir.OneOf) and len(inner.values) == 1:
            return f"{inner.fact.path} is not {_scalar(inner.values[0])}"
        if isinstance(inner, ir.OneOf | ir.Within):
            return f"{inner.fact.path} not in {_set(inner.values)}"
        if isinstance(inner, ir.Known):
            return condition_text(ir.Known(fact=inner.fact, known=not inner.known))
        return f"not {condition_text(inner, 'not')}"
    if isinstance(condition, ir.And | ir.Or):
        joiner = "and" if isinstance(condition, ir.And) else "or"
        text = f" {joiner} ".join(condition_text(part, joiner) for part in condition.operands)
        return f"({text})" if outer and outer != joiner else text
    path = condition.fact.path
    if isinstance(condition, ir.Truth):
        return path
    if isinstance(condition, ir.Known):
        return f"{path} is {'known' if condition.known else 'unknown'}"
    if isinstance(condition, ir.Compare):
        return f"{path} {condition.op} {_scalar(condition.value)}"
    if isinstance(condition, ir.OneOf):
        if len(condition.values) == 1:
            return f"{path} is {_scalar(condition.values[0])}"
        return f"{path} in {_set(condition.values)}"
    return f"{path} in {_set(condition.values)}"


def decisive(trace: Trace) -> list[Trace]:
    """The atoms (facts and definitions) that give a condition its value: the reason, not the whole reading."""
    condition = trace.condition
    if isinstance(condition, ir.Not):
        return decisive(trace.parts[0])
    if isinstance(condition, ir.And | ir.Or):
        settling = trace.value is (isinstance(condition, ir.Or))  # true for or, false for and
        if trace.value is None:
            chosen = [p for p in trace.parts if p.value is None]
        elif settling:
            chosen = [p for p in trace.parts if p.value is trace.value]
        else:
            chosen = trace.parts
        return [atom for part in chosen for atom in decisive(part)]
    return [trace]


def atom_text(trace: Trace) -> str:
    """What one atom found: `consent.bundled is true`, `subject.age is 12 (consent_age is 16 here)`."""
    if isinstance(trace.condition, ir.Defined):
        return f"{trace.condition.name} is {truth_text(trace.value)}"
    if trace.fact is None:  # pragma: no cover - every other atom reads a fact
        return condition_text(trace.condition)
    path, value = trace.fact
    text = f"{path} is {value_text(value)}"
    if trace.parameter is not None:
        text += f" ({trace.parameter[0]} is {value_text(trace.parameter[1])} here)"
    return text


def because(trace: Trace) -> list[str]:
    """The decisive atoms as text, each once, in the order they are written."""
    return list(dict.fromkeys(atom_text(atom) for atom in decisive(trace)))


def facts_read(trace: Trace) -> dict[str, Any]:
    """Every fact the condition read (through definitions too), with its value, in the order written."""
    found: dict[str, Any] = {}

    def visit(node: Trace) -> None:
        if node.fact is not None:
            found.setdefault(node.fact[0], node.fact[1])
        for part in node.parts:
            visit(part)

    visit(trace)
    return found


def definitions_used(trace: Trace) -> list[Trace]:
    """The definitions a condition uses, outermost first, each once."""
    found: dict[str, Trace] = {}

    def visit(node: Trace) -> None:
        if isinstance(node.condition, ir.Defined):
            found.setdefault(node.condition.name, node)
        for part in node.parts:
            visit(part)

    visit(trace)
    return list(found.values())
