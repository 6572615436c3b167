"""Between points of the space and uses: a solver's model as a use `check` takes, and back.

A fresh subdivision (`DK-*`) becomes a concrete undeclared code (`DK-ZZZ`) that
validation accepts and places inside its country, as it does any subdivision
it does not know.
"""

from __future__ import annotations

import datetime
import shlex
from collections.abc import Mapping
from typing import Any

import z3

from .space import Space, Term, Var, is_fresh

_SPARE = ("ZZZ", "ZZY", "ZZX", "ZZ9", "Z99")


def concrete_region(code: str, declared: Mapping[str, object]) -> str:
    """A code validation accepts for a point's region: a fresh subdivision gets an unused name."""
    if not is_fresh(code):
        return code
    country = code.split("-", 1)[0]
    return next(f"{country}-{tail}" for tail in _SPARE if f"{country}-{tail}" not in declared)


def _value(model: Any, term: Term) -> Any:
    return model.eval(term, model_completion=True)


def point(space: Space, model: Any) -> dict[str, Any]:
    """The model's value for every dimension: None for an unknown fact, dates as dates."""
    values: dict[str, Any] = {}
    for var in space.dimensions():
        if var.known is not None and not z3.is_true(_value(model, var.known)):
            values[var.path] = None
            continue
        raw = _value(model, var.value)
        if var.kind == "boolean":
            values[var.path] = z3.is_true(raw)
        elif var.finite:
            values[var.path] = var.domain[raw.as_long()]
        elif var.kind == "date":
            values[var.path] = datetime.date.fromordinal(raw.as_long())
        else:
            values[var.path] = raw.as_long()
    return values


def use_of(space: Space, values: Mapping[str, Any]) -> dict[str, Any]:
    """A point as a use `check` takes: nested groups, absent facts left out, false booleans omitted."""
    declared = space.programs[-1].vocabulary.within
    use: dict[str, Any] = {}
    for var in space.dimensions():
        value = values.get(var.path)
        if value is None or value is False:
            continue
        if var.default is not None and value == var.default:
            continue
        if var.kind == "region":
            value = concrete_region(str(value), declared)
        if isinstance(value, datetime.date):
            value = value.isoformat()
        group, dot, name = var.path.rpartition(".")
        if group:
            use.setdefault(group, {})[name] = value
        else:
            use[name] = value
    return use


def decide_flags(use: Mapping[str, Any]) -> str:
    """The `privlex decide` command line that decides the use."""
    parts = ["privlex", "decide"]
    for name in ("region", "data", "purpose", "date"):
        if name in use:
            parts += [f"--{name}", str(use[name])]
    for key, value in use.items():
        if key in ("region", "data", "purpose", "date"):
            continue
        inner: list[tuple[str, Any]] = list(value.items()) if isinstance(value, Mapping) else [("", value)]
        for name, item in inner:
            path = f"{key}.{name}" if name else key
            shown = "true" if item is True else str(item)
            parts += ["--set", f"{path}={shown}"]
    return " ".join(shlex.quote(p) for p in parts)


def assignment(space: Space, valid: Any, day: datetime.date) -> list[Term]:
    """Equalities fixing every dimension to a validated use's values (a generated DataUse)."""
    fixed: list[Term] = []
    for var in space.dimensions():
        if var.path == "date":
            fixed.append(var.value == day.toordinal())
            continue
        holder: Any = valid
        for part in var.path.split(".")[:-1]:
            holder = getattr(holder, part)
        value = getattr(holder, var.path.split(".")[-1])
        fixed += _fix(space, var, value)
    return fixed


def _fix(space: Space, var: Var, value: Any) -> list[Term]:
    if value is None:
        assert var.known is not None, f"{var.path} cannot be unknown"
        return [z3.Not(var.known)]
    known = [var.known] if var.known is not None else []
    if var.kind == "boolean":
        return [var.value == z3.BoolVal(bool(value))]
    if var.finite:
        code = str(value)
        if var.kind == "region" and code not in var.domain:
            code = code.split("-", 1)[0] + "-*"
        return [*known, var.value == var.index(code)]
    if isinstance(value, datetime.date):
        return [*known, var.value == value.toordinal()]
    return [*known, var.value == int(value)]
