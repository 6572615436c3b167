"""The fuzzer's own model of a rule unit, and how it is written as rule files.

The strategies of `fuzz_units` build a `Unit`; `render` writes it in the
rules language (docs/language.md, part 2) and `fuzz_reference` decides uses
on it directly, from the semantics of part 3, without the compiler. A unit
is valid by construction: every name is declared, every value has its
fact's type, every exception narrows its parent's scope, every parameter has
a value for every covered region.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

# ---------------------------------------------------------------- vocabulary


@dataclass
class Key:
    key: str
    title: str
    abstract: bool = False
    also_in: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Fact:
    path: str
    title: str
    kind: str  # boolean, integer, date, region, basis, enum
    minimum: int = 0
    maximum: int = 0
    choices: list[str] = field(default_factory=list)
    default: str | None = None
    implies: list[str] = field(default_factory=list)
    excludes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def nullable(self) -> bool:
        return self.kind != "boolean" and self.default is None


@dataclass
class Region:
    code: str
    kind: str  # country, subdivision, group
    title: str
    members: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- conditions

# A condition is a tuple:
#   ("truth", fact)                       boolean fact is true
#   ("compare", fact, op, value)          op in < <= > >= = != ; value a literal or ("param", id)
#   ("is", fact, negated, value)          `is` / `is not`
#   ("in", fact, negated, values)         `in {…}` / `not in {…}`
#   ("known", fact, known)                `is known` / `is unknown`
#   ("not", condition) ("and", [conditions]) ("or", [conditions])
Condition = tuple[Any, ...]


@dataclass
class Obligation:
    id: str
    text: str
    citations: list[str] = field(default_factory=list)


@dataclass
class Node:
    id: str
    title: str
    effect: str  # permit | deny (an exclusion always permits)
    citations: list[str]
    data: list[str] | None = None
    purposes: list[str] | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None
    condition: Condition | None = None
    obligations: list[Obligation] = field(default_factory=list)
    exceptions: list[Node] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Parameter:
    id: str
    title: str
    kind: str  # integer, date, boolean
    citations: list[str]
    values: list[tuple[str, Any, datetime.date | None, datetime.date | None]] = field(default_factory=list)


@dataclass
class Test:
    id: str
    title: str
    day: datetime.date
    given: list[tuple[str, Any]]  # (fact path, value); True alone is written as the bare fact
    outcome: str  # permit, deny, not_applicable
    by: list[str] = field(default_factory=list)
    obligations: list[str] = field(default_factory=list)


@dataclass
class Ruleset:
    id: str
    title: str
    covers: list[str]
    default_effect: str
    default_title: str
    default_citations: list[str]
    law: str | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None
    applies: Condition | None = None
    parameters: list[Parameter] = field(default_factory=list)
    exclusions: list[Node] = field(default_factory=list)
    rules: list[Node] = field(default_factory=list)
    tests: list[Test] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Unit:
    data: list[Key]
    purposes: list[Key]
    bases: list[tuple[str, str]]
    facts: list[Fact]
    regions: list[Region]
    rulesets: list[Ruleset]
    tests: list[Test] = field(default_factory=list)
    files: int = 1  # how many files the declarations are spread over


# -------------------------------------------------------------------- render


def quoted(text: str) -> str:
    """A rule-file string: only `"` and `\\` are escaped; line breaks cannot occur."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _notes(notes: list[str], indent: str) -> str:
    return "".join(f"{indent}# {note}\n" for note in notes)


def _cites(citations: list[str]) -> str:
    return "cites " + ", ".join(quoted(c) for c in citations)


def literal(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, tuple) and value[0] == "param":
        return str(value[1])
    return str(value)


def condition_text(condition: Condition, top: bool = True) -> str:
    kind = condition[0]
    if kind == "truth":
        return str(condition[1])
    if kind == "compare":
        return f"{condition[1]} {condition[2]} {literal(condition[3])}"
    if kind == "is":
        return f"{condition[1]} is {'not ' if condition[2] else ''}{literal(condition[3])}"
    if kind == "in":
        values = ", ".join(literal(v) for v in condition[3])
        return f"{condition[1]} {'not in' if condition[2] else 'in'} {{{values}}}"
    if kind == "known":
        return f"{condition[1]} is {'known' if condition[2] else 'unknown'}"
    if kind == "not":
        return f"not {condition_text(condition[1], False)}"
    joined = f" {kind} ".join(condition_text(c, False) for c in condition[1])
    return joined if top else f"({joined})"


