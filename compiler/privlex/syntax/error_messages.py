"""A syntax error in the words of a rule file's author: what lark reports, made into an E101 or E102.

Terminal names become the words an author uses (`"a title or text in double
quotes"`, never `STRING` or `__ANON_0`), and typical mistakes get a hint
(`&&`, a missing colon or title, `if` for `when`); the mistakes that need more
of the file to recognise are in `mistakes`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from lark import Token, UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.lexer import PatternStr

from ..diagnostics import Diagnostic, error
from ..source import SourceFile, Span, source_lines
from .grammar import parser
from .mistakes import (
    WRAP_HELP,
    WRAP_MESSAGE,
    connective_column,
    first_word,
    indented_under,
    misplaced_clause,
    wrapped_condition,
)

# Terminal names in the words a rule file's author uses.
_WORDS = {
    "PATH": "a name",
    "STRING": "a title or text in double quotes",
    "REGION": "a region code such as DE or US-CA",
    "DATE": "a date written YYYY-MM-DD",
    "INT": "a whole number",
    "_NL": "the end of the line",
    "_INDENT": "an indented block",
    "_DEDENT": "the end of the block",
    "COLON": '":"',
    "COMMA": '","',
    "LPAR": '"("',
    "RPAR": '")"',
    "LBRACE": '"{"',
    "RBRACE": '"}"',
    "PERMIT": '"permit"',
    "DENY": '"deny"',
    "COMPARISON": "a comparison such as < or >=",
    "$END": "the end of the file",
}

# Hints for typical mistakes, recognised from the offending token, the tokens
# the parser would have accepted, and the start of the line.
HINT_OUTSIDE_RULESET = "rules, exceptions, exclusions and parameters belong inside a ruleset block"
HINT_COLON = 'a header line ends with ":" before its indented block'
HINT_TITLE = "a declaration needs a title in double quotes after its name"
HINT_WHEN = 'conditions start with "when", not "if"'
HINT_OPERATORS = {
    "&": 'write "and" instead of "&&"',
    "|": 'write "or" instead of "||"',
    "!": 'write "not" instead of "!"',
    "=": 'compare with a single "=", or with "is"',
}
HINT_EFFECT = "an effect is either permit or deny"
HINT_CITATIONS = "citations are quoted texts separated by commas"

_BLOCK_KEYWORDS = {
    "RULE",
    "UNLESS",
    "EXCLUSION",
    "PARAMETER",
    "LAW",
    "COVERS",
    "FROM",
    "UNTIL",
    "APPLIES",
    "OTHERWISE",
    "CITES",
    "PERMIT",
    "DENY",
    "WHEN",
    "OBLIGATION",
    "ON",
    "GIVEN",
    "EXPECT",
}
_DECLARATION_START = re.compile(
    r"\s*(ruleset|rule|unless|exclusion|parameter|test|data|purpose|basis|fact|country|subdivision|group)"
    r"\s+[\w.-]+\s*\Z"
)
_EFFECT_WORDS = {
    "allow",
    "allowed",
    "permitted",
    "permits",
    "accept",
    "denied",
    "denies",
    "forbid",
    "forbidden",
    "prohibit",
    "prohibited",
    "reject",
    "block",
}


def _hint(token: Token | None, char: str, accepts: set[str], before: str) -> str | None:
    """A plain-words hint for a typical mistake, or None."""
    if char in HINT_OPERATORS:
        return HINT_OPERATORS[char]
    if token is not None and token.type == "COMPARISON" and before.endswith(("=", "<", ">", "!")):
        return HINT_OPERATORS["="] if before.endswith("=") and token.value == "=" else None
    if token is None:
        return None
    value = str(token.value)
    if token.type in _BLOCK_KEYWORDS and "RULESET" in accepts:
        return HINT_OUTSIDE_RULESET
    if value in ("if", "where", "provided") and "WHEN" in accepts:
        return HINT_WHEN
    if token.type in ("_NL", "_INDENT") and "COLON" in accepts:
        return HINT_COLON
    if ("STRING" in accepts or token.type == "STRING") and re.search(r"\bcites\b", before):
        return HINT_CITATIONS
    if "STRING" in accepts and _DECLARATION_START.match(before):
        return HINT_TITLE
    if "PERMIT" in accepts and (value in _EFFECT_WORDS or accepts <= {"PERMIT", "DENY"}):
        return HINT_EFFECT
    return None


def span_at(source: SourceFile, line: int, column: int, width: int = 1) -> Span:
    return Span(file=source.path, line=line, column=column, end_line=line, end_column=column + width)


@cache
def _keywords() -> dict[str, str]:
    """Every terminal that is a fixed word or sign, by name: `"date"` for lark's `__ANON_0`."""
    return {t.name: f'"{t.pattern.value}"' for t in parser().terminals if isinstance(t.pattern, PatternStr)}


def _word(name: str) -> str:
    """A terminal in the author's words; never a grammar-internal name."""
    return _WORDS.get(name) or _keywords().get(name) or "another word"


def _expected_words(expected: set[str]) -> str:
    words = sorted({_word(name) for name in expected})
    if len(words) > 12:
        words = words[:12] + ["…"]
    return ", ".join(words)


