"""Pass 2: lark parse tree -> syntax tree (`nodes`), every node with its span."""

from __future__ import annotations

from typing import Any

from lark import Token, Transformer, Tree, v_args
from lark.tree import Meta

from ..source import SourceFile, Span, source_lines
from . import nodes as n


def unquote(token: str) -> str:
    """A STRING token's text: only \\" and \\\\ are escapes; other backslashes stay."""
    body = token[1:-1]
    out: list[str] = []
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\" and index + 1 < len(body) and body[index + 1] in '"\\':
            out.append(body[index + 1])
            index += 2
        else:
            out.append(char)
            index += 1
    return "".join(out)


def comment_notes(text: str) -> dict[int, tuple[str, ...]]:
    """Full-line comment blocks, keyed by the line of the code right below them."""
    notes: dict[int, tuple[str, ...]] = {}
    block: list[str] = []
    for number, raw in enumerate(source_lines(text), start=1):
        stripped = raw.strip()
        if stripped.startswith("#"):
            block.append(stripped[1:].strip())
        elif stripped:
            if block:
                notes[number] = tuple(block)
            block = []
        else:
            block = []
    return notes


def _of(kind: type[Any], items: list[Any]) -> list[Any]:
    return [item for item in items if isinstance(item, kind)]


@v_args(meta=True)
class _ToNodes(Transformer[Token, Any]):
    def __init__(self, source: SourceFile) -> None:
        super().__init__()
        self.path = source.path
        self.notes = comment_notes(source.text)

    # ------------------------------------------------------------- helpers

    def span(self, meta: Meta) -> Span:
        return Span(
            file=self.path,
            line=meta.line,
            column=meta.column,
            end_line=meta.end_line,
            end_column=meta.end_column,
        )

    def token_span(self, token: Token) -> Span:
        return Span(
            file=self.path,
            line=token.line or 1,
            column=token.column or 1,
            end_line=token.end_line or token.line or 1,
            end_column=token.end_column or (token.column or 1) + len(token),
        )

    def name(self, token: Token) -> n.Name:
        return n.Name(span=self.token_span(token), text=str(token))

    def noted(self, meta: Meta) -> tuple[str, ...]:
        return self.notes.get(meta.line, ())

    # ---------------------------------------------------------- vocabulary

    def start(self, meta: Meta, items: list[Any]) -> list[Any]:
        return list(items)

    def _key_decl(self, kind: str, meta: Meta, items: list[Any]) -> n.KeyDecl:
        path, title = items[0], items[1]
        also: list[n.Name] = []
        for modifier in items[2:]:
            if isinstance(modifier, tuple) and modifier[0] == "in":
                also.extend(modifier[1])
        abstract = any(m == "abstract" for m in items[2:])
        return n.KeyDecl(
            span=self.span(meta),
            kind=kind,  # type: ignore[arg-type]
            key=self.name(path),
            title=unquote(title),
            abstract=abstract,
            also_in=tuple(also),
            notes=self.noted(meta),
        )

    def data_decl(self, meta: Meta, items: list[Any]) -> n.KeyDecl:
        return self._key_decl("data", meta, items)

    def purpose_decl(self, meta: Meta, items: list[Any]) -> n.KeyDecl:
        return self._key_decl("purpose", meta, items)

    def abstract(self, meta: Meta, items: list[Any]) -> str:
        return "abstract"

    def also_in(self, meta: Meta, items: list[Token]) -> tuple[str, list[n.Name]]:
        return ("in", [self.name(t) for t in items])

    def basis_decl(self, meta: Meta, items: list[Token]) -> n.BasisDecl:
        return n.BasisDecl(
            span=self.span(meta),
            name=self.name(items[0]),
            title=unquote(items[1]),
            notes=self.noted(meta),
        )

    def fact_decl(self, meta: Meta, items: list[Any]) -> n.FactDecl:
        return n.FactDecl(
            span=self.span(meta),
            path=self.name(items[0]),
            title=unquote(items[1]),
            type=items[2],
            notes=self.noted(meta),
        )

    def boolean_type(self, meta: Meta, items: list[Any]) -> n.FactType:
        implies = [name for kind, name in items if kind == "implies"]
        excludes = [name for kind, name in items if kind == "excludes"]
        return n.FactType(
            span=self.span(meta) if items else self._empty_span(meta),
            kind="boolean",
            implies=tuple(implies),
            excludes=tuple(excludes),
        )

    def _empty_span(self, meta: Meta) -> Span:
        line = getattr(meta, "line", 1)
        column = getattr(meta, "column", 1)
        return Span(file=self.path, line=line, column=column, end_line=line, end_column=column)

    def implies(self, meta: Meta, items: list[Token]) -> tuple[str, n.Name]:
        return ("implies", self.name(items[0]))

    def excludes(self, meta: Meta, items: list[Token]) -> tuple[str, n.Name]:
        return ("excludes", self.name(items[0]))

    def integer_type(self, meta: Meta, items: list[Token]) -> n.FactType:
        return n.FactType(span=self.span(meta), kind="integer", minimum=int(items[0]), maximum=int(items[1]))

    def date_type(self, meta: Meta, items: list[Any]) -> n.FactType:
        return n.FactType(span=self._empty_span(meta), kind="date")

    def region_type(self, meta: Meta, items: list[Any]) -> n.FactType:
        return n.FactType(span=self._empty_span(meta), kind="region")

    def basis_type(self, meta: Meta, items: list[Any]) -> n.FactType:
        return n.FactType(span=self._empty_span(meta), kind="basis")

    def enum_type(self, meta: Meta, items: list[Any]) -> n.FactType:
        choices = [self.name(t) for t in items if isinstance(t, Token)]
        defaults = [item for item in items if isinstance(item, n.Name)]
        return n.FactType(
            span=self.span(meta),
            kind="enum",
            choices=tuple(choices),
            default=defaults[0] if defaults else None,
        )

    def enum_default(self, meta: Meta, items: list[Token]) -> n.Name:
        return self.name(items[0])

    def country_decl(self, meta: Meta, items: list[Token]) -> n.RegionDecl:
        return self._region("country", meta, items[0], items[1], ())

    def subdivision_decl(self, meta: Meta, items: list[Token]) -> n.RegionDecl:
        return self._region("subdivision", meta, items[0], items[1], ())

    def group_decl(self, meta: Meta, items: list[Any]) -> n.RegionDecl:
        members = [member for group in items[2:] for member in group]
        return self._region("group", meta, items[0], items[1], tuple(members))

    def _region(self, kind: str, meta: Meta, code: Token, title: Token, members: tuple[n.Name, ...]) -> n.RegionDecl:
        return n.RegionDecl(
            span=self.span(meta),
            kind=kind,  # type: ignore[arg-type]
            code=self.name(code),
            title=unquote(title),
            members=members,
            notes=self.noted(meta),
        )

    def region_list(self, meta: Meta, items: list[Token]) -> list[n.Name]:
        return [self.name(t) for t in items]

    # ------------------------------------------------------------ rulesets

    def ruleset(self, meta: Meta, items: list[Any]) -> n.Ruleset:
        body = items[2:]
        clauses: dict[str, list[Any]] = {}
        for kind, value in _of(tuple, body):
            clauses.setdefault(kind, []).append(value)
        return n.Ruleset(
            span=self.span(meta),
            id=self.name(items[0]),
            title=unquote(items[1]),
            laws=tuple(clauses.get("law", [])),
            covers=tuple(clauses.get("covers", [])),
            starts=tuple(clauses.get("from", [])),
            ends=tuple(clauses.get("until", [])),
            applies=tuple(clauses.get("applies", [])),
            defaults=tuple(clauses.get("default", [])),
            definitions=tuple(_of(n.Definition, body)),
            obligations=tuple(_of(n.Obligation, body)),
            parameters=tuple(_of(n.Parameter, body)),
            exclusions=tuple(d for d in _of(n.DecidingNode, body) if d.kind == "exclusion"),
            rules=tuple(d for d in _of(n.DecidingNode, body) if d.kind == "rule"),
            tests=tuple(_of(n.Test, body)),
            properties=tuple(_of(n.Property, body)),
            notes=self.noted(meta),
        )

    def law_clause(self, meta: Meta, items: list[Token]) -> tuple[str, n.Text]:
        return ("law", n.Text(span=self.span(meta), text=unquote(items[0])))

    def covers_clause(self, meta: Meta, items: list[Any]) -> tuple[str, tuple[n.Name, ...]]:
        return ("covers", tuple(items[0]))

    def from_clause(self, meta: Meta, items: list[Token]) -> tuple[str, n.DateValue]:
        return ("from", n.DateValue(span=self.token_span(items[0]), text=str(items[0])))

    def until_clause(self, meta: Meta, items: list[Token]) -> tuple[str, n.DateValue]:
        return ("until", n.DateValue(span=self.token_span(items[0]), text=str(items[0])))

    def applies_clause(self, meta: Meta, items: list[Any]) -> tuple[str, n.Condition]:
        return ("applies", items[0])

    def default_clause(self, meta: Meta, items: list[Any]) -> tuple[str, n.Default]:
        effect, title = items[0], items[1]
        citations = [text for item in items[2:] if isinstance(item, tuple) for text in item]
        citations += [text for item in _of(n.Citations, items[2:]) for text in item.texts]
        return (
            "default",
            n.Default(
                span=self.span(meta),
                effect=effect,
                title=unquote(title),
                citations=tuple(citations),
                obligations=tuple(_of(n.Obligation, items[2:])),
            ),
        )

    def definition(self, meta: Meta, items: list[Any]) -> n.Definition:
        body = items[2:]
        return n.Definition(
            span=self.span(meta),
            name=self.name(items[0]),
            title=unquote(items[1]),
            citations=tuple(_of(n.Citations, body)),
            conditions=tuple(value for kind, value in _of(tuple, body) if kind == "condition"),
            notes=self.noted(meta),
        )

    def define_condition(self, meta: Meta, items: list[Any]) -> tuple[str, n.Condition]:
        return ("condition", items[0])

    def effect(self, meta: Meta, items: list[Token]) -> str:
        return str(items[0])

    def citations(self, meta: Meta, items: list[Token]) -> tuple[str, ...]:
        return tuple(unquote(t) for t in items)

    def cites_clause(self, meta: Meta, items: list[Any]) -> n.Citations:
        return n.Citations(span=self.span(meta), texts=items[0])

    def parameter(self, meta: Meta, items: list[Any]) -> n.Parameter:
        body = items[3:]
        return n.Parameter(
            span=self.span(meta),
            name=self.name(items[0]),
            title=unquote(items[1]),
            type=items[2],
            citations=tuple(_of(n.Citations, body)),
            values=tuple(_of(n.ParamValue, body)),
            notes=self.noted(meta),
        )

    def integer_param(self, meta: Meta, items: list[Any]) -> str:
        return "integer"

    def boolean_param(self, meta: Meta, items: list[Any]) -> str:
        return "boolean"

    def date_param(self, meta: Meta, items: list[Any]) -> str:
        return "date"

    def param_value(self, meta: Meta, items: list[Any]) -> n.ParamValue:
        dated = items[2:]
        return n.ParamValue(
            span=self.span(meta),
            region=self.name(items[0]),
            value=items[1],
            starts=tuple(v for kind, v in dated if kind == "from"),
            ends=tuple(v for kind, v in dated if kind == "until"),
        )

    def dated_from(self, meta: Meta, items: list[Token]) -> tuple[str, n.DateValue]:
        return self.from_clause(meta, items)

    def dated_until(self, meta: Meta, items: list[Token]) -> tuple[str, n.DateValue]:
        return self.until_clause(meta, items)

    def _deciding(self, kind: str, meta: Meta, items: list[Any]) -> n.DecidingNode:
        body = items[2:]
        clauses: dict[str, list[Any]] = {}
        for clause, value in _of(tuple, body):
            clauses.setdefault(clause, []).append(value)
        return n.DecidingNode(
            span=self.span(meta),
            kind=kind,  # type: ignore[arg-type]
            id=self.name(items[0]),
            title=unquote(items[1]),
            citations=tuple(_of(n.Citations, body)),
            data=tuple(clauses.get("data", [])),
            purposes=tuple(clauses.get("purpose", [])),
            starts=tuple(clauses.get("from", [])),
            ends=tuple(clauses.get("until", [])),
            effects=tuple(_of(n.Effect, body)),
            whens=tuple(clauses.get("when", [])),
            obligations=tuple(_of(n.Obligation, body)),
            exceptions=tuple(_of(n.DecidingNode, body)),
            notes=self.noted(meta),
        )

    def rule(self, meta: Meta, items: list[Any]) -> n.DecidingNode:
        return self._deciding("rule", meta, items)

    def exception(self, meta: Meta, items: list[Any]) -> n.DecidingNode:
        return self._deciding("exception", meta, items)

    def exclusion(self, meta: Meta, items: list[Any]) -> n.DecidingNode:
        return self._deciding("exclusion", meta, items)

    def data_scope(self, meta: Meta, items: list[Token]) -> tuple[str, tuple[n.Name, ...]]:
        return ("data", tuple(self.name(t) for t in items))

    def purpose_scope(self, meta: Meta, items: list[Token]) -> tuple[str, tuple[n.Name, ...]]:
        return ("purpose", tuple(self.name(t) for t in items))

    def effect_clause(self, meta: Meta, items: list[Any]) -> n.Effect:
        condition = items[1] if len(items) > 1 else None
        return n.Effect(span=self.span(meta), effect=items[0], condition=condition)

    def when_clause(self, meta: Meta, items: list[Any]) -> tuple[str, n.Condition]:
        return ("when", items[0])

    def obligation(self, meta: Meta, items: list[Any]) -> n.Obligation:
        # The header's citations come as a tuple of texts, `when` lines as ("when", condition).
        body = items[2:]
        whens = [item[1] for item in body if isinstance(item, tuple) and not isinstance(item[-1], str)]
        texts = [text for item in body if isinstance(item, tuple) and isinstance(item[-1], str) for text in item]
        texts += [text for item in _of(n.Citations, body) for text in item.texts]
        return n.Obligation(
            span=self.span(meta),
            id=self.name(items[0]),
            text=unquote(items[1]),
            citations=tuple(texts),
            whens=tuple(whens),
        )

    # --------------------------------------------------------------- tests

    def test(self, meta: Meta, items: list[Any]) -> n.Test:
        body = items[2:]
        return n.Test(
            span=self.span(meta),
            id=self.name(items[0]),
            title=unquote(items[1]),
            dates=tuple(v for kind, v in _of(tuple, body) if kind == "on"),
            given=tuple(a for group in _of(list, body) for a in group),
            expectations=tuple(_of(n.Expectation, body)),
            notes=self.noted(meta),
        )

    def on_clause(self, meta: Meta, items: list[Token]) -> tuple[str, n.DateValue]:
        return ("on", n.DateValue(span=self.token_span(items[0]), text=str(items[0])))

    def given_clause(self, meta: Meta, items: list[n.Assignment]) -> list[n.Assignment]:
        return list(items)

    def assignment(self, meta: Meta, items: list[Any]) -> n.Assignment:
        return n.Assignment(span=self.span(meta), fact=items[0], value=items[1] if len(items) > 1 else None)

    def expect_clause(self, meta: Meta, items: list[n.Expectation]) -> n.Expectation:
        return items[0].model_copy(update={"span": self.span(meta)})

    def expect_decided(self, meta: Meta, items: list[Any]) -> n.Expectation:
        by = [item for item in items[1:] if isinstance(item, n.Name)]
        obligations = [item for item in items[1:] if isinstance(item, tuple)]
        return n.Expectation(
            span=self.span(meta),
            outcome=items[0],
            by=tuple(by) if by else None,
            obligations=obligations[0] if obligations else None,
        )

    def expect_not_applicable(self, meta: Meta, items: list[Any]) -> n.Expectation:
        return n.Expectation(span=self._empty_span(meta), outcome="not_applicable")

    def obligations_expected(self, meta: Meta, items: list[Token]) -> tuple[n.Name, ...]:
        return tuple(self.name(t) for t in items)

    def no_obligations(self, meta: Meta, items: list[Any]) -> tuple[n.Name, ...]:
        return ()

    def node_ref(self, meta: Meta, items: list[Token]) -> n.Name:
        return self.name(items[0])

    def default_ref(self, meta: Meta, items: list[Any]) -> n.Name:
        return n.Name(span=self._empty_span(meta), text="default")

    # ---------------------------------------------------------- properties

    def property_decl(self, meta: Meta, items: list[Any]) -> n.Property:
        body = items[2:]
        return n.Property(
            span=self.span(meta),
            id=self.name(items[0]),
            title=unquote(items[1]),
            citations=tuple(_of(n.Citations, body)),
            claims=tuple(_of(n.Claim, body)),
            notes=self.noted(meta),
        )

    def claim_clause(self, meta: Meta, items: list[Any]) -> n.Claim:
        quantifier, effect, condition = items
        return n.Claim(
            span=self.span(meta),
            quantifier="never" if quantifier == "never" else "always",
            effect=effect,
            condition=condition,
        )

    # ---------------------------------------------------------- conditions

    def or_test(self, meta: Meta, items: list[Any]) -> n.Or:
        return n.Or(span=self.span(meta), operands=tuple(items))

    def and_test(self, meta: Meta, items: list[Any]) -> n.And:
        return n.And(span=self.span(meta), operands=tuple(items))

    def negation(self, meta: Meta, items: list[Any]) -> n.Not:
        return n.Not(span=self.span(meta), operand=items[0])

    def truth(self, meta: Meta, items: list[Any]) -> n.Truth:
        return n.Truth(span=self.span(meta), fact=items[0])

    def compare(self, meta: Meta, items: list[Any]) -> n.Compare:
        return n.Compare(span=self.span(meta), fact=items[0], op=str(items[1]), value=items[2])  # type: ignore[arg-type]

    def equals(self, meta: Meta, items: list[Any]) -> n.Compare:
        return n.Compare(span=self.span(meta), fact=items[0], op="=", value=items[1])

    def not_equals(self, meta: Meta, items: list[Any]) -> n.Compare:
        return n.Compare(span=self.span(meta), fact=items[0], op="!=", value=items[1])

    def is_unknown(self, meta: Meta, items: list[Any]) -> n.Known:
        return n.Known(span=self.span(meta), fact=items[0], known=False)

    def is_known(self, meta: Meta, items: list[Any]) -> n.Known:
        return n.Known(span=self.span(meta), fact=items[0], known=True)

    def member(self, meta: Meta, items: list[Any]) -> n.Member:
        return self._member(meta, items, negated=False)

    def not_member(self, meta: Meta, items: list[Any]) -> n.Member:
        return self._member(meta, items, negated=True)

    def _member(self, meta: Meta, items: list[Any], *, negated: bool) -> n.Member:
        values, braced = items[1] if isinstance(items[1], tuple) else ((items[1],), False)
        return n.Member(span=self.span(meta), fact=items[0], values=values, braced=braced, negated=negated)

    def value_set(self, meta: Meta, items: list[Any]) -> tuple[tuple[n.Value, ...], bool]:
        return tuple(items), True

    def fact_ref(self, meta: Meta, items: list[Any]) -> n.FactRef:
        return n.FactRef(span=self.span(meta), path=str(items[0]))

    def builtin_fact(self, meta: Meta, items: list[Token]) -> str:
        return str(items[0])

    def name_value(self, meta: Meta, items: list[Token]) -> n.NameValue:
        return n.NameValue(span=self.token_span(items[0]), text=str(items[0]))

    def region_value(self, meta: Meta, items: list[Token]) -> n.RegionValue:
        return n.RegionValue(span=self.token_span(items[0]), code=str(items[0]))

    def int_value(self, meta: Meta, items: list[Token]) -> n.IntValue:
        return n.IntValue(span=self.token_span(items[0]), value=int(items[0]))

    def date_value(self, meta: Meta, items: list[Token]) -> n.DateValue:
        return n.DateValue(span=self.token_span(items[0]), text=str(items[0]))

    def true_value(self, meta: Meta, items: list[Any]) -> n.BoolValue:
        return n.BoolValue(span=self.span(meta), value=True)

    def false_value(self, meta: Meta, items: list[Any]) -> n.BoolValue:
        return n.BoolValue(span=self.span(meta), value=False)


def build_ast(source: SourceFile, tree: Tree[Token]) -> n.File:
    """Turn one file's parse tree into its syntax tree."""
    transformer = _ToNodes(source)
    declarations = transformer.transform(tree)
    return n.File(path=source.path, declarations=tuple(declarations))
