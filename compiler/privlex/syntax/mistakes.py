"""Syntax mistakes recognised and explained in the words of a rule file's author.

Two kinds, beyond the hints of `error_messages`: a condition wrapped onto the next line
without parentheses, and a clause written where it cannot stand (the message
names the clause and says where it goes).
"""

from __future__ import annotations

import re

from ..source import source_lines

WRAP_MESSAGE = "a condition that goes on to the next line must be wrapped in parentheses"
WRAP_HELP = (
    "write `(` before the condition's first word and `)` after its last, as in `permit when (consent.given` "
    "and, on the next line, `and not consent.bundled)`: inside parentheses, line breaks are free"
)

_RULESET_LINE = 'is a line of a ruleset, directly below `ruleset ID "title":`'
PLACES: dict[str, str] = {
    "obligation": "an obligation goes in a rule, exception or exclusion that permits, directly in a ruleset "
    '(a duty for every permit), or in an `otherwise permit "title":` block',
    "cites": "`cites` goes in a rule, exception, exclusion, parameter or definition, in an `otherwise ...:` "
    "block, or at the end of an `otherwise` or `obligation` line",
    "unless": "an exception (`unless`) goes inside a rule or inside another exception",
    "rule": "a rule goes directly in a ruleset",
    "exclusion": "an exclusion goes directly in a ruleset",
    "parameter": "a parameter goes directly in a ruleset",
    "covers": f"`covers` {_RULESET_LINE}",
    "law": f"`law` {_RULESET_LINE}",
    "applies": f"`applies when` {_RULESET_LINE}",
    "otherwise": f"`otherwise` {_RULESET_LINE}",
    "given": "`given` is a line of a test",
    "expect": "`expect` is a line of a test",
    "on": "`on` and its date is a line of a test",
    "permit": "an effect line (`permit when ...`) goes in a rule or an exception; a ruleset's default is "
    "written `otherwise permit ...`",
    "deny": "an effect line (`deny when ...`) goes in a rule or an exception; a ruleset's default is "
    "written `otherwise deny ...`",
    "when": "a `when` line goes in an exclusion; in a rule or an exception the condition follows the effect: "
    "`permit when ...`",
    "define": "a definition goes at the top level of a file (for the whole unit) or directly in a ruleset "
    "(for that ruleset)",
    "test": "a test goes at the top level of a file or directly in a ruleset",
    "from": "`from` and its date is a line of a ruleset, rule, exception or exclusion, or follows a parameter's value",
    "until": "`until` and its date is a line of a ruleset, rule, exception or exclusion, or follows a parameter's "
    "value",
}

_CONNECTIVE_START = re.compile(r"\s*(and|or)\b")
_CONNECTIVE_END = re.compile(r"\b(and|or|not)\s*(#.*)?\Z")
_CONDITION_LINE = re.compile(r"^\s*((permit|deny)\s+when|when|applies\s+when)\b")


def _code_line_above(lines: list[str], line: int) -> str:
    """The nearest line above `line` (1-based) that holds code, not a blank or a comment."""
    for number in range(line - 1, 0, -1):
        text = lines[number - 1]
        if text.strip() and not text.lstrip().startswith("#"):
            return text
    return ""


def connective_column(text: str, line: int) -> int | None:
    """The column of the `and` or `or` that starts a line, if one does."""
    lines = source_lines(text)
    found = _CONNECTIVE_START.match(lines[line - 1]) if 0 < line <= len(lines) else None
    return found.start(1) + 1 if found else None


def first_word(text: str) -> str:
    found = re.match(r"\s*([a-z_]+)", text)
    return found.group(1) if found else ""


def wrapped_condition(kind: str, text: str, line: int, column: int) -> bool:
    """Whether a syntax error at (line, column) is a condition wrapped without parentheses.

    `kind` is the unexpected token's type: a line starting with `and`/`or`, a
    line indented under a condition, or a line ending in `and`, `or` or `not`.
    """
    lines = source_lines(text)
    here = lines[line - 1] if 0 < line <= len(lines) else ""
    before = here[: column - 1]
    if _CONNECTIVE_START.match(here) and kind != "_DEDENT":
        return True  # no line of the language starts with `and` or `or`
    if kind == "_NL":
        return bool(_CONNECTIVE_END.search(before))
    if kind == "_INDENT":
        above = _code_line_above(lines, line)
        return bool(_CONNECTIVE_START.match(here) or _CONNECTIVE_END.search(above.split("#", 1)[0].rstrip())) or bool(
            _CONDITION_LINE.match(above) and first_word(here) not in PLACES
        )
    return False


def misplaced_clause(word: str, text: str, line: int, column: int) -> tuple[str, str] | None:
    """(message, help) when a clause keyword starts a line where the grammar does not take it."""
    lines = source_lines(text)
    here = lines[line - 1] if 0 < line <= len(lines) else ""
    if word not in PLACES or here[: column - 1].strip():
        return None
    return f'"{word}" cannot stand here', PLACES[word]


def indented_under(text: str, line: int) -> tuple[str, str] | None:
    """(message, help) for a line indented under a line that opens no block, when the cause is clear."""
    lines = source_lines(text)
    here = lines[line - 1] if 0 < line <= len(lines) else ""
    above = _code_line_above(lines, line)
    word = first_word(here)
    if first_word(above) == "otherwise" and word in ("obligation", "cites"):
        return (
            f'"{word}" is indented under a one-line `otherwise`',
            'end the `otherwise` line with ":" to give the default its own citations and obligations, '
            "indented below it; a duty for every permit of the ruleset goes directly in the ruleset",
        )
    return None
