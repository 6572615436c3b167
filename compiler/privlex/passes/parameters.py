"""Region parameters: each covered region's value over time, proved complete and unambiguous."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from .. import ir
from ..syntax import nodes as n
from .hierarchy import above
from .typecheck import Typer, one_clause, parse_date

FIRST_DAY = datetime.date.min
LAST_DAY = datetime.date.max


@dataclass(frozen=True)
class _Entry:
    region: str
    start: datetime.date
    end: datetime.date
    value: ir.Scalar
    line: n.ParamValue


def _containers(vocabulary: ir.Vocabulary) -> dict[str, set[str]]:
    """Every region, group or not -> itself and all regions containing it."""
    parents: dict[str, set[str]] = {r.code: set() for r in vocabulary.regions}
    for region in vocabulary.regions:
        for member in region.members:
            parents.setdefault(member, set()).add(region.code)
        if region.kind == "subdivision":
            parents[region.code].add(region.code.split("-")[0])
    return {code: set(above(code, parents)) for code in parents}


def _covered(
    vocabulary: ir.Vocabulary, covers: Sequence[str], entries: Sequence[_Entry], containers: dict[str, set[str]]
) -> dict[str, set[str]]:
    """Each covered country and subdivision -> the regions its value may come from (itself included).

    Undeclared subdivisions `CC-XXX` named in `covers` or given a value count too: they lie
    inside their country, and the runtime looks them up before falling back to it.
    """
    chains = {
        code: containers.get(code, {code})
        for code, within in vocabulary.within.items()
        if any(c in within for c in covers)
    }
    declared = {region.code for region in vocabulary.regions}
    for code in (*covers, *(entry.region for entry in entries)):
        country = code.split("-")[0]
        if code not in declared and "-" in code and country in declared:
            chain = {code} | containers.get(country, {country})
            if any(c in chain for c in covers):
                chains[code] = chain
    return chains


def _value(parameter: n.Parameter, line: n.ParamValue, typer: Typer) -> ir.Scalar | None:
    value = line.value
    if parameter.type == "integer" and isinstance(value, n.IntValue):
        return value.value
    if parameter.type == "boolean" and isinstance(value, n.BoolValue):
        return value.value
    if parameter.type == "date" and isinstance(value, n.DateValue):
        return parse_date(value, typer.diagnostics)
    typer.report("E301", f"parameter {parameter.name.text} holds {parameter.type} values", value.span)
    return None


def _entries(parameter: n.Parameter, typer: Typer) -> list[_Entry]:
    entries: list[_Entry] = []
    for line in parameter.values:
        region = typer.region(line.region.text, line.region.span)
        value = _value(parameter, line, typer)
        owner = f"the value for {line.region.text}"
        one_clause(line.starts, "`from` date", owner, (d.span for d in line.starts), typer.diagnostics)
        one_clause(line.ends, "`until` date", owner, (d.span for d in line.ends), typer.diagnostics)
        start = parse_date(line.starts[0], typer.diagnostics) if line.starts else FIRST_DAY
        end = parse_date(line.ends[0], typer.diagnostics) if line.ends else LAST_DAY
        if region is None or value is None or start is None or end is None:
            continue
        if start > end:
            typer.report("E407", f"the value for {region} starts on {start} but ends earlier, on {end}", line.span)
            continue
        entries.append(_Entry(region, start, end, value, line))
    by_region: dict[str, list[_Entry]] = {}
    for entry in entries:
        by_region.setdefault(entry.region, []).append(entry)
    for same in by_region.values():
        same.sort(key=lambda e: e.start)
        for before, after in zip(same, same[1:], strict=False):
            if after.start <= before.end:
                when = f" from {after.start}" if after.start > FIRST_DAY else ""
                fix = (
                    f"end the earlier value with `until {after.start - datetime.timedelta(days=1)}`"
                    if after.start > before.start
                    else "remove one of them, or date them with `from` and `until`"
                )
                typer.report(
                    "E406",
                    f"parameter {parameter.name.text} has two values for {after.region}{when}: "
                    f"this one and the one on line {before.line.span.line}",
                    after.line.span,
                    help=fix,
                )
    return entries


def _cuts(
    entries: Sequence[_Entry], start: datetime.date, end: datetime.date
) -> list[tuple[datetime.date, datetime.date]]:
    points = {start}
    for entry in entries:
        for point in (entry.start, entry.end + datetime.timedelta(days=1) if entry.end < LAST_DAY else None):
            if point is not None and start < point <= end:
                points.add(point)
    ordered = sorted(points)
    pieces = []
    for index, begin in enumerate(ordered):
        stop = ordered[index + 1] - datetime.timedelta(days=1) if index + 1 < len(ordered) else end
        pieces.append((begin, stop))
    return pieces


def _period(code: str, begin: datetime.date, stop: datetime.date, in_force: tuple[datetime.date, datetime.date]) -> str:
    """A region and the days it lacks a value, in words; the ruleset's own dates go unsaid."""
    if begin <= in_force[0] and stop >= in_force[1]:
        return code
    if begin <= in_force[0]:
        return f"{code} until {stop}"
    if stop >= in_force[1]:
        return f"{code} from {begin}"
    return f"{code} from {begin} until {stop}"


