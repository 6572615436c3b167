"""Pass 1: rule file text -> lark parse tree, and every syntax error in plain words.

The grammar and its parser are in `grammar`, the words of each error in
`error_messages`. After a syntax error the parser goes on with the next
declaration (see privlex.syntax.recovery), so one run reports the errors of
every block.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, field

from lark import Token, Tree, UnexpectedInput
from lark.indenter import DedentError

from ..diagnostics import Diagnostic, error
from ..source import SourceFile, source_lines
from .error_messages import span_at, syntax_error
from .grammar import parser
from .limits import check_limits
from .recovery import Dropped, blank, region, unclosed_bracket

MAX_SYNTAX_ERRORS = 50  # per file; past that the file is left out, as a file of another language would be
KEPT_TREES = 64  # least recently parsed texts beyond this are forgotten: a bound on memory, not a rule

# The lark tree of each text that parsed, by text alone: it names no file (spans are made from it later, for
# each path), and nothing changes a lark tree once built. The same text read under another path (a copy of
# the rules, the shipped library as `privlex:shipped/...` and as `rulesets/...`) is then not parsed again.
_trees: OrderedDict[str, Tree[Token]] = OrderedDict()


@dataclass
class Parsed:
    """A file's parse tree (without the declarations left out), its syntax errors, and what was left out."""

    tree: Tree[Token] | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)


def _parse_text(text: str) -> Tree[Token]:
    """lark's parse of `text`, remembered when it succeeds (a syntax error names its file: it is raised again)."""
    found = _trees.get(text)
    if found is not None:
        _trees.move_to_end(text)
        return found
    found = _trees[text] = parser().parse(text)
    if len(_trees) > KEPT_TREES:
        _trees.popitem(last=False)
    return found


def _first_error(source: SourceFile, text: str) -> tuple[Tree[Token] | None, Diagnostic | None]:
    try:
        return _parse_text(text), None
    except UnexpectedInput as exc:
        return None, syntax_error(source, text, exc)
    except DedentError:
        line, column = _dedent_position(text)
        span = span_at(source, line, column)
        return None, error(
            "E102",
            "this line's indentation matches no enclosing block",
            span,
            help="line it up with the line that opened the block, or with a line above it",
        )


def parse_recovering(source: SourceFile) -> Parsed:
    """Parse one file, going on after each syntax error with the next declaration (privlex.syntax.recovery)."""
    text = source.text if source.text.endswith("\n") else source.text + "\n"
    parsed = Parsed(tree=None)
    for _ in range(MAX_SYNTAX_ERRORS):
        tree, problem = _first_error(source, text)
        if problem is None:
            # A file beyond privlex's limits is left out whole, before anything recursive reads it.
            limits = check_limits(source, tree) if tree is not None else []
            parsed.diagnostics.extend(limits)
            parsed.tree = None if limits else tree
            return parsed
        line = problem.span.line if problem.span else 1
        bracket = unclosed_bracket(text, line)
        if bracket is not None:
            char = source_lines(text)[bracket[0] - 1][bracket[1] - 1]
            problem = error(
                "E101",
                f'this "{char}" is never closed',
                span_at(source, *bracket),
                help=f'close it with "{")" if char == "(" else "}"}" where the condition ends, on this line '
                "or a line below it",
            )
        if not any(problem.span == seen.span for seen in parsed.diagnostics):
            parsed.diagnostics.append(problem)
        dropped = region(source.path, text, line)
        if dropped is None:
            return parsed
        parsed.dropped.append(dropped)
        text = blank(text, dropped)
    return parsed


def parse(source: SourceFile) -> tuple[Tree[Token] | None, list[Diagnostic]]:
    """Parse one file: its tree, or None and every syntax error found by going on after each one."""
    parsed = parse_recovering(source)
    return (parsed.tree if not parsed.diagnostics else None), parsed.diagnostics


def _dedent_position(text: str) -> tuple[int, int]:
    """lark's DedentError names no line; find the first inconsistent one and its first character."""
    stack = [0]
    depth = 0
    for number, raw in enumerate(source_lines(text), start=1):
        stripped = raw.strip()
        if not stripped or (stripped.startswith("#") and depth == 0):
            continue
        expanded = raw.expandtabs(8)
        indent = len(expanded) - len(expanded.lstrip())
        if depth == 0:
            if indent > stack[-1]:
                stack.append(indent)
            else:
                while indent < stack[-1]:
                    stack.pop()
                if indent != stack[-1]:
                    return number, len(raw) - len(raw.lstrip()) + 1
        depth = max(0, depth + _bracket_balance(raw))
    return 1, 1


def _bracket_balance(line: str) -> int:
    """How many more ( and { than ) and } a line opens, outside texts and comments."""
    code = re.sub(r'"([^"\\\n]|\\.)*"', "", line).split("#", 1)[0]
    return sum(code.count(c) for c in "({") - sum(code.count(c) for c in ")}")
