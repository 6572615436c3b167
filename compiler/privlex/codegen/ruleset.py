"""One ruleset module of a generated package: constants, leaves, `evaluate` and `permitted`."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import jinja2

from .. import ir
from .fast_path import effects, permitted_code
from .pyexpr import (
    Conditions,
    Constants,
    Expr,
    comment,
    conjunction,
    date,
    sort_imports,
    statement,
    string,
)


@dataclass
class Code:
    """Indented lines of a function body, built by the emitters below."""

    lines: list[str] = field(default_factory=list)

    def add(self, depth: int, text: str) -> None:
        self.lines.append("    " * depth + text)

    def add_if(self, depth: int, expr: Expr, keyword: str = "if") -> None:
        for line in statement(keyword, expr, depth * 4):
            self.add(depth, line)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def _leaf_name(node: ir.Node) -> str:
    kind = {"rule": "RULE", "exception": "EXCEPTION", "exclusion": "EXCLUSION", "default": "DEFAULT"}[node.kind]
    if node.kind == "default":
        return "_DEFAULT"
    return f"_{kind}_{node.id.upper().replace('.', '__')}"


def _citations(citations: tuple[str, ...], indent: int) -> str:
    if not citations:
        return "[]"
    inner = "".join(" " * (indent + 4) + string(c, indent + 4) + ",\n" for c in citations)
    return "[\n" + inner + " " * indent + "]"


def _tuple(names: list[str], indent: int) -> str:
    """A tuple of names at `indent`, one per line when it would not fit on one."""
    one = "(" + "".join(f"{name}, " for name in names).rstrip(" ") + ")" if names else "()"
    if indent + len(one) + 1 <= 88:
        return one
    return "(\n" + "".join(" " * (indent + 4) + f"{name},\n" for name in names) + " " * indent + ")"


def _walk(node: ir.Node, path: tuple[ir.Node, ...] = ()) -> Iterator[tuple[ir.Node, tuple[ir.Node, ...]]]:
    yield node, (*path, node)
    for inner in node.exceptions:
        yield from _walk(inner, (*path, node))


class RulesetEmitter:
    """Everything one ruleset module needs: constants, leaves and the decide body."""

    def __init__(self, ruleset: ir.Ruleset, vocabulary: ir.Vocabulary) -> None:
        self.ruleset = ruleset
        self.constants = Constants()
        self.parameters = {p.name: f"_{p.name.upper()}" for p in ruleset.parameters}
        self.conditions = Conditions(vocabulary, self.constants, self.parameters)
        self.leaves: list[dict[str, str]] = []
        self.leaf_names: set[str] = set()
        self.obligations: list[dict[str, str]] = []
        self.flags = 0

    # ----------------------------------------------------------- constants

    def obligation_constants(self) -> dict[str, str]:
        """One constant per obligation as written, so each names the node that carries it."""
        nodes = [node for top in self.ruleset.tops for node, _ in _walk(top)]
        # The ruleset's own obligations are carried by the ruleset, written "" (rule="").
        carried = [("", self.ruleset.obligations)] + [(node.id, node.obligations) for node in nodes]
        carriers: dict[str, int] = {}
        for _, obligations in carried:
            for obligation_id in {o.id for o in obligations}:
                carriers[obligation_id] = carriers.get(obligation_id, 0) + 1
        names: dict[str, str] = {}
        for carrier, obligations in carried:
            for obligation in obligations:
                key = f"{carrier}/{obligation.id}"
                if key in names:
                    continue
                owner = "" if carriers[obligation.id] == 1 else (carrier or "ruleset").upper().replace(".", "__") + "__"
                name = f"_OBLIGATION_{owner}{obligation.id.upper()}"
                names[key] = name
                self.obligations.append(
                    {
                        "name": name,
                        "ruleset": repr(self.ruleset.id),
                        "id": repr(obligation.id),
                        "text": string(obligation.text, 4, prefix=len("text=")),
                        "rule": repr(carrier),
                        "citations": _citations(obligation.citations, 4),
                        "source": repr(obligation.span.location),
                        "order": str(obligation.order),
                    }
                )
        return names

    def leaf(self, node: ir.Node, path: tuple[ir.Node, ...], obligation_names: dict[str, str]) -> str:
        name = _leaf_name(node)
        if name in self.leaf_names:
            return name
        self.leaf_names.add(name)
        carried: list[str] = []
        if node.effect == "permit" and node.kind != "exclusion":
            carried += [obligation_names[f"/{o.id}"] for o in self.ruleset.obligations]
        if node.effect == "permit":
            for step in path:
                if step.effect == "permit":
                    for obligation in step.obligations:
                        constant = obligation_names[f"{step.id}/{obligation.id}"]
                        if constant not in carried:
                            carried.append(constant)
        self.leaves.append(
            {
                "name": name,
                "comments": comment("the default decision" if node.kind == "default" else f"{node.kind} {node.id}", 0),
                "ruleset": repr(self.ruleset.id),
                "rule": repr(node.id),
                "kind": repr(node.kind),
                "effect": "Effect.PERMIT" if node.effect == "permit" else "Effect.DENY",
                "title": string(node.title, 8, prefix=len("title=")),
                "citations": _citations(node.citations, 8),
                "source": repr(node.span.location),
                "obligations": _tuple(carried, 4),
            }
        )
        return name

    # ---------------------------------------------------------------- body

    def match(self, node: ir.Node) -> Expr | None:
        tests: list[Expr] = []
        if node.data is not None:
            tests.append(self.conditions.scope("data", node.data))
        if node.purposes is not None:
            tests.append(self.conditions.scope("purpose", node.purposes))
        if node.start is not None:
            self.conditions.reads_day = True
            tests.append(f"day >= {self.conditions.scalar(node.start)}")
        if node.end is not None:
            self.conditions.reads_day = True
            tests.append(f"day <= {self.conditions.scalar(node.end)}")
        if node.condition is not None:
            tests.append(self.conditions.true(node.condition))
        return conjunction(tests)

    def comment(self, code: Code, node: ir.Node, depth: int) -> None:
        for line in comment(f"{node.kind} {node.id}: {node.title}", depth * 4):
            code.add(depth, line)
        for note in node.notes:
            for line in comment(note, depth * 4):
                code.add(depth, line)

    def emit(self, code: Code, node: ir.Node, depth: int, path: tuple[ir.Node, ...], names: dict[str, str]) -> None:
        """A top-level node: test whether it matches, then decide inside it."""
        self.comment(code, node, depth)
        test = self.match(node)
        if test is not None:
            code.add_if(depth, test)
            depth += 1
        self.body(code, node, depth, (*path, node), names)

    # In `permitted` (the fast path), the statement a matching leaf runs, by
    # effect; None while emitting `evaluate`, where leaves are collected.
    fast: dict[str, str] | None = None

    def decide(self, node: ir.Node, path: tuple[ir.Node, ...], names: dict[str, str]) -> str:
        """What the code does when `node` decides: collect its leaf, or (fast path) settle."""
        if self.fast is not None:
            return "return True" if node.kind == "exclusion" else self.fast[node.effect]
        target = "excluded_by" if node.kind == "exclusion" else "permitted" if node.effect == "permit" else "denied"
        return f"{target}.append({self.leaf(node, path, names)})"

    def body(self, code: Code, node: ir.Node, depth: int, path: tuple[ir.Node, ...], names: dict[str, str]) -> None:
        """A node known to match: its matching exceptions decide, or else the node itself."""
        if not node.exceptions or (self.fast is not None and len(effects(node)) == 1):
            # On the fast path a node whose every leaf has one effect decides without its exceptions.
            code.add(depth, self.decide(node, path, names))
            return
        # On the fast path an exception that decides by returning needs no flag.
        returns = [
            self.fast is not None and len(effects(e)) == 1 and self.decide(e, path, names).startswith("return")
            for e in node.exceptions
        ]
        flag = ""
        if not all(returns):
            self.flags += 1
            flag = f"excepted_{self.flags}"
            code.add(depth, f"{flag} = False")
        for exception, exits in zip(node.exceptions, returns, strict=True):
            self.comment(code, exception, depth)
            test = self.match(exception)
            inner = depth
            if test is not None:
                code.add_if(depth, test)
                inner = depth + 1
            if not exits:
                code.add(inner, f"{flag} = True")
            self.body(code, exception, inner, (*path, exception), names)
        if flag:
            code.add(depth, f"if not {flag}:")
            code.add(depth + 1, self.decide(node, path, names))
        else:
            code.add(depth, self.decide(node, path, names))


def _timeline(pieces: tuple[tuple[datetime.date, datetime.date, ir.Scalar], ...]) -> str:
    rendered = [f"({date(a)}, {date(b)}, {v!r})" for a, b, v in pieces]
    if len(rendered) == 1:
        return f"({rendered[0]},)"
    return "(\n" + "".join(f"        {r},\n" for r in rendered) + "    )"


class RulesetModule(RulesetEmitter):
    def evaluate_code(self, names: dict[str, str]) -> Code:
        ruleset = self.ruleset
        code = Code()
        if ruleset.exclusions:
            code.add(1, "excluded_by: list[Leaf] = []")
            for node in ruleset.exclusions:
                self.emit(code, node, 1, (), names)
            code.add(1, "if excluded_by:")
            code.add(2, "return excluded(RULESET, excluded_by)")
        code.add(1, "denied: list[Leaf] = []")
        code.add(1, "permitted: list[Leaf] = []")
        for node in ruleset.rules:
            self.emit(code, node, 1, (), names)
        default = self.leaf(ruleset.default, (ruleset.default,), names)
        code.add(1, f"return settle(RULESET, {default}, denied, permitted)")
        return code

    def function_body(self, build: Callable[[], Code]) -> str:
        """The preamble (dates, coverage, locals, applicability), then the code `build` emits."""
        ruleset = self.ruleset
        self.conditions.locals = set()
        self.flags = 0
        code = build()
        applies = self.conditions.true(ruleset.applies) if ruleset.applies is not None else None

        preamble = Code()
        bounds = []
        if ruleset.start is not None:
            bounds.append(f"day < {self.conditions.scalar(ruleset.start)}")
        if ruleset.end is not None:
            bounds.append(f"day > {self.conditions.scalar(ruleset.end)}")
        if bounds:
            self.conditions.reads_day = True
            preamble.add(1, f"if {' or '.join(bounds)}:")
            preamble.add(2, "return None")
        preamble.add(1, "here = WITHIN.get(use.region) or places(use.region, WITHIN)")
        if len(ruleset.covers) == 1:
            preamble.add(1, f"if {ruleset.covers[0]!r} not in here:")
        else:
            covers = self.constants.add(
                "_COVERS", "frozenset({" + ", ".join(repr(c) for c in sorted(ruleset.covers)) + "})"
            )
            preamble.add(1, f"if here.isdisjoint({covers}):")
        preamble.add(2, "return None")
        for local in sorted(self.conditions.locals - {"here"}):
            preamble.add(1, f"{local} = use.{local}")
        if applies is not None:
            preamble.add_if(1, applies, keyword="if not")
            preamble.add(2, "return None")
        return preamble.text + "\n" + code.text

    def render(self, environment: jinja2.Environment, header: str) -> str:
        ruleset = self.ruleset
        names = self.obligation_constants()
        body = self.function_body(lambda: self.evaluate_code(names))
        fast_body = self.function_body(lambda: permitted_code(self, names, Code()))
        reads_day = self.conditions.reads_day

        uses_places = True
        runtime = {"Effect", "Leaf", "Reason", "RulesetResult", "settle"}
        if self.obligations:
            runtime.add("Obligation")
        if ruleset.exclusions:
            runtime.add("excluded")
        if ruleset.parameters:
            runtime.add("parameter_value")
        if uses_places:
            runtime.add("places")
        constants = [
            {"name": name, "annotation": "", "expression": expression, "comments": comment(note, 0) if note else []}
            for name, (expression, note) in self.constants.items.items()
        ]
        for parameter in ruleset.parameters:
            python_type = {"integer": "int", "boolean": "bool", "date": "datetime.date"}[parameter.kind]
            rows = "".join(
                f"    {code!r}: {_timeline(pieces)},\n" for code, pieces in sorted(parameter.timeline.items())
            )
            constants.append(
                {
                    "name": self.parameters[parameter.name],
                    "annotation": f": dict[str, tuple[tuple[datetime.date, datetime.date, {python_type}], ...]]",
                    "expression": "{\n" + rows + "}",
                    "comments": comment(
                        f"parameter {parameter.name}: {parameter.title} ({', '.join(parameter.citations)})", 0
                    ),
                }
            )
        lines = [f"{ruleset.title}.", ""]
        if ruleset.law:
            lines.append(f"Law: {ruleset.law}")
        lines.append(f"Covers: {', '.join(ruleset.covers)}")
        if ruleset.start or ruleset.end:
            lines.append(f"In force: {ruleset.start or '...'} to {ruleset.end or '...'}")
        lines.append(f"Source: {ruleset.span.location}")
        if ruleset.notes:
            lines += ["", *ruleset.notes]
        for parameter in ruleset.parameters:
            lines += [
                "",
                f"Parameter {parameter.name}: {parameter.title} ({parameter.span.location})",
                *parameter.notes,
            ]
        lines += ["", "Decisions, in the order they are considered:"]
        for top in (*ruleset.exclusions, *ruleset.rules, ruleset.default):
            for node, path in _walk(top):
                depth = "  " * (len(path) - 1)
                lines += [
                    "",
                    f"{depth}{node.id} ({node.kind}, {node.effect}): {node.title}",
                    f"{depth}  cites {'; '.join(node.citations)} ({node.span.location})",
                ]
                lines += [f"{depth}  {note}" for note in node.notes]
        return environment.get_template("ruleset.py.j2").render(
            header=header,
            doc="\n".join(lines).rstrip() + "\n",
            runtime_imports=sort_imports(runtime),
            vocabulary_imports=sort_imports({"WITHIN", "DataUse"}),
            ruleset_id=ruleset.id,
            constants=constants,
            obligations=self.obligations,
            leaves=self.leaves,
            function_doc=f"Decide `use` on `day` under {ruleset.id} alone; None when it does not apply.",
            body=body,
            fast_doc=f"Whether {ruleset.id} alone permits: `evaluate` without reasons, stopping at a deny.",
            fast_body=fast_body,
            day_annotation="datetime.date" if reads_day else "datetime.date | None",
        )
