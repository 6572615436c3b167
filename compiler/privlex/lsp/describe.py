"""What an editor shows on hover: a symbol's title, type, citations and notes, in Markdown."""

from __future__ import annotations

from .. import ir
from ..report.conditions import condition_text, value_text
from ..syntax import nodes as n
from .analysis import Analysis
from .index import Index, Symbol


def _cites(citations: tuple[str, ...] | list[str]) -> str:
    return "cites " + "; ".join(f"*{c}*" for c in citations) if citations else ""


def _notes(notes: tuple[str, ...]) -> str:
    return " ".join(notes)


def _lines(*parts: str) -> str:
    return "\n\n".join(p for p in parts if p)


def _key(analysis: Analysis, kind: str, name: str) -> str | None:
    vocabulary = analysis.vocabulary
    keys = (vocabulary.data if kind == "data" else vocabulary.purposes) if vocabulary else ()
    for key in keys:
        if key.key == name:
            label = "data category" if kind == "data" else "purpose"
            flags = " (abstract: a grouping only)" if key.abstract else ""
            parents = f"in {', '.join(key.parents)}" if key.parents else ""
            return _lines(f"**{label}** `{name}`{flags}: {key.title}", parents, _notes(key.notes))
    return None


def _fact(analysis: Analysis, name: str) -> str | None:
    facts = {f.path: f for f in analysis.vocabulary.facts} if analysis.vocabulary else {}
    fact = facts.get(name) or ir.BUILTIN_FACTS.get(name)
    if fact is None:
        return None
    kind: str = fact.kind
    if kind == "integer":
        kind = f"integer from {fact.minimum} to {fact.maximum}"
    elif kind == "enum":
        kind = "one of " + ", ".join(fact.choices)
    default = fact.default if fact.default is not None else ("false" if fact.kind == "boolean" else "unknown")
    implied = []
    if fact.implies:
        implied.append("implies " + ", ".join(fact.implies))
    if fact.excludes:
        implied.append("excludes " + ", ".join(fact.excludes))
    return _lines(
        f"**fact** `{name}`: {fact.title}",
        f"type: {kind}; when not given: {default}" + (f"; {'; '.join(implied)}" if implied else ""),
        _notes(fact.notes),
    )


def _region(analysis: Analysis, code: str) -> str | None:
    regions = {r.code: r for r in analysis.vocabulary.regions} if analysis.vocabulary else {}
    region = regions.get(code)
    if region is None:
        return None
    inside = [r for r in (analysis.vocabulary.within.get(code, ()) if analysis.vocabulary else ()) if r != code]
    return _lines(
        f"**{region.kind}** `{code}`: {region.title}",
        f"members: {', '.join(region.members)}" if region.members else "",
        f"lies in {', '.join(inside)}" if inside else "",
        _notes(region.notes),
    )


def _ruleset(analysis: Analysis, name: str) -> ir.Ruleset | None:
    return next((r for r in analysis.rulesets if r.id == name), None)


def _node(analysis: Analysis, index: Index, name: str) -> str | None:
    ruleset_id, _, node_id = name.partition(":")
    ruleset = _ruleset(analysis, ruleset_id)
    if ruleset is not None:
        for node, parents in ruleset.walk():
            if node.id == node_id:
                path = " › ".join([ruleset.id, *(p.id.rsplit(".", 1)[-1] for p in parents), node.id.rsplit(".", 1)[-1]])
                condition = f"when `{condition_text(node.condition)}`" if node.condition is not None else ""
                obligations = "; ".join(f"`{o.id}`: {o.text}" for o in node.obligations)
                return _lines(
                    f"**{node.kind}** `{path}`: {node.title}",
                    f"effect: **{node.effect}**" + (f" {condition}" if condition else ""),
                    _cites(node.citations),
                    f"obligations: {obligations}" if obligations else "",
                    _notes(node.notes),
                )
    syntax = index.syntax.get(("node", name))
    if isinstance(syntax, n.DecidingNode):
        citations = tuple(t for clause in syntax.citations for t in clause.texts)
        return _lines(f"**{syntax.kind}** `{node_id}`: {syntax.title}", _cites(citations), _notes(syntax.notes))
    if isinstance(syntax, n.Default):
        return _lines(f"**default** of `{ruleset_id}`: {syntax.title}", f"effect: **{syntax.effect}**")
    return None


