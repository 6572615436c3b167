"""Cubes in the reader's words: `DK · content.* · subject.age 13–14 · from 2024-01-01`.

Sets of regions are named by the countries and groups they make up ("EEA
except DK"), sets of keys by the subtrees they fill ("content.*"), ranges
by their ends, and dates that reach the edge of the window go unsaid.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from .. import ir
from .cubes import Cube, Literal
from .space import WINDOW, Space, is_fresh

SEPARATOR = " · "
_EXCEPT_LIMIT = 3  # "G except A, B, C" at most


def _date(number: int) -> str:
    return datetime.date.fromordinal(number).isoformat()


def _region_units(space: Space, values: frozenset[str]) -> list[str]:
    """Countries whose every place is in the set, then the remaining codes, in code order."""
    domain = space.vars["region"].domain
    units: list[tuple[str, str]] = []
    covered: set[str] = set()
    by_country: dict[str, list[str]] = {}
    for code in domain:
        by_country.setdefault(code.split("-", 1)[0], []).append(code)
    for country, codes in by_country.items():
        if all(c in values for c in codes):
            units.append((country, country))
            covered.update(codes)
    for code in values - covered:
        units.append((code, code.replace("-*", " (other subdivisions)") if is_fresh(code) else code))
    return [text for _, text in sorted(units)]


def describe_regions(space: Space, vocabulary: ir.Vocabulary, values: frozenset[str]) -> str:
    domain = frozenset(space.vars["region"].domain)
    if values >= domain:
        return ""
    places = space.places[-1]
    options: list[tuple[int, str]] = []
    units = _region_units(space, values)
    options.append((len(units), ", ".join(units)))
    rest = _region_units(space, domain - values)
    if len(rest) <= _EXCEPT_LIMIT:
        options.append((len(rest) + 1, "any region except " + ", ".join(rest)))
    for group in (r.code for r in vocabulary.regions if r.kind == "group"):
        members = frozenset(code for code in domain if group in places[code])
        if not values <= members or not members:
            continue
        missing = _region_units(space, members - values)
        if not missing:
            options.append((1, group))
        elif len(missing) <= _EXCEPT_LIMIT:
            options.append((len(missing) + 1, f"{group} except {', '.join(missing)}"))
    return min(options, key=lambda item: (item[0], len(item[1])))[1]


def _subtrees(keys: Sequence[ir.Key], values: frozenset[str], domain: frozenset[str]) -> list[str]:
    below: dict[str, set[str]] = {k.key: set() for k in keys}
    for key in keys:
        for other in keys:
            if other.key == key.key or other.key.startswith(key.key + "."):
                if other.key in domain:
                    below[key.key].add(other.key)
    full = {k for k, inside in below.items() if inside and inside <= values}
    tops = sorted(k for k in full if not any(k.startswith(o + ".") for o in full))
    covered = set().union(*(below[t] for t in tops)) if tops else set()
    shown = [f"{t}.*" if below[t] != {t} else t for t in tops]
    return shown + sorted(values - covered)


def describe_keys(space: Space, keys: Sequence[ir.Key], path: str, values: frozenset[str]) -> str:
    domain = frozenset(space.vars[path].domain)
    if values >= domain:
        return ""
    inside = _subtrees(keys, values, domain)
    outside = _subtrees(keys, domain - values, domain)
    if len(outside) < len(inside):
        return "not " + ", ".join(outside) if len(outside) == 1 else "not " + "{" + ", ".join(outside) + "}"
    return ", ".join(inside)


def describe_literal(space: Space, vocabulary: ir.Vocabulary, literal: Literal) -> str:
    var = literal.var
    path = var.path
    if var.kind == "boolean":
        return path if literal.truth else f"not {path}"
    if not literal.known:
        return f"{path} unknown"
    if var.kind == "region" and path == "region":
        text = describe_regions(space, vocabulary, literal.values)
    elif var.kind == "region":
        text = describe_regions(space, vocabulary, literal.values)
        text = f"{path} {text}" if text else f"{path} known"
    elif var.kind in ("data", "purpose"):
        text = describe_keys(
            space, vocabulary.data if var.kind == "data" else vocabulary.purposes, path, literal.values
        )
    elif var.finite:
        text = _choices(var.path, var.domain, literal.values)
    elif var.kind == "date":
        text = _dates(path, literal.low, literal.high, var.low, var.high)
    else:
        text = _numbers(path, literal.low, literal.high, var.low, var.high)
    if literal.unknown:
        text = f"{text} or unknown" if text else f"{path} any or unknown"
    return text


def _choices(path: str, domain: Sequence[str], values: frozenset[str]) -> str:
    if values >= frozenset(domain):
        return f"{path} known"
    if len(values) == 1:
        return f"{path} {next(iter(values))}"
    outside = sorted(set(domain) - values)
    if len(outside) == 1:
        return f"{path} not {outside[0]}"
    return f"{path} in {{{', '.join(sorted(values))}}}"


def _numbers(path: str, low: int, high: int, lowest: int, highest: int) -> str:
    if low == high:
        return f"{path} {low}"
    if low <= lowest and high >= highest:
        return f"{path} known"
    if low <= lowest:
        return f"{path} ≤ {high}"
    if high >= highest:
        return f"{path} ≥ {low}"
    return f"{path} {low}–{high}"


def _dates(path: str, low: int, high: int, lowest: int, highest: int) -> str:
    prefix = "" if path == "date" else f"{path} "
    if low == high:
        return f"{prefix}on {_date(low)}"
    if low <= lowest and high >= highest:
        return "" if path == "date" else f"{path} known"
    if low <= lowest:
        return f"{prefix}until {_date(high)}"
    if high >= highest:
        return f"{prefix}from {_date(low)}"
    return f"{prefix}{_date(low)} to {_date(high)}"


_GROUPS = {"": 0, "subject": 1, "consent": 2, "processing": 3}


def _order(literal: Literal) -> tuple[int, int, str]:
    """Region, data, purpose first; then top-level facts, the person, consent, processing; the date last."""
    path = literal.var.path
    first = {"region": 0, "data": 1, "purpose": 2, "date": 9}
    if path in first:
        return first[path], 0, path
    group = path.rpartition(".")[0]
    return 3, _GROUPS.get(group, 4), path


def describe_cube(space: Space, vocabulary: ir.Vocabulary, cube: Cube) -> str:
    parts = [describe_literal(space, vocabulary, lit) for lit in sorted(cube.literals, key=_order)]
    shown = [p for p in parts if p]
    return SEPARATOR.join(shown) if shown else "every use"


def window() -> str:
    return f"{WINDOW[0].isoformat()} to {WINDOW[1].isoformat()}"
