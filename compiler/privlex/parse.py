"""Pass 1: rule file text -> lark parse tree, or a syntax error in plain words."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from lark import Lark, Token, Tree, UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.indenter import DedentError, Indenter

from .diagnostics import Diagnostic, error
from .source import SourceFile, Span

GRAMMAR_NAME = "privlex.lark"


class _Blocks(Indenter):
    NL_type = "_NL"
    OPEN_PAREN_types = ["LPAR", "LBRACE"]
    CLOSE_PAREN_types = ["RPAR", "RBRACE"]
    INDENT_type = "_INDENT"
    DEDENT_type = "_DEDENT"
    tab_len = 8


def grammar_text() -> str:
    """The grammar, from the installed package or else from the checkout."""
    packaged = resources.files("privlex").joinpath("grammar").joinpath(GRAMMAR_NAME)
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    checkout = Path(__file__).resolve().parents[2] / "grammar" / GRAMMAR_NAME
    return checkout.read_text(encoding="utf-8")


@cache
def parser() -> Lark:
    return Lark(
        grammar_text(),
        parser="lalr",
        postlex=_Blocks(),
        strict=True,
        propagate_positions=True,
        maybe_placeholders=False,
    )


# Terminal names in the words a rule file's author uses.
_WORDS = {
    "PATH": "a name",
    "STRING": 'a title or text in double quotes',
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
HINT_OPERATORS = 'write "and", "or" and "not" as words; compare with "is", "=", "<" or ">="'
HINT_EFFECT = "an effect is either permit or deny"
HINT_CITATIONS = "citations are quoted texts separated by commas"

_BLOCK_KEYWORDS = {
    "RULE", "UNLESS", "EXCLUSION", "PARAMETER", "LAW", "COVERS", "FROM", "UNTIL", "APPLIES",
    "OTHERWISE", "CITES", "PERMIT", "DENY", "WHEN", "OBLIGATION", "ON", "GIVEN", "EXPECT",
}
_DECLARATION_START = re.compile(
    r"\s*(ruleset|rule|unless|exclusion|parameter|test|data|purpose|basis|fact|country|subdivision|group)"
    r"\s+[\w.-]+\s*\Z"
)
_EFFECT_WORDS = {"allow", "allowed", "permitted", "permits", "accept", "denied", "denies", "forbid",
                 "forbidden", "prohibit", "prohibited", "reject", "block"}


def _hint(token: Token | None, char: str, accepts: set[str], before: str) -> str | None:
    """A plain-words hint for a typical mistake, or None."""
    if char in ("&", "|", "!") or (token is not None and token.type == "COMPARISON" and before.rstrip().endswith(("=", "<", ">"))):
        return HINT_OPERATORS
    if token is None:
        return None
    value = str(token.value)
    if token.type in _BLOCK_KEYWORDS and "RULESET" in accepts:
        return HINT_OUTSIDE_RULESET
    if value in ("if", "where", "provided") and "WHEN" in accepts:
        return HINT_WHEN
    if token.type in ("_NL", "_INDENT") and "COLON" in accepts:
        return HINT_COLON
    if "STRING" in accepts and re.search(r"\bcites\b", before):
        return HINT_CITATIONS
    if "STRING" in accepts and _DECLARATION_START.match(before):
        return HINT_TITLE
    if "PERMIT" in accepts and (value in _EFFECT_WORDS or accepts <= {"PERMIT", "DENY"}):
        return HINT_EFFECT
    return None


def _span_at(source: SourceFile, line: int, column: int, width: int = 1) -> Span:
    return Span(
        file=source.path, line=line, column=column, end_line=line, end_column=column + width
    )


def _expected_words(expected: set[str]) -> str:
    words = sorted({_WORDS.get(name, f'"{name.lower()}"') for name in expected})
    if len(words) > 6:
        words = words[:6] + ["…"]
    return ", ".join(words)


def _describe(token: Token) -> str:
    if token.type == "_NL":
        return "this line ends too early"
    if token.type == "_DEDENT":
        return "this block ends too early"
    if token.type == "$END":
        return "the file ends too early"
    if token.type == "STRING":
        return f"unexpected text {token.value}"
    return f'unexpected "{token.value}"'


def _syntax_diagnostic(source: SourceFile, exc: UnexpectedInput) -> Diagnostic:
    label = exc.match_examples(parser().parse, _EXAMPLES, use_accepts=True)
    if isinstance(exc, UnexpectedCharacters):
        char = source.text[exc.pos_in_stream] if exc.pos_in_stream < len(source.text) else ""
        span = _span_at(source, exc.line, exc.column)
        if char == '"':
            return error("E101", "this text has no closing double quote on its line", span,
                         help='texts are written on one line, between double quotes')
        message = f"unexpected character {char!r}"
        return error("E101", message, span, help=label or f"expected {_expected_words(exc.allowed)}")
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        line = token.line if token.line is not None else exc.line
        column = token.column if token.column is not None else exc.column
        if token.type in ("_INDENT", "_DEDENT") and token.end_line is not None:
            # Indentation tokens borrow the line break's position; point at the indented line.
            line, column = token.end_line, token.end_column
        width = len(str(token.value)) if token.type not in ("_NL", "_INDENT", "_DEDENT") else 1
        span = _span_at(source, max(line or 1, 1), max(column or 1, 1), max(width, 1))
        if token.type == "_INDENT":
            return error("E102", "this line is indented more than the block it is in", span,
                         help="indent only the lines inside a block opened by a line ending in \":\"")
        message = _describe(token)
        expected = _expected_words(exc.expected)
        return error("E101", message, span, help=label or f"expected {expected}")
    span = _span_at(source, max(exc.line, 1), max(exc.column, 1))
    return error("E101", "the file ends in the middle of a declaration", span, help=label)


def parse(source: SourceFile) -> tuple[Tree[Token] | None, list[Diagnostic]]:
    """Parse one file; a syntax error stops this file, not the run."""
    text = source.text if source.text.endswith("\n") else source.text + "\n"
    try:
        return parser().parse(text), []
    except UnexpectedInput as exc:
        return None, [_syntax_diagnostic(source, exc)]
    except DedentError as exc:
        line = _dedent_line(text, str(exc))
        span = _span_at(source, line, 1)
        return None, [error("E102", "this line's indentation matches no enclosing block", span,
                            help="line it up with the line that opened the block, or with a line above it")]


def _dedent_line(text: str, message: str) -> int:
    """lark's DedentError names no line; find the first inconsistent one."""
    stack = [0]
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(raw.expandtabs(8)) - len(raw.expandtabs(8).lstrip())
        if indent > stack[-1]:
            stack.append(indent)
        else:
            while indent < stack[-1]:
                stack.pop()
            if indent != stack[-1]:
                return number
    return 1
