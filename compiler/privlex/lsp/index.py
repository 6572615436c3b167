"""Every name in a unit's rule files: where it is declared and where it is used.

A symbol is (kind, name). Names that belong to a ruleset are qualified by
it: a rule `consent` of `gdpr` is ("node", "gdpr:consent"), its exception
`child` ("node", "gdpr:consent.child"). A bare name in a condition is
resolved as the compiler does: a parameter of the ruleset, else by the kind
of the fact it is compared with (a basis, a choice of the fact, a key).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .. import ir
from ..source import Span
from ..syntax import nodes as n

Symbol = tuple[str, str]  # (kind, name)

BUILTIN = {"region", "data", "purpose", "date"}


@dataclass(frozen=True)
class Occurrence:
    symbol: Symbol
    span: Span
    definition: bool


@dataclass
class Index:
    occurrences: list[Occurrence] = field(default_factory=list)
    declared: dict[Symbol, list[Span]] = field(default_factory=dict)
    syntax: dict[Symbol, n.Node] = field(default_factory=dict)  # the declaration's syntax node

    def define(self, kind: str, name: str, span: Span, node: n.Node | None = None) -> None:
        symbol = (kind, name)
        self.occurrences.append(Occurrence(symbol, span, True))
        self.declared.setdefault(symbol, []).append(span)
        if node is not None:
            self.syntax.setdefault(symbol, node)

    def use(self, kind: str, name: str, span: Span) -> None:
        self.occurrences.append(Occurrence((kind, name), span, False))

    def at(self, path: str, line: int, column: int) -> Occurrence | None:
        """The name at a 1-based line and column (a position just after a name counts too)."""
        best: Occurrence | None = None
        for occurrence in self.occurrences:
            span = occurrence.span
            if span.file != path or not (span.line <= line <= span.end_line):
                continue
            if (span.line, span.column) <= (line, column) <= (span.end_line, span.end_column):
                if best is None or _width(span) < _width(best.span):
                    best = occurrence
        return best

    def references(self, symbol: Symbol, *, with_declarations: bool = True) -> list[Span]:
        return [o.span for o in self.occurrences if o.symbol == symbol and (with_declarations or not o.definition)]

    def in_file(self, path: str) -> list[Occurrence]:
        return [o for o in self.occurrences if o.span.file == path]


def _width(span: Span) -> tuple[int, int]:
    return (span.end_line - span.line, span.end_column - span.column)


class _Builder:
    def __init__(self, vocabulary: ir.Vocabulary | None, files: list[n.File]) -> None:
        self.index = Index()
        # Definitions: the unit's (top-level) and, while a ruleset is visited, its own.
        self.unit_definitions = {d.name.text for f in files for d in f.declarations if isinstance(d, n.Definition)}
        self.local_definitions: set[str] = set()
        self.facts = {f.path: f for f in vocabulary.facts} if vocabulary else {}
        self.data = {k.key for k in vocabulary.data} if vocabulary else set()
        self.purposes = {k.key for k in vocabulary.purposes} if vocabulary else set()
        self.bases = {name for name, _ in vocabulary.bases} if vocabulary else set()

    # ------------------------------------------------------------ values

    def value(self, value: n.Value, fact: str | None, ruleset: str | None, parameters: set[str]) -> None:
        if isinstance(value, n.RegionValue):
            self.index.use("region", value.code, value.span)
        elif isinstance(value, n.NameValue):
            kind, name = self.resolve(value.text, fact, ruleset, parameters)
            self.index.use(kind, name, value.span)

    def resolve(self, text: str, fact: str | None, ruleset: str | None, parameters: set[str]) -> Symbol:
        if ruleset is not None and text in parameters:
            return ("parameter", f"{ruleset}:{text}")
        declared = self.facts.get(fact or "")
        if fact == "data" or (declared is not None and declared.kind == "data"):
            return ("data", text)
        if fact == "purpose" or (declared is not None and declared.kind == "purpose"):
            return ("purpose", text)
        if declared is not None and declared.kind == "enum":
            return ("choice", f"{fact}:{text}")
        if text in self.bases:
            return ("basis", text)
        if text in self.data:
            return ("data", text)
        if text in self.purposes:
            return ("purpose", text)
        return ("basis", text)

    def fact(self, ref: n.FactRef, ruleset: str | None = None) -> None:
        """A fact, or a definition used by its name (the ruleset's own first, then the unit's)."""
        if ruleset is not None and ref.path in self.local_definitions:
            self.index.use("definition", f"{ruleset}:{ref.path}", ref.span)
        elif ref.path in self.unit_definitions and ref.path not in self.facts:
            self.index.use("definition", f":{ref.path}", ref.span)
        else:
            self.index.use("fact", ref.path, ref.span)

    def condition(self, condition: n.Condition, ruleset: str | None, parameters: set[str]) -> None:
        match condition:
            case n.Not():
                self.condition(condition.operand, ruleset, parameters)
            case n.And() | n.Or():
                for operand in condition.operands:
                    self.condition(operand, ruleset, parameters)
            case n.Truth() | n.Known():
                self.fact(condition.fact, ruleset)
            case n.Compare():
                self.fact(condition.fact, ruleset)
                self.value(condition.value, condition.fact.path, ruleset, parameters)
            case n.Member():
                self.fact(condition.fact, ruleset)
                for value in condition.values:
                    self.value(value, condition.fact.path, ruleset, parameters)

    # ------------------------------------------------------- declarations

    def declaration(self, decl: n.Node) -> None:
        match decl:
            case n.KeyDecl():
                self.index.define(decl.kind, decl.key.text, decl.key.span, decl)
                for parent in decl.also_in:
                    self.index.use(decl.kind, parent.text, parent.span)
            case n.BasisDecl():
                self.index.define("basis", decl.name.text, decl.name.span, decl)
            case n.FactDecl():
                self.fact_decl(decl)
            case n.RegionDecl():
                self.index.define("region", decl.code.text, decl.code.span, decl)
                for member in decl.members:
                    self.index.use("region", member.text, member.span)
            case n.Ruleset():
                self.ruleset(decl)
            case n.Test():
                self.test(decl, None)
            case n.Definition():
                self.definition(decl, None, set())

    def fact_decl(self, decl: n.FactDecl) -> None:
        path = decl.path.text
        self.index.define("fact", path, decl.path.span, decl)
        for choice in decl.type.choices:
            self.index.define("choice", f"{path}:{choice.text}", choice.span, decl)
        if decl.type.default is not None:
            self.index.use("choice", f"{path}:{decl.type.default.text}", decl.type.default.span)
        for other in (*decl.type.implies, *decl.type.excludes):
            self.index.use("fact", other.text, other.span)

    def definition(self, decl: n.Definition, ruleset: str | None, parameters: set[str]) -> None:
        self.index.define("definition", f"{ruleset or ''}:{decl.name.text}", decl.name.span, decl)
        for condition in decl.conditions:
            self.condition(condition, ruleset, parameters)

    def obligation(self, obligation: n.Obligation, ruleset: str, parameters: set[str] | None = None) -> None:
        self.index.define("obligation", f"{ruleset}:{obligation.id.text}", obligation.id.span, obligation)
        for condition in obligation.whens:
            self.condition(condition, ruleset, parameters or set())

    def ruleset(self, rs: n.Ruleset) -> None:
        name = rs.id.text
        self.index.define("ruleset", name, rs.id.span, rs)
        parameters = {p.name.text for p in rs.parameters}
        self.local_definitions = {d.name.text for d in rs.definitions}
        for definition in rs.definitions:
            self.definition(definition, name, parameters)
        for obligation in rs.obligations:
            self.obligation(obligation, name, parameters)
        for covers in rs.covers:
            for region in covers:
                self.index.use("region", region.text, region.span)
        for condition in rs.applies:
            self.condition(condition, name, parameters)
        for default in rs.defaults:
            self.index.define("node", f"{name}:default", default.span, default)
            for obligation in default.obligations:
                self.obligation(obligation, name)
        for parameter in rs.parameters:
            self.index.define("parameter", f"{name}:{parameter.name.text}", parameter.name.span, parameter)
            for value in parameter.values:
                self.index.use("region", value.region.text, value.region.span)
                self.value(value.value, None, name, parameters)
        for node in (*rs.exclusions, *rs.rules):
            self.node(node, name, "", parameters)
        for test in rs.tests:
            self.test(test, name)
        self.local_definitions = set()

    def node(self, node: n.DecidingNode, ruleset: str, prefix: str, parameters: set[str]) -> None:
        qualified = f"{prefix}{node.id.text}"
        self.index.define("node", f"{ruleset}:{qualified}", node.id.span, node)
        for kind, scopes in (("data", node.data), ("purpose", node.purposes)):
            for scope in scopes:
                for key in scope:
                    self.index.use(kind, key.text, key.span)
        for condition in (*node.whens, *(e.condition for e in node.effects if e.condition is not None)):
            self.condition(condition, ruleset, parameters)
        for obligation in node.obligations:
            self.obligation(obligation, ruleset)
        for inner in node.exceptions:
            self.node(inner, ruleset, qualified + ".", parameters)

    def test(self, test: n.Test, ruleset: str | None) -> None:
        self.index.define("test", f"{ruleset or ''}:{test.id.text}", test.id.span, test)
        for assignment in test.given:
            self.fact(assignment.fact)
            if assignment.value is not None:
                self.value(assignment.value, assignment.fact.path, None, set())
        for expectation in test.expectations:
            for ref in expectation.by or ():
                self.index.use("node", _qualified(ref.text, ruleset), ref.span)
            for ref in expectation.obligations or ():
                self.index.use("obligation", _qualified(ref.text, ruleset), ref.span)


def _qualified(text: str, ruleset: str | None) -> str:
    if ruleset is not None:
        return f"{ruleset}:{text}"
    owner, _, rest = text.partition(".")
    return f"{owner}:{rest}"


def build_index(files: Iterable[n.File], vocabulary: ir.Vocabulary | None) -> Index:
    files = list(files)
    builder = _Builder(vocabulary, files)
    for file in files:
        for decl in file.declarations:
            builder.declaration(decl)
    return builder.index
