"""Columnar validation: each fact column's distinct values validated once, with `check`'s own validators.

A batch's fact columns are dictionary-encoded (`encode`): per row a code, per
code one distinct value. Each distinct value is validated once, by the
generated `DataUse` itself (a probe: a use that is valid but for that one
fact), and the answer is cached for the process: the normalised value, or
the `Problem` with its message and did-you-mean suggestion. What the probes
cannot see is done with column expressions, in `check`'s order:

1. implications and contradictions (`DataUse.IMPLIES`, `DataUse.EXCLUDES`),
   on the raw values, before anything else, exactly as the runtime applies
   them: an implied fact is set to true, whatever it held;
2. every fact's problem, in the order pydantic reports them (the model's
   field order, a group's facts at the group's place), joined by "; ".

So a row is invalid exactly when `check` would raise InvalidUse for its use,
with the same message and field.
"""

from __future__ import annotations

import datetime
import types
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import BaseModel

from ..runtime import InvalidUse, Problem, implication_closure
from .encode import combine
from .lookup import narrow, spread

_CACHE_LIMIT = 1 << 18
_PROBES: dict[Any, tuple[Any, Problem | None]] = {}


@dataclass(frozen=True)
class Spec:
    """One fact of a package's `DataUse`: where it sits, its kind and its default."""

    path: str
    kind: str  # "boolean" | "integer" | "date" | "text"
    default: Any
    order: int  # its place in pydantic's error order
    minimum: int | None = None
    maximum: int | None = None


def _kind(annotation: Any) -> str:
    from .facts import _kind as kind_of

    return kind_of(annotation)


def _bounds(info: Any) -> tuple[int | None, int | None]:
    low = high = None
    for item in info.metadata:
        low = getattr(item, "ge", low)
        high = getattr(item, "le", high)
    return low, high


class Facts:
    """The facts of one generated package, in pydantic's order, and a valid base use for probes."""

    def __init__(self, package: types.ModuleType) -> None:
        self.package = package
        self.model: type[BaseModel] = package.DataUse
        specs: list[Spec] = []
        for name, info in self.model.model_fields.items():
            annotation = info.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                for inner, inner_info in annotation.model_fields.items():
                    low, high = _bounds(inner_info)
                    default = None if inner_info.is_required() else inner_info.default
                    specs.append(Spec(f"{name}.{inner}", _kind(inner_info.annotation), default, len(specs), low, high))
            else:
                low, high = _bounds(info)
                default = None if info.is_required() else info.default
                specs.append(Spec(name, _kind(annotation), default, len(specs), low, high))
        self.specs = {spec.path: spec for spec in specs}
        self.implies: tuple[tuple[str, str], ...] = tuple(getattr(self.model, "IMPLIES", ()))
        self.excludes: tuple[tuple[str, str], ...] = tuple(getattr(self.model, "EXCLUDES", ()))
        vocabulary = package.VOCABULARY
        self.base = {
            "region": min(vocabulary.within),
            "data": min(vocabulary.data),
            "purpose": min(vocabulary.purposes),
        }

    def probe(self, path: str, value: Any) -> tuple[Any, Problem | None]:
        """The value of fact `path` after validation, or the problem `check` reports for it."""
        spec = self.specs[path]
        kind = type(value)
        # What strict validation accepts as it is: no need to ask the model.
        if kind is bool and spec.kind == "boolean":
            return value, None
        if kind is datetime.date and spec.kind == "date":
            return value, None
        if (
            kind is int
            and spec.kind == "integer"
            and (spec.minimum is None or value >= spec.minimum)
            and (spec.maximum is None or value <= spec.maximum)
        ):
            return value, None
        try:
            key = (self.model, path, kind, value)
            found = _PROBES.get(key)
        except TypeError:  # unhashable: asked every time
            return self._ask(path, value)
        if found is None:
            found = self._ask(path, value)
            if len(_PROBES) >= _CACHE_LIMIT:
                _PROBES.clear()
            _PROBES[key] = found
        return found

    def _ask(self, path: str, value: Any) -> tuple[Any, Problem | None]:
        use: dict[str, Any] = dict(self.base)
        group, dot, name = path.partition(".")
        if dot:
            use[group] = {name: value}
        else:
            use[path] = value
        try:
            valid = self.model.from_input(use)  # type: ignore[attr-defined]
        except InvalidUse as error:
            mine = [p for p in error.problems if p.path == path] or error.problems
            return None, mine[0]
        holder = getattr(valid, group) if dot else valid
        return getattr(holder, name if dot else path), None


@dataclass
class Column:
    """One fact over the rows of a batch: per row a code into its distinct values, validated."""

    spec: Spec
    codes: np.ndarray | None  # per row; None: every row has entry 0
    entries: list[Any]  # the distinct raw values
    values: list[Any]  # each entry after validation (None where it is invalid)
    problems: list[Problem | None]  # each entry's problem
    base: int | None = None  # integers and dates coded by arithmetic: the number of code 0

    def rows(self, per_entry: np.ndarray, count: int) -> np.ndarray:
        """Per row, the value of `per_entry` for its entry."""
        if self.codes is None:
            return np.full(count, per_entry[0], dtype=per_entry.dtype)
        return spread(self.codes, per_entry)