def _parameter(analysis: Analysis, index: Index, name: str) -> str | None:
    ruleset_id, _, parameter_name = name.partition(":")
    ruleset = _ruleset(analysis, ruleset_id)
    for parameter in ruleset.parameters if ruleset else ():
        if parameter.name == parameter_name:
            values: dict[str, list[str]] = {}
            for region, timeline in sorted(parameter.timeline.items()):
                shown = ", ".join(
                    value_text(v) + ("" if end.year == 9999 else f" until {end.isoformat()}") for _, end, v in timeline
                )
                values.setdefault(shown, []).append(region)
            table = "\n".join(f"- {value}: {', '.join(regions)}" for value, regions in values.items())
            return _lines(
                f"**parameter** `{parameter_name}` of `{ruleset_id}`: {parameter.title} ({parameter.kind})",
                _cites(parameter.citations),
                table,
                _notes(parameter.notes),
            )
    syntax = index.syntax.get(("parameter", name))
    if isinstance(syntax, n.Parameter):
        return f"**parameter** `{parameter_name}`: {syntax.title} ({syntax.type})"
    return None


def _defined(analysis: Analysis, name: str) -> ir.Defined | None:
    """A use of the definition in the checked program, which holds its typed condition."""

    def visit(condition: ir.Condition | None) -> ir.Defined | None:
        match condition:
            case ir.Defined() if condition.name == name:
                return condition
            case ir.Defined():
                return visit(condition.condition)
            case ir.Not():
                return visit(condition.operand)
            case ir.And() | ir.Or():
                return next((found for c in condition.operands if (found := visit(c))), None)
        return None

    for ruleset in analysis.rulesets:
        nodes = (node.condition for node, _ in ruleset.walk())
        for condition in (ruleset.applies, *nodes, *(o.condition for o in ruleset.obligations)):
            found = visit(condition)
            if found is not None:
                return found
    return None


def _definition(analysis: Analysis, index: Index, name: str) -> str | None:
    syntax = index.syntax.get(("definition", name))
    if not isinstance(syntax, n.Definition):
        return None
    ruleset, _, short = name.partition(":")
    used = _defined(analysis, short)
    citations = tuple(t for clause in syntax.citations for t in clause.texts)
    return _lines(
        f"**definition** `{short}`" + (f" of `{ruleset}`" if ruleset else "") + f": {syntax.title}",
        f"holds when `{condition_text(used.condition)}`" if used is not None else "",
        _cites(citations),
        _notes(syntax.notes),
    )


def describe(analysis: Analysis, index: Index, symbol: Symbol) -> str | None:
    """Markdown for the symbol, or None when nothing is known about it."""
    kind, name = symbol
    if kind in ("data", "purpose"):
        return _key(analysis, kind, name)
    if kind == "fact":
        return _fact(analysis, name)
    if kind == "region":
        return _region(analysis, name)
    if kind == "basis":
        bases = dict(analysis.vocabulary.bases) if analysis.vocabulary else {}
        return f"**lawful basis** `{name}`: {bases[name]}" if name in bases else None
    if kind == "choice":
        fact, _, value = name.partition(":")
        return f"**value** `{value}` of the fact `{fact}`"
    if kind == "node":
        return _node(analysis, index, name)
    if kind == "parameter":
        return _parameter(analysis, index, name)
    if kind == "definition":
        return _definition(analysis, index, name)
    syntax = index.syntax.get(symbol)
    if kind == "ruleset":
        ruleset = _ruleset(analysis, name)
        if ruleset is not None:
            dates = f"from {ruleset.start}" if ruleset.start else ""
            dates += f" until {ruleset.end}" if ruleset.end else ""
            return _lines(
                f"**ruleset** `{name}`: {ruleset.title}",
                f"law: {ruleset.law}" if ruleset.law else "",
                f"covers {', '.join(ruleset.covers)}" + (f"; {dates}" if dates else ""),
                _notes(ruleset.notes),
            )
        return f"**ruleset** `{name}`: {syntax.title}" if isinstance(syntax, n.Ruleset) else None
    if kind == "obligation" and isinstance(syntax, n.Obligation):
        when = "with every permit of the ruleset, only when its `when` condition is true" if syntax.whens else ""
        return _lines(f"**obligation** `{syntax.id.text}`: {syntax.text}", _cites(syntax.citations), when)
    if kind == "test" and isinstance(syntax, n.Test):
        return _lines(f"**test** `{syntax.id.text}`: {syntax.title}", _notes(syntax.notes))
    return None
