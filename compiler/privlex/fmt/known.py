"""What the formatter knows about the grammar's statements, and how it pairs lines with the parse tree.

Everything here is an allowance, never a requirement: a statement whose parts
do not look as expected keeps `kind = None`, and a block holding one is left
in the order written. So a construct added to the grammar later is never
reordered or rewrapped, only re-indented and re-spaced token by token.
"""

from __future__ import annotations

from lark import Token, Tree

from .layout import Block

# Block statements: how many header parts come before the body items, and their kinds.
_HEADERS: dict[str, tuple[str, ...]] = {
    "ruleset": ("token", "token"),
    "rule": ("token", "token"),
    "exception": ("token", "token"),
    "exclusion": ("token", "token"),
    "test": ("token", "token"),
    "group_decl": ("token", "token"),
    "parameter": ("token", "token", "tree"),
    "definition": ("token", "token"),
    "property_decl": ("token", "token"),
}
# Blocks whose header has optional parts: the body is the trailing run of these clauses.
_TRAILING_BODIES: dict[str, frozenset[str]] = {
    "default_clause": frozenset({"cites_clause", "obligation"}),
    "obligation": frozenset({"cites_clause", "when_clause"}),
}

_RULESET = {
    "law_clause": 0,
    "covers_clause": 1,
    "from_clause": 2,
    "until_clause": 3,
    "applies_clause": 4,
    "obligation": 5,  # duties of every permit of the ruleset
    "default_clause": 6,
    "definition": 7,
    "parameter": 7,
    "exclusion": 7,
    "rule": 7,
    "test": 7,
    "property_decl": 7,
}
_NODE = {
    "cites_clause": 0,
    "data_scope": 1,
    "purpose_scope": 2,
    "from_clause": 3,
    "until_clause": 4,
    "effect_clause": 5,
    "when_clause": 6,
    "obligation": 7,
    "exception": 8,
}

# The canonical order of the clauses of a block; clauses of equal rank keep their order.
CLAUSE_ORDER: dict[str, dict[str, int]] = {
    "ruleset": _RULESET,
    "rule": _NODE,
    "exception": _NODE,
    "exclusion": _NODE,
    "parameter": {"cites_clause": 0, "param_value": 1},
    "test": {"on_clause": 0, "given_clause": 1, "expect_clause": 2},
    "default_clause": {"cites_clause": 0, "obligation": 1},
    "obligation": {"cites_clause": 0, "when_clause": 1},
    "definition": {"cites_clause": 0, "define_condition": 1},
    "property_decl": {"cites_clause": 0, "claim_clause": 1},
}

# Statements whose line ends with a condition, and the token types before it.
CONDITION_LINES: dict[str, tuple[frozenset[str], ...]] = {
    "effect_clause": (frozenset({"PERMIT", "DENY"}), frozenset({"WHEN"})),
    "when_clause": (frozenset({"WHEN"}),),
    "applies_clause": (frozenset({"APPLIES"}), frozenset({"WHEN"})),
    "define_condition": (),
    "claim_clause": (frozenset({"NEVER", "ALWAYS"}), frozenset({"PERMIT", "DENY"}), frozenset({"WHEN"})),
}

# Where blocks are set apart by blank lines: the file and the bodies of these.
SPACED_BODIES = frozenset({"ruleset"})


def _body_trees(tree: Tree[Token]) -> list[Tree[Token]] | None:
    trailing = _TRAILING_BODIES.get(str(tree.data))
    if trailing is not None:
        body: list[Tree[Token]] = []
        for child in reversed(tree.children):
            if not (isinstance(child, Tree) and str(child.data) in trailing):
                break
            body.insert(0, child)
        return body or None
    header = _HEADERS.get(str(tree.data))
    if header is None or len(tree.children) < len(header):
        return None
    for part, child in zip(header, tree.children, strict=False):
        if (part == "token") != isinstance(child, Token):
            return None
    rest = tree.children[len(header) :]
    if not all(isinstance(child, Tree) for child in rest):
        return None
    return [child for child in rest if isinstance(child, Tree)]


def pair(block: Block, trees: list[Tree[Token]]) -> None:
    """Give each statement of the block the parse tree it came from, where they line up exactly."""
    if len(trees) != len(block.statements):
        return
    for statement, tree in zip(block.statements, trees, strict=True):
        is_block = statement.body is not None
        inner = _body_trees(tree) if is_block else None
        if is_block and inner is None:
            continue  # a block the formatter does not know: keep its lines as they come
        if not is_block and (str(tree.data) in _HEADERS or (inner is None and _body_trees(tree))):
            continue
        statement.kind = str(tree.data)
        statement.tree = tree
        if statement.body is not None and inner is not None:
            pair(statement.body, inner)


def file_trees(tree: Tree[Token]) -> list[Tree[Token]]:
    return [child for child in tree.children if isinstance(child, Tree)]


def condition_start(kind: str | None, tokens: list[Token]) -> int | None:
    """The index of the first token of the line's condition, for a known condition line."""
    if kind is None or kind not in CONDITION_LINES:
        return None
    prefix = CONDITION_LINES[kind]
    if len(tokens) <= len(prefix):
        return None
    if all(token.type in allowed for token, allowed in zip(tokens, prefix, strict=False)):
        return len(prefix)
    return None