def _accepts(exc: UnexpectedInput) -> set[str]:
    """The terminals the parser would have taken here (exact, unlike lark's `expected`)."""
    interactive = getattr(exc, "interactive_parser", None)
    if interactive is not None:
        try:
            return set(interactive.accepts())
        except UnexpectedInput:  # pragma: no cover - lark could not simulate; fall back
            pass
    return set(getattr(exc, "expected", None) or getattr(exc, "allowed", None) or ())


_WORD = re.compile(r'[^\s"(){},:#]+')


def _shown(text: str, token: Token) -> str:
    """The offending word as the author wrote it (lark may have split it)."""
    start = token.start_pos
    if token.type in ("PATH", "REGION", "INT") and start is not None:
        word = _WORD.match(text, start)
        if word:
            return word.group()
    return str(token.value)


def _describe(token: Token, shown: str) -> str:
    if token.type == "_NL":
        return "this line ends too early"
    if token.type == "_DEDENT":
        return "this block ends too early"
    if token.type == "$END":
        return "the file ends too early"
    if token.type == "STRING":
        return f"unexpected text {shown}"
    return f'unexpected "{shown}"'


_CONTROL_NAMES = {"\r": "carriage return", "\f": "form feed", "\v": "line tabulation", "\x00": "null"}


def _character_name(char: str) -> str:
    name = _CONTROL_NAMES.get(char) or unicodedata.name(char, "")
    return f"U+{ord(char):04X} ({name.lower()})" if name else f"U+{ord(char):04X}"


def _line_before(text: str, line: int, column: int) -> str:
    lines = source_lines(text)
    return lines[line - 1][: column - 1] if 0 < line <= len(lines) else ""


def syntax_error(source: SourceFile, text: str, exc: UnexpectedInput) -> Diagnostic:
    """The diagnostic for the first syntax error lark found in a file's text."""
    accepts = _accepts(exc)
    expected = f"expected {_expected_words(accepts)}" if accepts else None
    if isinstance(exc, UnexpectedCharacters):
        position = exc.pos_in_stream or 0
        char = text[position] if position < len(text) else ""
        span = span_at(source, exc.line, exc.column)
        if char == '"':
            return error(
                "E101",
                "this text has no closing double quote on its line",
                span,
                help="texts are written on one line, between double quotes",
            )
        if not char.isprintable() or (char.isspace() and char != " "):
            return error(
                "E101",
                f"unexpected invisible character {_character_name(char)}",
                span,
                help="retype the spaces and line breaks here: text pasted from a word processor "
                "can hold such characters",
            )
        hint = _hint(None, char, accepts, _line_before(text, exc.line, exc.column))
        return error("E101", f"unexpected character {char!r}", span, help=hint or expected)
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        line = token.line if isinstance(token.line, int) else exc.line
        column = token.column if isinstance(token.column, int) else exc.column
        if token.type in ("_INDENT", "_DEDENT") and token.end_line is not None:
            # Indentation tokens borrow the line break's position; point at the indented line.
            line, column = token.end_line, token.end_column
        line, column = max(line or 1, 1), max(column or 1, 1)
        shown = _shown(text, token)
        width = len(shown) if token.type not in ("_NL", "_INDENT", "_DEDENT", "$END") else 1
        span = span_at(source, line, column, max(width, 1))
        if wrapped_condition(token.type, text, line, column):
            start = connective_column(text, line)
            if start is not None:
                span = span_at(source, line, start, len(first_word(source_lines(text)[line - 1])))
            return error("E101", WRAP_MESSAGE, span, help=WRAP_HELP)
        if token.type == "_INDENT":
            message, help = indented_under(text, line) or (
                "this line is indented more than the block it is in",
                'indent only the lines inside a block opened by a line ending in ":"',
            )
            return error("E102", message, span, help=help)
        if accepts == {"_INDENT"}:
            return _empty_block(source, text, line)
        before = _line_before(text, line, column)
        outside = token.type in ("RULE", "UNLESS", "EXCLUSION", "PARAMETER") and "RULESET" in accepts
        misplaced = misplaced_clause(shown, text, line, column)
        if misplaced and not outside:
            return error("E101", misplaced[0], span, help=misplaced[1])
        hint = _hint(token, "", accepts, before)
        return error("E101", _describe(token, shown), span, help=hint or expected)
    span = span_at(source, max(exc.line, 1), max(exc.column, 1))
    return error("E101", "the file ends in the middle of a declaration", span, help=expected)


def _empty_block(source: SourceFile, text: str, line: int) -> Diagnostic:
    """A header ending in ":" with no indented lines below it: point at the header."""
    lines = source_lines(text)
    header = line - 1
    while header > 1 and (not lines[header - 1].strip() or lines[header - 1].lstrip().startswith("#")):
        header -= 1
    header_text = lines[header - 1] if 0 < header <= len(lines) else ""
    colon = header_text.rstrip().rfind(":") + 1
    span = span_at(source, max(header, 1), max(colon, 1))
    return error(
        "E101",
        'this line ends with ":" but nothing is indented below it',
        span,
        help="indent the lines that belong to it below it",
    )
