"""The decision tree of a ruleset as Python statements, shared by `evaluate` and the fast path.

A `DecisionTree` writes, for a node, the test that it matches and, inside it,
the recursion of semantics rule 4: a node's matching exceptions decide, or
else the node itself. What a deciding node does is the `Strategy`'s business:
`evaluate` collects its leaf, the fast path settles the outcome.

Exceptions nest as `if` blocks, so the code reads like the rule file. A tree
deeper than `MAX_DEPTH` blocks is written flat instead: one flag per node, set
in source order (`consent_child_matches = consent_matches and ...`), then each
node's decision in the same order as the nested form, so that no unit's
output outgrows Python's limit on indentation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from .. import ir
from . import layout
from . import pyexpr as py
from .conditions import Conditions
from .identifiers import node_stem
from .literals import comment
from .pyexpr import TRUE, Condition, Test, conjunction, expression, known_when_true, simplify

# The deepest block a nested tree may reach; deeper trees are written flat.
MAX_DEPTH = 10


@dataclass
class Code:
    """Indented lines of a function body."""

    lines: list[str] = field(default_factory=list)

    def add(self, depth: int, text: str) -> None:
        self.lines.append("    " * depth + text)

    def statement(self, depth: int, head: str, value: py.Expression, tail: str = "") -> None:
        """`head VALUE tail`, laid out as ruff formats it."""
        self.lines.extend(layout.statement(head, value, tail, depth * 4))

    def run(self, depth: int, decision: Decision) -> None:
        """The statement of a deciding node."""
        if isinstance(decision.statement, str):
            self.add(depth, decision.statement)
        else:
            self.statement(depth, "", decision.statement)

    def comments(self, depth: int, texts: Iterable[str]) -> None:
        for text in texts:
            self.lines.extend("    " * depth + line for line in comment(text, depth * 4))

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass(frozen=True)
class Decision:
    """The statement a deciding node runs, and whether it ends the function."""

    statement: str | py.Expression
    exits: bool


class Strategy(Protocol):
    """What the code does where a node decides."""

    def decide(self, node: ir.Node, parents: tuple[ir.Node, ...]) -> Decision:
        """The statement of a matching node none of whose exceptions match."""

    def settles(self, node: ir.Node) -> bool:
        """Whether a matching node decides at once, without looking at its exceptions."""

    def notes(self, node: ir.Node) -> list[str]:
        """The comment lines above a node's test, after its one-line pointer."""


def pointer(node: ir.Node) -> str:
    """`rule consent — GDPR Art. 6(1)(a); GDPR Art. 7, rulesets/gdpr.rules:93`."""
    name = "default" if node.kind == "default" else f"{node.kind} {node.id}"
    return f"{name} — {'; '.join(node.citations)}, {node.span.location}"


def _height(node: ir.Node) -> int:
    """How many levels of exceptions lie below the node."""
    return max((len(parents) for _, parents in node.walk()), default=0)


