"""The outline of a rule file: its declarations, and each ruleset's parameters, rules, exceptions and tests."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..source import Span
from ..syntax import nodes as n


@dataclass
class Entry:
    name: str
    detail: str
    kind: str  # ruleset, rule, exception, exclusion, parameter, test, data, purpose, basis, fact, region, default
    span: Span  # the whole declaration
    selection: Span  # its name
    children: list[Entry] = field(default_factory=list)


def _node(node: n.DecidingNode) -> Entry:
    return Entry(
        node.id.text,
        f"{node.kind}: {node.title}",
        node.kind,
        node.span,
        node.id.span,
        [_node(inner) for inner in node.exceptions],
    )


def _definition(decl: n.Definition) -> Entry:
    return Entry(decl.name.text, f"definition: {decl.title}", "definition", decl.span, decl.name.span)


def _ruleset(rs: n.Ruleset) -> Entry:
    children: list[Entry] = []
    for definition in rs.definitions:
        children.append(_definition(definition))
    for default in rs.defaults:
        children.append(Entry("otherwise", f"{default.effect}: {default.title}", "default", default.span, default.span))
    for parameter in rs.parameters:
        children.append(Entry(parameter.name.text, parameter.title, "parameter", parameter.span, parameter.name.span))
    children.extend(_node(node) for node in (*rs.exclusions, *rs.rules))
    children.extend(Entry(t.id.text, t.title, "test", t.span, t.id.span) for t in rs.tests)
    children.sort(key=lambda e: (e.span.line, e.span.column))
    return Entry(rs.id.text, rs.title, "ruleset", rs.span, rs.id.span, children)


def outline(file: n.File) -> list[Entry]:
    entries: list[Entry] = []
    for decl in file.declarations:
        match decl:
            case n.Ruleset():
                entries.append(_ruleset(decl))
            case n.Test():
                entries.append(Entry(decl.id.text, decl.title, "test", decl.span, decl.id.span))
            case n.Definition():
                entries.append(_definition(decl))
            case n.KeyDecl():
                entries.append(Entry(decl.key.text, decl.title, decl.kind, decl.span, decl.key.span))
            case n.BasisDecl():
                entries.append(Entry(decl.name.text, decl.title, "basis", decl.span, decl.name.span))
            case n.FactDecl():
                entries.append(Entry(decl.path.text, decl.title, "fact", decl.span, decl.path.span))
            case n.RegionDecl():
                entries.append(Entry(decl.code.text, decl.title, "region", decl.span, decl.code.span))
    return entries
