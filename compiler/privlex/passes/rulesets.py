"""Pass 4 (continued): ruleset declarations -> typed rulesets of the IR."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from .. import ir
from ..diagnostics import Diagnostic, duplicate, error, warning
from ..source import Span
from ..syntax import nodes as n
from .definitions import Definitions
from .parameters import resolve_parameter
from .typecheck import Typer, check_id, one_clause, parse_date


class _RulesetBuilder:
    def __init__(self, typer: Typer, ruleset: n.Ruleset) -> None:
        self.typer = typer
        self.ruleset = ruleset
        self.diagnostics = typer.diagnostics
        self.order = 0
        self.obligations: dict[str, n.Obligation] = {}

    def date(self, values: Sequence[n.DateValue], what: str, owner: str) -> datetime.date | None:
        one_clause(values, what, owner, (v.span for v in values), self.diagnostics)
        return parse_date(values[0], self.diagnostics) if values else None

    def scope(self, clauses: Sequence[tuple[n.Name, ...]], kind: str, owner: str) -> tuple[str, ...] | None:
        if not clauses:
            return None
        one_clause(clauses, f"{kind} clause", owner, (c[0].span for c in clauses), self.diagnostics)
        keys = [self.typer.key(name, kind) for name in clauses[0]]
        if any(key is None for key in keys):
            return None  # reported; an unresolved scope must not look empty to later checks
        return tuple(key for key in keys if key is not None)

    def obligation(self, node: n.Obligation, own: bool = False) -> ir.Obligation:
        """An obligation; `own` when written directly in the ruleset, the one place it may have a condition."""
        check_id(node.id, "obligation", self.diagnostics)
        condition: ir.Condition | None = None
        if node.whens and not own:
            self.diagnostics.append(
                error(
                    "E205",
                    f"obligation {node.id.text} has a `when` line: only an obligation written directly "
                    "in the ruleset may have a condition",
                    node.whens[0].span,
                    help="here the obligation holds whenever its node permits: put the condition in an "
                    "exception that permits and carries the obligation, or move the obligation into the ruleset",
                )
            )
        elif node.whens:
            owner = f"obligation {node.id.text}"
            one_clause(node.whens, "`when` line", owner, (w.span for w in node.whens), self.diagnostics)
            condition = self.typer.condition(node.whens[0])
        earlier = self.obligations.get(node.id.text)
        if earlier is not None and earlier.text != node.text:
            self.diagnostics.append(
                error(
                    "E202",
                    f"obligation {node.id.text} is declared twice with different texts "
                    f"(first at {earlier.span.location})",
                    node.id.span,
                    help="give the second obligation its own id, or the same text",
                )
            )
        self.obligations.setdefault(node.id.text, node)
        self.order += 1
        return ir.Obligation(
            id=node.id.text,
            text=node.text,
            citations=node.citations,
            span=node.span,
            order=self.order,
            condition=condition,
        )

    def node(self, node: n.DecidingNode, prefix: str) -> ir.Node:
        qualified = f"{prefix}{node.id.text}"
        owner = f"{node.kind} {qualified}"
        citations = tuple(text for clause in node.citations for text in clause.texts)
        effect: str = "permit"
        condition: ir.Condition | None = None
        if node.kind == "exclusion":
            for stray in node.effects:
                self.diagnostics.append(
                    error(
                        "E205",
                        "an exclusion always permits: write only `when ...`",
                        stray.span,
                        help="an exclusion says when the law does not apply at all",
                    )
                )
            for inner in node.exceptions:
                self.diagnostics.append(error("E205", "an exclusion cannot have exceptions", inner.id.span))
            one_clause(node.whens, "`when` line", owner, (w.span for w in node.whens), self.diagnostics)
            if node.whens:
                condition = self.typer.condition(node.whens[0])
        else:
            if not node.effects and node.whens:
                self.diagnostics.append(
                    error(
                        "E207",
                        f"{owner} says neither permit nor deny: its `when` line needs an effect",
                        node.whens[0].span,
                        help="write `permit when ...` or `deny when ...`",
                    )
                )
            elif not node.effects:
                self.diagnostics.append(
                    error(
                        "E207",
                        f"{owner} says neither permit nor deny",
                        node.id.span,
                        help="add a line `permit when ...` or `deny when ...`",
                    )
                )
            for when in node.whens[0 if node.effects else 1 :]:
                self.diagnostics.append(
                    error(
                        "E205",
                        f"write the condition of a {node.kind} on its effect line: "
                        "`permit when ...` or `deny when ...`",
                        when.span,
                    )
                )
            one_clause(node.effects, "effect line", owner, (e.span for e in node.effects), self.diagnostics)
            if node.effects:
                effect = node.effects[0].effect
                if node.effects[0].condition is not None:
                    condition = self.typer.condition(node.effects[0].condition)
        # A node's own obligations are numbered before its exceptions', so that
        # obligations keep source order (DESIGN semantics 8).
        obligations = tuple(self.obligation(o) for o in node.obligations)
        siblings: dict[str, n.Name] = {}
        exceptions: list[ir.Node] = []
        for inner in node.exceptions:
            if not check_id(inner.id, "exception", self.diagnostics):
                continue
            if inner.id.text in siblings:
                self.diagnostics.append(
                    duplicate(f"exception {inner.id.text} of {owner}", siblings[inner.id.text].span, inner.id.span)
                )
                continue
            siblings[inner.id.text] = inner.id
            exceptions.append(self.node(inner, qualified + "."))
        return ir.Node(
            id=qualified,
            kind=node.kind,
            effect=effect,  # type: ignore[arg-type]
            title=node.title,
            citations=citations,
            span=node.id.span,
            notes=node.notes,
            data=self.scope(node.data, "data", owner),
            purposes=self.scope(node.purposes, "purpose", owner),
            start=self.date(node.starts, "`from` date", owner),
            end=self.date(node.ends, "`until` date", owner),
            condition=condition,
            obligations=obligations,
            exceptions=tuple(exceptions),
        )

    def build(self) -> ir.Ruleset | None:
        rs = self.ruleset
        owner = f"ruleset {rs.id.text}"
        one_clause(rs.laws, "`law` line", owner, (x.span for x in rs.laws), self.diagnostics)
        one_clause(rs.covers, "`covers` line", owner, (c[0].span for c in rs.covers), self.diagnostics)
        one_clause(rs.applies, "`applies when` line", owner, (a.span for a in rs.applies), self.diagnostics)
        one_clause(rs.defaults, "`otherwise` line", owner, (d.span for d in rs.defaults), self.diagnostics)
        if not rs.covers:
            self.diagnostics.append(
                error(
                    "E207",
                    f"{owner} does not say which regions it covers",
                    rs.id.span,
                    help="add a line such as `covers EEA`",
                )
            )
        if not rs.defaults:
            self.diagnostics.append(
                error(
                    "E207",
                    f"{owner} has no default decision",
                    rs.id.span,
                    help='add a line such as `otherwise deny "No lawful basis" cites "GDPR Art. 6(1)"`',
                )
            )
        covers = [self.typer.region(c.text, c.span) for c in (rs.covers[0] if rs.covers else ())]
        start = self.date(rs.starts, "`from` date", owner)
        end = self.date(rs.ends, "`until` date", owner)
        self.typer.parameters = {}
        declared: dict[str, Span] = {}
        parameters: list[ir.Parameter] = []
        for parameter in rs.parameters:
            if not check_id(parameter.name, "parameter", self.diagnostics):
                continue
            if parameter.name.text in self.typer.parameters:
                self.diagnostics.append(
                    duplicate(f"parameter {parameter.name.text}", declared[parameter.name.text], parameter.name.span)
                )
                continue
            self.typer.parameters[parameter.name.text] = parameter.type
            declared[parameter.name.text] = parameter.name.span
        for parameter in rs.parameters:
            resolved = resolve_parameter(parameter, self.typer, [c for c in covers if c], start, end)
            if resolved is not None:
                parameters.append(resolved)
        # The ruleset's own obligations are numbered first: they are listed first in a decision.
        own_obligations = tuple(self.obligation(o, own=True) for o in rs.obligations)
        applies = self.typer.condition(rs.applies[0]) if rs.applies else None
        seen: dict[str, n.DecidingNode] = {}
        exclusions: list[ir.Node] = []
        rules: list[ir.Node] = []
        for decl in (*rs.exclusions, *rs.rules):
            if decl.id.text == "default":
                self.diagnostics.append(
                    error(
                        "E205",
                        f"default is the id of the ruleset's `otherwise` decision; give this {decl.kind} another id",
                        decl.id.span,
                    )
                )
                continue
            if not check_id(decl.id, decl.kind, self.diagnostics):
                continue
            first = seen.get(decl.id.text)
            if first is not None:
                self.diagnostics.append(
                    error(
                        "E202",
                        f"{owner} already has {_a(first.kind)} named {decl.id.text} (at {first.id.span.location})",
                        decl.id.span,
                        help="give each rule and exclusion of a ruleset its own id",
                    )
                )
                continue
            seen[decl.id.text] = decl
            (exclusions if decl.kind == "exclusion" else rules).append(self.node(decl, ""))
        default_decl = rs.defaults[0] if rs.defaults else None
        default = ir.Node(
            id="default",
            kind="default",
            effect=default_decl.effect if default_decl else "deny",
            title=default_decl.title if default_decl else "",
            citations=default_decl.citations if default_decl else (),
            span=default_decl.span if default_decl else rs.id.span,
            obligations=tuple(self.obligation(o) for o in default_decl.obligations) if default_decl else (),
        )
        return ir.Ruleset(
            id=rs.id.text,
            title=rs.title,
            law=rs.laws[0].text if rs.laws else None,
            span=rs.id.span,
            notes=rs.notes,
            covers=tuple(c for c in covers if c),
            start=start,
            end=end,
            applies=applies,
            default=default,
            parameters=tuple(parameters),
            exclusions=tuple(exclusions),
            rules=tuple(rules),
            obligations=own_obligations,
        )


def _matches_every_use(decl: n.DecidingNode, rule: ir.Node, ruleset: ir.Ruleset, vocabulary: ir.Vocabulary) -> bool:
    """Whether a rule as written matches every use its ruleset applies to: no condition, every key, every day."""
    if any(effect.condition is not None for effect in decl.effects) or decl.whens:
        return False
    roots = {
        "data": {k.key for k in vocabulary.data if not k.parents},
        "purpose": {k.key for k in vocabulary.purposes if not k.parents},
    }
    for written, scope, kind in ((decl.data, rule.data, "data"), (decl.purposes, rule.purposes, "purpose")):
        if written and (scope is None or not roots[kind] <= set(scope)):
            return False
    starts_late = bool(decl.starts) and (ruleset.start is None or rule.start is None or rule.start > ruleset.start)
    ends_early = bool(decl.ends) and (ruleset.end is None or rule.end is None or rule.end < ruleset.end)
    return not starts_late and not ends_early


def lint_default(decl: n.Ruleset, ruleset: ir.Ruleset, vocabulary: ir.Vocabulary) -> list[Diagnostic]:
    """W404: a rule that matches every use leaves the ruleset's default nothing to decide."""
    written = {rule.id.text: rule for rule in decl.rules}
    for rule in ruleset.rules:
        if rule.id in written and _matches_every_use(written[rule.id], rule, ruleset, vocabulary):
            default = ruleset.default
            return [
                warning(
                    "W404",
                    f"rule {rule.id} matches every use that ruleset {ruleset.id} applies to, "
                    f'so its default ({default.effect} "{default.title}") never decides',
                    rule.span,
                    help="a duty that holds for every use is written directly in the ruleset: "
                    '`obligation ID "text" cites "..."`; otherwise give the rule a scope or a condition',
                )
            ]
    return []


def _a(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def build_rulesets(files: Sequence[n.File], vocabulary: ir.Vocabulary) -> tuple[list[ir.Ruleset], list[Diagnostic]]:
    diagnostics: list[Diagnostic] = []
    typer = Typer(vocabulary, diagnostics)
    definitions = Definitions(files, set(typer.facts), diagnostics)
    typer.definitions = definitions
    rulesets: list[ir.Ruleset] = []
    seen: dict[str, n.Ruleset] = {}
    for decl in (d for file in files for d in file.declarations if isinstance(d, n.Ruleset)):
        if not check_id(decl.id, "ruleset", diagnostics):
            continue
        if decl.id.text in seen:
            diagnostics.append(duplicate(f"ruleset {decl.id.text}", seen[decl.id.text].id.span, decl.id.span))
            continue
        seen[decl.id.text] = decl
        definitions.enter(decl)
        built = _RulesetBuilder(typer, decl).build()
        definitions.leave(typer)
        if built is not None:
            rulesets.append(built)
            diagnostics.extend(lint_default(decl, built, vocabulary))
    typer.parameters = {}
    definitions.finish(typer)
    return sorted(rulesets, key=lambda r: r.id), diagnostics
