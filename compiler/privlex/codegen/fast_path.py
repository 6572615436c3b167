"""The fast path of a ruleset module: `permitted(use, day) -> bool | None`.

It decides exactly as `evaluate` does but builds no reasons, so it can stop
early. A deny anywhere decides the ruleset (deny overrides permit), so rules
that can deny are emitted first and a matching deny leaf returns False at
once. Rules whose every leaf permits come after them: the first that matches
returns True, since no deny matched before it. A node whose leaves all have
one effect decides as soon as it matches, without looking at its exceptions.
Exclusions come first and return True.

Within each of these phases the order of the rules does not matter (any
match settles alike), so a test that several rules share and that is safe to
evaluate on its own (a scope or region test) is tested once, around them:
the rules of a region are skipped together when the use is elsewhere.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from .. import ir
from .pyexpr import Expr, conjunction

if TYPE_CHECKING:
    from .ruleset import Code, RulesetEmitter


def effects(node: ir.Node) -> set[str]:
    """The effects of a node and of every exception below it."""
    found: set[str] = {node.effect}
    for inner in node.exceptions:
        found |= effects(inner)
    return found


def permitted_code(emitter: RulesetEmitter, names: dict[str, str], code: Code) -> Code:
    ruleset = emitter.ruleset
    default_permits = ruleset.default.effect == "permit"
    can_deny = [node for node in ruleset.rules if "deny" in effects(node)]
    mixed = [node for node in can_deny if "permit" in effects(node)]
    # With a permitting default only a deny changes the outcome; otherwise a
    # permit leaf inside a rule that can also deny is remembered in `permit`.
    flag = bool(mixed) and not default_permits
    emitter.fast = {"deny": "return False", "permit": "permit = True" if flag else "pass"}
    try:
        for node in ruleset.exclusions:
            emitter.emit(code, node, 1, (), names)
        if flag:
            code.add(1, "permit = False")
        _emit_any(emitter, code, [_tests(emitter, node) for node in can_deny], 1, names)
        if default_permits:
            code.add(1, "return True")
            return code
        emitter.fast = {"deny": "return False", "permit": "return True"}
        permit_only = [_tests(emitter, node) for node in ruleset.rules if "deny" not in effects(node)]
        _emit_any(emitter, code, permit_only, 1, names)
        code.add(1, "return permit" if flag else "return False")
        return code
    finally:
        emitter.fast = None


# Tests that never raise and read no guarded fact: scopes and region membership.
_SAFE = re.compile(r"(?:data|purpose) (?:not )?in _\w+|'[\w-]+' (?:not )?in here|(?:not )?here\.isdisjoint\(\w+\)")


def _tests(emitter: RulesetEmitter, node: ir.Node) -> tuple[ir.Node, list[Expr]]:
    test = emitter.match(node)
    if test is None:
        return node, []
    return node, list(test[1]) if isinstance(test, tuple) and test[0] == "and" else [test]


def _emit_any(
    emitter: RulesetEmitter, code: Code, items: list[tuple[ir.Node, list[Expr]]], depth: int, names: dict[str, str]
) -> None:
    """Rules of one phase; the safe test most of them share is tested once around them."""
    shared: Counter[str] = Counter()
    for _, tests in items:
        shared.update(list(dict.fromkeys(t for t in tests if isinstance(t, str) and _SAFE.fullmatch(t))))
    if not shared or shared.most_common(1)[0][1] < 2:
        for node, tests in items:
            emitter.comment(code, node, depth)
            test = conjunction(tests)
            inner = depth
            if test is not None:
                code.add_if(depth, test)
                inner += 1
            emitter.body(code, node, inner, (node,), names)
        return
    best = shared.most_common(1)[0][0]  # ties: the test met first
    code.add_if(depth, best)
    _emit_any(
        emitter, code, [(n, [t for t in tests if t != best]) for n, tests in items if best in tests], depth + 1, names
    )
    _emit_any(emitter, code, [(n, tests) for n, tests in items if best not in tests], depth, names)
