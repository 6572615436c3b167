"""The fast path of a ruleset module: `permitted(use, day) -> bool | None`.

It decides exactly as `evaluate` does but builds no reasons, so it can stop
early. A deny anywhere decides the ruleset (deny overrides permit), so rules
that can deny are emitted first and a matching deny leaf returns False at
once. Rules whose every leaf permits come after them: the first that matches
returns True, since no deny matched before it. A node whose leaves all have
one effect decides as soon as it matches, without looking at its exceptions.
Exclusions come first and return True.

Within each of these phases the order of the rules does not matter (any
match settles alike), so a test that several rules share and that may be
evaluated out of its place (`Test.hoistable`: a scope or region test) is
tested once, around them: the rules of a region are skipped together when the
use is elsewhere.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .. import ir
from . import layout
from .conditions import Conditions
from .decisions import Code, Decision, DecisionTree, pointer
from .pyexpr import Condition, Test, conjunction, expression, tests

# How many shared tests may be nested around the rules of one phase.
MAX_HOISTS = 3


@dataclass(frozen=True)
class FastStrategy:
    """A matching leaf settles: `deny` and `permit` are the statements of each effect."""

    deny: Decision
    permit: Decision

    def decide(self, node: ir.Node, parents: tuple[ir.Node, ...]) -> Decision:
        if node.kind == "exclusion":
            return Decision("return True", exits=True)
        return self.deny if node.effect == "deny" else self.permit

    def settles(self, node: ir.Node) -> bool:
        return len(node.effects) == 1

    def notes(self, node: ir.Node) -> list[str]:
        return []


RETURN_FALSE = Decision("return False", exits=True)
RETURN_TRUE = Decision("return True", exits=True)


def permitted_code(ruleset: ir.Ruleset, conditions: Conditions) -> Code:
    """The body of `permitted` after its preamble."""
    code = Code()
    default_permits = ruleset.default.effect == "permit"
    can_deny = [node for node in ruleset.rules if "deny" in node.effects]
    mixed = any("permit" in node.effects for node in can_deny)
    # With a permitting default only a deny changes the outcome; otherwise a
    # permit leaf inside a rule that can also deny is remembered in `permit`.
    remember = mixed and not default_permits
    permit = Decision("permit = True", exits=False) if remember else Decision("pass", exits=False)
    first = DecisionTree(conditions, FastStrategy(deny=RETURN_FALSE, permit=permit), code)
    for node in ruleset.exclusions:
        first.top(node, first.match(node), 1)
    if remember:
        code.add(1, "permit = False")
    _emit_any(first, [(node, tests(first.match(node))) for node in can_deny], 1)
    if default_permits:
        code.comments(1, [pointer(ruleset.default)])
        code.add(1, "return True")
        return code
    second = DecisionTree(conditions, FastStrategy(deny=RETURN_FALSE, permit=RETURN_TRUE), code)
    permit_only = [node for node in ruleset.rules if "deny" not in node.effects]
    _emit_any(second, [(node, tests(second.match(node))) for node in permit_only], 1)
    code.comments(1, [pointer(ruleset.default)])
    code.add(1, "return permit" if remember else "return False")
    return code


def _emit_any(tree: DecisionTree, items: list[tuple[ir.Node, list[Condition]]], depth: int, hoists: int = 0) -> None:
    """Rules of one phase; the hoistable test most of them share is tested once around them."""
    # Tests compare by their text, computed once.
    _hoist(tree, [(node, parts, _keys(parts)) for node, parts in items], depth, hoists)


def _keys(parts: list[Condition]) -> dict[str, Test]:
    return {layout.flat(p.expression): p for p in parts if isinstance(p, Test) and p.hoistable}


def _hoist(
    tree: DecisionTree, items: list[tuple[ir.Node, list[Condition], dict[str, Test]]], depth: int, hoists: int
) -> None:
    while items:
        shared = Counter(key for _, _, keys in items for key in keys)
        common = shared.most_common(1)  # ties: the test met first
        if hoists >= MAX_HOISTS or not common or common[0][1] < 2:
            for node, parts, _ in items:
                tree.top(node, conjunction(parts), depth)
            return
        best = common[0][0]
        test = next(keys[best] for _, _, keys in items if best in keys)
        tree.code.statement(depth, "if ", expression(test), ":")
        inside = [
            (node, [p for p in parts if p is not keys[best]], {k: t for k, t in keys.items() if k != best})
            for node, parts, keys in items
            if best in keys
        ]
        _hoist(tree, inside, depth + 1, hoists + 1)
        items = [item for item in items if best not in item[2]]