def _count(number: int) -> str:
    return {2: "two", 3: "three", 4: "four"}.get(number, str(number))


def resolve_parameter(
    parameter: n.Parameter,
    typer: Typer,
    covers: Sequence[str],
    start: datetime.date | None,
    end: datetime.date | None,
) -> ir.Parameter | None:
    """Each covered country and subdivision's timeline of values for the parameter."""
    entries = _entries(parameter, typer)
    containers = _containers(typer.vocabulary)
    in_force = (start or FIRST_DAY, end or LAST_DAY)
    chains = _covered(typer.vocabulary, covers, entries, containers)
    containers = {**containers, **chains}
    covered = sorted(chains)
    timeline: dict[str, tuple[tuple[datetime.date, datetime.date, ir.Scalar], ...]] = {}
    gaps: list[tuple[str, datetime.date, datetime.date]] = []
    reported_ambiguity = False
    for code in covered:
        chain = chains[code]
        relevant = [e for e in entries if e.region in chain]
        pieces: list[tuple[datetime.date, datetime.date, ir.Scalar]] = []
        for begin, stop in _cuts(relevant, *in_force):
            active = [e for e in relevant if e.start <= begin and stop <= e.end]
            specific = [
                e
                for e in active
                if not any(o.region != e.region and e.region in containers.get(o.region, set()) for o in active)
            ]
            regions = sorted({e.region for e in specific})
            if not regions:
                if gaps and gaps[-1][0] == code and gaps[-1][2] + datetime.timedelta(days=1) == begin:
                    gaps[-1] = (code, gaps[-1][1], stop)
                else:
                    gaps.append((code, begin, stop))
                continue
            if len(regions) > 1:
                if not reported_ambiguity:
                    typer.report(
                        "E406",
                        f"parameter {parameter.name.text} has {_count(len(regions))} values for "
                        f"{code}, from {' and from '.join(regions)}, and neither region lies inside "
                        "the other",
                        parameter.name.span,
                        help=f"give {code} its own value",
                    )
                    reported_ambiguity = True
                continue
            value = specific[0].value
            if pieces and pieces[-1][2] == value and pieces[-1][1] + datetime.timedelta(days=1) == begin:
                pieces[-1] = (pieces[-1][0], stop, value)
            else:
                pieces.append((begin, stop, value))
        timeline[code] = tuple(pieces)
    missing = [_period(code, begin, stop, in_force) for code, begin, stop in gaps]
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        them = "them" if len(missing) > 1 else "it"
        typer.report(
            "E405",
            f"parameter {parameter.name.text} has no value for {shown}",
            parameter.name.span,
            help=f"give {them} a value, or give one to a region that contains {them}, such as the whole "
            "area the ruleset covers",
        )
    citations = tuple(text for clause in parameter.citations for text in clause.texts)
    return ir.Parameter(
        name=parameter.name.text,
        title=parameter.title,
        kind=parameter.type,
        citations=citations,
        span=parameter.name.span,
        notes=parameter.notes,
        timeline=timeline,
    )
