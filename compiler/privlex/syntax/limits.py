"""privlex's limits on what one rule file may hold (docs/security.md, "Limits").

Beyond them the file is reported and left out before anything recursive reads
it, so that no rule file can make the compiler or the generated code recurse
without bound or read numbers that no dataset column can hold.
"""

from __future__ import annotations

from lark import Token, Tree

from ..diagnostics import Diagnostic, error
from ..source import SourceFile, Span


def _span(source: SourceFile, line: int, column: int, width: int = 1) -> Span:
    return Span(file=source.path, line=line, column=column, end_line=line, end_column=column + width)


# Limits on what one rule file may hold (docs/security.md, "Limits"): beyond
# them the file is reported and left out, before anything recursive reads it.
MAX_CONDITION_DEPTH = 32  # `not`, `and`, `or` nested inside each other
MAX_EXCEPTION_DEPTH = 32  # `unless` blocks nested inside each other
MAX_INTEGER_DIGITS = 18  # below 10**18: fits a 64-bit integer column
_CONDITION_NODES = frozenset({"negation", "and_test", "or_test"})


def _tree_span(source: SourceFile, tree: Tree[Token]) -> Span:
    meta = tree.meta
    line, column = getattr(meta, "line", 1), getattr(meta, "column", 1)
    return _span(source, line, column, len(tree.data) if tree.data != "negation" else 3)


def check_limits(source: SourceFile, tree: Tree[Token]) -> list[Diagnostic]:
    """Conditions and exceptions nested too deeply, and numbers too large (E103, E104).

    Walks the parse tree without recursion, so that any depth is reported,
    not a Python RecursionError.
    """
    found: list[Diagnostic] = []
    pending: list[tuple[Tree[Token] | Token, int, int]] = [(tree, 0, 0)]
    while pending:
        item, conditions, exceptions = pending.pop()
        if isinstance(item, Token):
            if item.type == "INT" and len(item.value) > MAX_INTEGER_DIGITS:
                width = min(len(item.value), 40)
                found.append(
                    error(
                        "E104",
                        f"this number has {len(item.value)} digits; privlex takes whole numbers "
                        f"of at most {MAX_INTEGER_DIGITS} digits",
                        _span(source, item.line or 1, item.column or 1, width),
                        help="ages, years and thresholds are small numbers: check what was meant",
                    )
                )
            continue
        if item.data in _CONDITION_NODES:
            conditions += 1
            if conditions > MAX_CONDITION_DEPTH:
                found.append(
                    error(
                        "E103",
                        f"this condition is nested more than {MAX_CONDITION_DEPTH} levels deep",
                        _tree_span(source, item),
                        help="split it: give the parts to separate rules or exceptions",
                    )
                )
                continue
        elif item.data == "exception":
            exceptions += 1
            if exceptions > MAX_EXCEPTION_DEPTH:
                found.append(
                    error(
                        "E103",
                        f"this exception is nested more than {MAX_EXCEPTION_DEPTH} levels deep",
                        _span(source, getattr(item.meta, "line", 1), getattr(item.meta, "column", 1), 6),
                        help="flatten the exceptions: an exception of an exception can often be a sibling",
                    )
                )
                continue
        pending.extend((child, conditions, exceptions) for child in reversed(item.children))
    return found