class DecisionTree:
    def __init__(self, conditions: Conditions, strategy: Strategy, code: Code) -> None:
        self.conditions = conditions
        self.strategy = strategy
        self.code = code

    def match(self, node: ir.Node) -> Condition:
        """When the node matches, given that its parent does: scope, dates and condition."""
        conditions = self.conditions
        conditions.owner = node.id
        tests: list[Condition] = []
        if node.data is not None:
            tests.append(conditions.scope("data", node.data))
        if node.purposes is not None:
            tests.append(conditions.scope("purpose", node.purposes))
        if node.start is not None:
            start = py.Name(conditions.date(node.start))
            tests.append(Test(py.Compare(py.Name("day"), ">=", start), "date"))
        if node.end is not None:
            end = py.Name(conditions.date(node.end))
            tests.append(Test(py.Compare(py.Name("day"), "<=", end), "date"))
        if node.condition is not None:
            tests.append(conditions.true(node.condition))
        conditions.owner = ""
        return conjunction(tests) if tests else TRUE

    def comment(self, node: ir.Node, depth: int) -> None:
        self.code.comments(depth, [pointer(node), *self.strategy.notes(node)])

    def top(self, node: ir.Node, test: Condition, depth: int) -> None:
        """A node of the ruleset's top level, `test` its (remaining) match."""
        self.comment(node, depth)
        test = simplify(test)
        if test != TRUE:
            self.code.statement(depth, "if ", expression(test), ":")
            self.body(node, depth + 1, (), known_when_true(test))
        else:
            self.body(node, depth, (), frozenset())

    def body(self, node: ir.Node, depth: int, parents: tuple[ir.Node, ...], known: frozenset[str]) -> None:
        """A node known to match: its matching exceptions decide, or else the node itself."""
        code, strategy = self.code, self.strategy
        if not node.exceptions or strategy.settles(node):
            code.run(depth, strategy.decide(node, parents))
            return
        if depth + _height(node) > MAX_DEPTH:
            self.flat(node, depth, parents, known)
            return
        inside = (*parents, node)
        exits = [strategy.settles(e) and strategy.decide(e, inside).exits for e in node.exceptions]
        flag = ""
        if not all(exits):
            flag = self.conditions.local_names.fresh(f"{node_stem(node).lower()}_excepted")
            code.add(depth, f"{flag} = False")
        for exception, exit_ in zip(node.exceptions, exits, strict=True):
            self.comment(exception, depth)
            test = simplify(self.match(exception), known)
            inner, inner_known = depth, known
            if test != TRUE:
                code.statement(depth, "if ", expression(test), ":")
                inner, inner_known = depth + 1, known | known_when_true(test)
            if not exit_:
                code.add(inner, f"{flag} = True")
            self.body(exception, inner, inside, inner_known)
        if flag:
            code.add(depth, f"if not {flag}:")
            code.run(depth + 1, strategy.decide(node, parents))
        else:
            code.run(depth, strategy.decide(node, parents))

    def flat(self, root: ir.Node, depth: int, parents: tuple[ir.Node, ...], known: frozenset[str]) -> None:
        """A matching node whose exceptions are too deep to nest: a flag per node, then the decisions.

        A node and one of its exceptions never both decide, so deciding in
        source order lists the leaves in the order the nested form does.
        """
        code, strategy = self.code, self.strategy
        flags: dict[int, str] = {}
        consulted: list[tuple[ir.Node, tuple[ir.Node, ...]]] = []
        for node, above in root.walk(parents):
            if node is root or any(strategy.settles(n) for n in above[len(parents) + 1 :]):
                continue  # the root matches; below a settled node nothing is consulted
            self.comment(node, depth)
            flag = self.conditions.local_names.fresh(f"{node_stem(node).lower()}_matches")
            flags[id(node)] = flag
            # A flag: the parent's flag and the node's own test, which may rely only on what
            # is known around the root (a flag carries no narrowing of a fact's type).
            tests = [] if above[-1] is root else [Test(py.Name(flags[id(above[-1])]), "flag")]
            test = simplify(conjunction([*tests, self.match(node)]), known)
            code.statement(depth, f"{flag} = ", expression(test) if test != TRUE else py.Name("True"))
            consulted.append((node, above))
        for node, above in [(root, parents), *consulted]:
            if node is not root and strategy.settles(node):
                code.add(depth, f"if {flags[id(node)]}:")
                code.run(depth + 1, strategy.decide(node, above))
                continue
            parts: list[py.Expression] = [] if node is root else [py.Name(flags[id(node)])]
            if node.exceptions:
                excepted = tuple(py.Name(flags[id(e)]) for e in node.exceptions)
                parts.append(py.Not(excepted[0] if len(excepted) == 1 else py.BoolOp("or", excepted)))
            if parts:
                code.statement(depth, "if ", parts[0] if len(parts) == 1 else py.BoolOp("and", tuple(parts)), ":")
                code.run(depth + 1, strategy.decide(node, above))
            else:
                code.run(depth, strategy.decide(node, above))