def column(facts: Facts, path: str, codes: np.ndarray | None, entries: list[Any], base: int | None = None) -> Column:
    """Validate the distinct values of one fact."""
    spec = facts.specs[path]
    if codes is not None:
        codes = narrow(codes, len(entries))
    values: list[Any] = []
    problems: list[Problem | None] = []
    if base is not None and spec.kind in ("integer", "date") and len(entries) > 2:
        # integers or dates coded by arithmetic: valid but where an integer is out of bounds
        low, high = base, base + len(entries) - 2
        if spec.kind == "date" or (
            (spec.minimum is None or low >= spec.minimum) and (spec.maximum is None or high <= spec.maximum)
        ):
            value, problem = facts.probe(path, None)
            kind_ok = spec.kind == "date" or type(entries[0]) is int
            if kind_ok:
                bulk: list[Problem | None] = [None] * (len(entries) - 1)
                return Column(spec, codes, entries, [*entries[:-1], value], [*bulk, problem], base)
    for entry in entries:
        value, problem = facts.probe(path, entry)
        values.append(value)
        problems.append(problem)
    return Column(spec, codes, entries, values, problems, base)


@dataclass
class Validated:
    """A batch's facts after validation: the columns, and which rows are invalid and why."""

    columns: dict[str, Column]
    rows: int
    implied: dict[str, np.ndarray]  # per fact set true by an implication: the rows where it was
    invalid: np.ndarray  # per row
    errors: np.ndarray | None = None  # per row: index into `messages` (-1: valid)
    messages: list[tuple[str, str | None]] | None = None  # (error, field)


def validate(facts: Facts, columns: dict[str, Column], rows: int, explain: bool) -> Validated:
    """Implications, contradictions and every fact's problems, per row, as `check` applies them."""

    def raw(path: str, truth: bool) -> np.ndarray:
        col = columns[path]
        return col.rows(np.array([entry is truth for entry in col.entries], np.bool_), rows)

    def problems(path: str) -> np.ndarray | None:
        """The rows whose value of `path` is invalid; None when no value is (no per-row work then)."""
        col = columns[path]
        flags = np.array([problem is not None for problem in col.problems], np.bool_)
        return col.rows(flags, rows) if flags.any() else None

    true = {path: raw(path, True) for pair in (*facts.implies, *facts.excludes) for path in pair}
    false = {target: raw(target, False) for _, target in facts.implies}
    implied: dict[str, np.ndarray] = {}
    contradiction = np.full(rows, -1, np.int32)
    found: list[Problem] = []
    open_rows = np.ones(rows, np.bool_)
    for source, target in implication_closure(facts.implies):
        # As in `check`: an implication sets an absent target; a target given a value of the
        # wrong type (`0` for a boolean) stays what it is, for validation to reject.
        fire = true[source] & open_rows
        wrong = problems(target)
        if wrong is not None:
            fire &= ~wrong
        clash = fire & false[target]
        if clash.any():
            contradiction[clash] = len(found)
            found.append(Problem(target, False, f"given as false, but {source} is true and implies it"))
            open_rows &= ~clash
            fire &= ~clash
        implied[target] = implied.get(target, np.zeros(rows, np.bool_)) | fire
        true[target] = true[target] | fire
        false[target] = false[target] & ~fire
    for first, second in facts.excludes:
        clash = true[first] & true[second] & open_rows
        if clash.any():
            contradiction[clash] = len(found)
            found.append(Problem(first, True, f"contradicts {second}: both cannot be true"))
            open_rows &= ~clash
    invalid = ~open_rows
    bad_columns: list[tuple[Column, np.ndarray]] = []
    for path, col in sorted(columns.items(), key=lambda item: item[1].spec.order):
        bad = problems(path)
        if bad is None:
            continue
        if path in implied:
            bad &= ~implied[path]
        if bad.any():
            bad_columns.append((col, bad))
            invalid |= bad & open_rows
    result = Validated(columns, rows, implied, invalid)
    if explain and invalid.any():
        _explain(result, contradiction, found, bad_columns)
    return result


def _explain(
    result: Validated, contradiction: np.ndarray, found: list[Problem], bad_columns: list[tuple[Column, np.ndarray]]
) -> None:
    """The message of every invalid row, built once per distinct combination of problems."""
    where = np.flatnonzero(result.invalid)
    parts: list[tuple[np.ndarray, int]] = [(contradiction[where] + 1, len(found) + 1)]
    for col, bad in bad_columns:
        codes = col.codes[where] if col.codes is not None else np.zeros(len(where), np.int64)
        codes = np.where(bad[where], codes.astype(np.int64) + 1, 0)
        parts.append((codes, len(col.entries) + 1))
    inverse, distinct = combine(parts, len(where))
    messages: list[tuple[str, str | None]] = []
    for index in range(len(distinct[0])):
        clash = int(distinct[0][index]) - 1
        if clash >= 0:
            problems = [found[clash]]
        else:
            problems = []
            for (col, _), codes in zip(bad_columns, distinct[1:], strict=True):
                code = int(codes[index]) - 1
                problem = col.problems[code] if code >= 0 else None
                if problem is not None:
                    problems.append(problem)
        error = InvalidUse(problems)
        messages.append((str(error), error.path or None))
    errors = np.full(result.rows, -1, np.int32)
    errors[where] = inverse
    result.errors = errors
    result.messages = messages


def constant(facts: Facts, path: str, value: Any) -> Column:
    return column(facts, path, None, [value])


def absent(facts: Facts, path: str) -> Column:
    return constant(facts, path, None)