def _node(node: Node, kind: str, indent: str) -> str:
    inner = indent + "    "
    head = {"rule": "rule", "exclusion": "exclusion", "exception": "unless"}[kind]
    text = _notes(node.notes, indent) + f"{indent}{head} {node.id} {quoted(node.title)}:\n"
    text += f"{inner}{_cites(node.citations)}\n"
    if node.data is not None:
        text += f"{inner}data {', '.join(node.data)}\n"
    if node.purposes is not None:
        text += f"{inner}purpose {', '.join(node.purposes)}\n"
    if node.start:
        text += f"{inner}from {node.start.isoformat()}\n"
    if node.end:
        text += f"{inner}until {node.end.isoformat()}\n"
    when = f" when {condition_text(node.condition)}" if node.condition is not None else ""
    if kind == "exclusion":
        text += f"{inner}when {condition_text(node.condition)}\n" if node.condition is not None else ""
    else:
        text += f"{inner}{node.effect}{when}\n"
    for obligation in node.obligations:
        cites = f" {_cites(obligation.citations)}" if obligation.citations else ""
        text += f"{inner}obligation {obligation.id} {quoted(obligation.text)}{cites}\n"
    for exception in node.exceptions:
        text += _node(exception, "exception", inner)
    return text


def _given(value: Any) -> str:
    return "" if value is True else " " + literal(value)


def _test(test: Test, indent: str) -> str:
    inner = indent + "    "
    text = f"{indent}test {test.id} {quoted(test.title)}:\n{inner}on {test.day.isoformat()}\n"
    given = [f"{path}{_given(value)}" for path, value in test.given]
    for start in range(0, len(given), 4):
        text += f"{inner}given {', '.join(given[start : start + 4])}\n"
    if test.outcome == "not_applicable":
        return text + f"{inner}expect not applicable\n"
    by = f" by {', '.join(test.by)}" if test.by else ""
    obligations = f" with obligations {', '.join(test.obligations)}" if test.obligations else " with no obligations"
    return text + f"{inner}expect {test.outcome}{by}{obligations}\n"


def _ruleset(ruleset: Ruleset) -> str:
    text = _notes(ruleset.notes, "") + f"ruleset {ruleset.id} {quoted(ruleset.title)}:\n"
    if ruleset.law is not None:
        text += f"    law {quoted(ruleset.law)}\n"
    text += f"    covers {', '.join(ruleset.covers)}\n"
    if ruleset.start:
        text += f"    from {ruleset.start.isoformat()}\n"
    if ruleset.end:
        text += f"    until {ruleset.end.isoformat()}\n"
    if ruleset.applies is not None:
        text += f"    applies when {condition_text(ruleset.applies)}\n"
    text += (
        f"    otherwise {ruleset.default_effect} {quoted(ruleset.default_title)} {_cites(ruleset.default_citations)}\n"
    )
    for parameter in ruleset.parameters:
        text += f"\n    parameter {parameter.id} {quoted(parameter.title)}: {parameter.kind}\n"
        text += f"        {_cites(parameter.citations)}\n"
        for region, value, start, end in parameter.values:
            dates = (f" from {start.isoformat()}" if start else "") + (f" until {end.isoformat()}" if end else "")
            text += f"        {region}: {literal(value)}{dates}\n"
    for exclusion in ruleset.exclusions:
        text += "\n" + _node(exclusion, "exclusion", "    ")
    for rule in ruleset.rules:
        text += "\n" + _node(rule, "rule", "    ")
    for test in ruleset.tests:
        text += "\n" + _test(test, "    ")
    return text


def _vocabulary(unit: Unit) -> str:
    text = ""
    for kind, keys in (("data", unit.data), ("purpose", unit.purposes)):
        for key in keys:
            modifiers = (" abstract" if key.abstract else "") + (f" in {', '.join(key.also_in)}" if key.also_in else "")
            text += _notes(key.notes, "") + f"{kind} {key.key} {quoted(key.title)}{modifiers}\n"
    for name, title in unit.bases:
        text += f"basis {name} {quoted(title)}\n"
    for fact in unit.facts:
        kind = {
            "integer": f"integer from {fact.minimum} to {fact.maximum}",
            "enum": "one of " + ", ".join(fact.choices) + (f" default {fact.default}" if fact.default else ""),
        }.get(fact.kind, fact.kind)
        kind += "".join(f" implies {t}" for t in fact.implies) + "".join(f" excludes {t}" for t in fact.excludes)
        text += _notes(fact.notes, "") + f"fact {fact.path} {quoted(fact.title)}: {kind}\n"
    return text


def _regions(unit: Unit) -> str:
    text = ""
    for region in unit.regions:
        if region.kind == "group":
            text += f"group {region.code} {quoted(region.title)}:\n    {', '.join(region.members)}\n"
        else:
            text += f"{region.kind} {region.code} {quoted(region.title)}\n"
    return text


def render(unit: Unit) -> dict[str, str]:
    """The unit as rule files: {file name: text}; the declarations are spread over `unit.files` files."""
    parts = [_vocabulary(unit), _regions(unit)] + [_ruleset(r) for r in unit.rulesets]
    parts.append("".join(_test(test, "") + "\n" for test in unit.tests))
    count = max(1, min(unit.files, len(parts)))
    files = {f"part{index}.rules": "" for index in range(count)}
    for index, part in enumerate(parts):
        name = f"part{min(index, count - 1)}.rules"
        files[name] += part + "\n"
    return files
