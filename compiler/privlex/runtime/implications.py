"""Implications and exclusions between boolean facts, applied to a use's raw input."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from .problems import Problem, UseError


@cache
def implication_closure(implies: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """Every (source, target) that follows from the pairs, transitively: `a implies b`, `b implies c` gives a -> c.

    The compiler emits the closure already; closing again here keeps a
    package correct whatever produced its pairs. Sources keep their first
    order; each source's targets are listed as they are reached.
    """
    direct: dict[str, list[str]] = {}
    for source, target in implies:
        direct.setdefault(source, []).append(target)
    closed: list[tuple[str, str]] = []
    for source in direct:
        seen: set[str] = {source}
        pending = list(direct[source])
        while pending:
            target = pending.pop(0)
            if target in seen:
                continue
            seen.add(target)
            closed.append((source, target))
            pending.extend(direct.get(target, ()))
    return tuple(closed)


def apply_implications(
    data: dict[str, Any],
    implies: Iterable[tuple[str, str]],
    excludes: Iterable[tuple[str, str]],
) -> dict[str, Any]:
    """Set implied booleans (to a fixed point) and reject contradictions, on the raw nested input.

    Only a source that is exactly True implies anything, and only an absent
    target is set: a target given as False is a contradiction, and a target
    given as anything else is left for validation to reject.
    """
    merged = {**data, **{name: dict(value) for name, value in data.items() if isinstance(value, Mapping)}}

    def get(path: str) -> Any:
        group, _, name = path.rpartition(".")
        holder = merged.get(group) if group else merged
        return holder.get(name) if isinstance(holder, dict) else None

    def put(path: str) -> None:
        group, _, name = path.rpartition(".")
        if group:
            holder = merged.setdefault(group, {})
            if isinstance(holder, dict):
                holder[name] = True
        else:
            merged[name] = True

    for source, target in implication_closure(tuple(implies)):
        if get(source) is True:
            current = get(target)
            if current is False:
                raise UseError(Problem(target, False, f"given as false, but {source} is true and implies it"))
            if current is None:
                put(target)
    for first, second in excludes:
        if get(first) is True and get(second) is True:
            raise UseError(Problem(first, True, f"contradicts {second}: both cannot be true"))
    return merged
