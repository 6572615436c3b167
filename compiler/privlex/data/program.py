"""A package's checked program (its `_program.json`), prepared once for the columnar evaluator.

Generated checkers may import only the standard library, the runtime and
pydantic, so the vectorised evaluator lives in `privlex.data` and works from
the program the package carries (`privlex.ir.load_program`). This module
numbers its deciding nodes and conditional obligations, builds each node's
scope as one condition, and keeps what stays true across batches (a value's
truth under a condition); `conditions` evaluates conditions over a batch's
columns and `deciding` settles the outcomes.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import ir

_EPOCH = datetime.date(1970, 1, 1)
PERMIT, DENY, NOT_APPLICABLE, INVALID = range(4)
_TRUTHS_LIMIT = 1 << 18
_TABLES_LIMIT = 1 << 14


def days(value: datetime.date) -> int:
    return (value - _EPOCH).days


def number(value: Any) -> int:
    """A parameter's or a literal's value as the integer it is compared as (dates in days)."""
    return days(value) if isinstance(value, datetime.date) else int(value)


def _scope(node: ir.Node) -> ir.Condition | None:
    """A node's data and purpose scope, its dates and its condition, as one condition."""
    parts: list[ir.Condition] = []
    if node.data is not None:
        parts.append(ir.Within(fact=ir.FactRef(path="data", kind="data", nullable=False), values=node.data))
    if node.purposes is not None:
        parts.append(ir.Within(fact=ir.FactRef(path="purpose", kind="purpose", nullable=False), values=node.purposes))
    date = ir.FactRef(path="date", kind="date", nullable=False)
    if node.start is not None:
        parts.append(ir.Compare(fact=date, op=">=", value=node.start))
    if node.end is not None:
        parts.append(ir.Compare(fact=date, op="<=", value=node.end))
    if node.condition is not None:
        parts.append(node.condition)
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else ir.And(operands=tuple(parts))


class Program:
    """A package's program, prepared once: node numbering, obligations, parameter tables."""

    def __init__(self, program: ir.Program, within: Any) -> None:
        self.program = program
        self.within = within
        vocabulary = program.vocabulary
        self.below = {"data": vocabulary.data_below, "purpose": vocabulary.purposes_below}
        self.rulesets = sorted(program.rulesets, key=lambda r: r.id)
        # every deciding node, numbered: (ruleset, node, path from the top node down to it)
        self.nodes: list[tuple[ir.Ruleset, ir.Node, tuple[ir.Node, ...]]] = []
        for ruleset in self.rulesets:
            for node, parents in ruleset.walk():
                self.nodes.append((ruleset, node, (*parents, node)))
        self.number = {(r.id, node.id): i for i, (r, node, _) in enumerate(self.nodes)}
        # every conditional ruleset obligation, numbered: it comes with a row's permit where it holds
        self.duties = [(r, o) for r in self.rulesets for o in r.obligations if o.condition is not None]
        self.parameters = {(r.id, p.name): p for r in self.rulesets for p in r.parameters}
        self._expanded: dict[tuple[str, tuple[str, ...]], frozenset[str]] = {}
        # A node's scope as one condition, built once: the IR objects live as long as the program,
        # so the memo keys of `Batch.condition` (remembered per object) are computed once too.
        self._scopes: dict[int, ir.Condition | None] = {}
        # (condition key, value) -> (is true, is false): a value decides a condition the same way in
        # every batch, so each distinct value is decided once per process, not once per batch.
        self.truths: dict[tuple[str, type, Any], tuple[bool, bool]] = {}
        # (condition key, a column's distinct values) -> the condition's tables over them: every batch
        # of a file has the same few values per column, so its tables are built once, not per batch.
        self._tables: dict[tuple[str, int], tuple[np.ndarray, np.ndarray | None]] = {}
        self._signatures: dict[tuple[tuple[type, Any], ...], int] = {}
        self._signature_of: dict[int, tuple[list[Any], int | None]] = {}  # by id(values), values kept alive

    def expanded(self, kind: str, values: tuple[str, ...]) -> frozenset[str]:
        found = self._expanded.get((kind, values))
        if found is None:
            below = self.below[kind]
            found = self._expanded[(kind, values)] = frozenset(k for v in values for k in below.get(v, (v,)))
        return found

    def scope(self, node: ir.Node) -> ir.Condition | None:
        key = id(node)
        if key not in self._scopes:
            self._scopes[key] = _scope(node)
        return self._scopes[key]

    def signature(self, values: list[Any]) -> int | None:
        """A number for a column's distinct values (the same values, the same number); None if unhashable.
        The columns of one batch share their `values` list, so its content is hashed once per batch."""
        found = self._signature_of.get(id(values))
        if found is not None and found[0] is values:
            return found[1]
        try:
            content = tuple((type(value), value) for value in values)
            signature = self._signatures.setdefault(content, len(self._signatures))
        except TypeError:
            signature = None
        if len(self._signature_of) > 1 << 10:
            self._signature_of.clear()
        self._signature_of[id(values)] = (values, signature)
        return signature

    def table(
        self, key: str, values: list[Any], decide: Callable[[Any], tuple[bool, bool]]
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Per value, whether the condition `key` names is true, and is false (None: wherever not true)."""
        signature = self.signature(values)
        found = None if signature is None else self._tables.get((key, signature))
        if found is not None:
            return found
        if len(self.truths) > _TRUTHS_LIMIT:
            self.truths.clear()
        pairs = []
        for value in values:
            slot = (key, type(value), value)
            pair = self.truths.get(slot)
            if pair is None:
                pair = self.truths[slot] = decide(value)
            pairs.append(pair)
        true = np.array([t for t, _ in pairs], np.bool_)
        false = None if all(t != f for t, f in pairs) else np.array([f for _, f in pairs], np.bool_)
        if signature is not None:
            if len(self._tables) > _TABLES_LIMIT or len(self._signatures) > _TABLES_LIMIT:
                self._tables.clear()
                self._signatures.clear()
                self._signature_of.clear()
            self._tables[(key, signature)] = (true, false)
        return true, false
