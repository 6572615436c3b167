"""Every text that reaches generated code: string literals, docstrings and comments.

`escape` is the one function that turns text from a rule file (a title, a
citation, a note, a file name, a key) into code points that are safe inside
generated Python: a backslash and every character that is not printable
(line breaks, tabs, U+2028, bidirectional controls, ...) are written as Python
escapes, as `repr` writes them, so no text can end a comment, a literal or a
line. The functions below only choose quotes, wrap and lay out what `escape`
returned; they never let a raw character of the text through.
"""

from __future__ import annotations

import functools
import re

from .printer import LINE_WIDTH
from .pyexpr import Name, Strings

_SPECIAL = re.compile(r"[^ -~]|\\")  # outside printable ASCII, and the backslash
# One unit of escaped text: an escape sequence or a single character.
_ESCAPE_LENGTH = {"x": 4, "u": 6, "U": 10}


def _escape_character(match: re.Match[str]) -> str:
    char = match.group()
    if char == "\\":
        return "\\\\"
    if char.isprintable():
        return char
    return repr(char)[1:-1]


def escape(text: str, quote: str = "") -> str:
    """`text` as printable code points on one line; backslashes, `quote` and unprintable characters escaped."""
    escaped = _SPECIAL.sub(_escape_character, text)
    return escaped.replace(quote, "\\" + quote) if quote else escaped


def _boundary(text: str, start: int, cut: int) -> int:
    """The last place at or before `cut` that does not split an escape sequence of `text`.

    `start` is a known boundary; only the text between it and `cut` is read.
    """
    position = start
    while position < cut:
        if text[position] == "\\" and position + 1 < len(text):
            length = _ESCAPE_LENGTH.get(text[position + 1], 2)
            if position + length > cut:
                return position
            position += length
        else:
            position += 1
    return cut


def chunks(text: str, width: int) -> list[str]:
    """Escaped `text` cut into pieces of at most `width` characters, never inside an escape sequence."""
    pieces: list[str] = []
    start = 0
    while len(text) - start > width:
        cut = _boundary(text, start, start + width)
        if cut == start:  # an escape longer than the width: keep it whole
            cut = start + _ESCAPE_LENGTH.get(text[start + 1], 2)
        pieces.append(text[start:cut])
        start = cut
    pieces.append(text[start:])
    return pieces


def wrap(text: str, width: int, hanging: int = 2) -> list[str]:
    """Escaped one-line `text` filled into lines of at most `width`, breaking at spaces.

    Leading spaces are kept on the first line and repeated, plus `hanging`, on
    the lines that continue it; a word longer than a line is cut (in linear time).
    """
    stripped = text.lstrip(" ")
    lead = text[: len(text) - len(stripped)]
    room = max(width - len(lead) - hanging, 20)
    lines: list[str] = []
    current = ""
    for word in stripped.split():
        if current and len(current) + 1 + len(word) <= room:
            current += " " + word
            continue
        if current:
            lines.append(current)
        pieces = chunks(word, room)
        lines.extend(pieces[:-1])
        current = pieces[-1]
    lines.append(current)
    return [lead + lines[0]] + [lead + " " * hanging + line for line in lines[1:]]


@functools.lru_cache(maxsize=4096)
def comment(text: str, indent: int) -> tuple[str, ...]:
    """`# ...` lines for code at `indent`, one or more per line of `text`, within the line width."""
    lines: list[str] = []
    for line in text.split("\n"):
        lines.extend(f"# {part}".rstrip() for part in wrap(escape(line), LINE_WIDTH - indent - 2))
    return tuple(lines)


def scalar(value: object) -> str:
    """A literal for a number or boolean (a string goes through `string`, a date is a call).

    An integer too long for Python's decimal conversion limit is written in hex.
    """
    if isinstance(value, str):
        return string(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value).bit_length() > 13_000:
        return hex(value)
    return repr(value)


def _quote(text: str) -> str:
    """The quote ruff prefers: a double quote, unless the text holds more of them than single ones."""
    return "'" if text.count('"') > text.count("'") else '"'


@functools.lru_cache(maxsize=8192)
def string(text: str) -> str:
    """A one-line str literal holding exactly `text`."""
    quote = _quote(text)
    return quote + escape(text, quote) + quote


def text_literal(text: str, indent: int, prefix: int, suffix: int = 1) -> Name | Strings:
    """`text` as a literal at `indent` after `prefix` columns, split into parts when the line would be long.

    A long text after a prefix (`text=`) goes on its own line in parentheses;
    one longer than a line becomes the implicit concatenation of parts cut at
    spaces, each a literal on its own line (ruff keeps such parts as they are).
    """
    whole = string(text)
    if indent + prefix + len(whole) + suffix <= LINE_WIDTH:
        return Name(whole)
    if prefix and indent + 4 + len(whole) <= LINE_WIDTH:
        return Strings((whole,))
    room = LINE_WIDTH - indent - 4 - 2 - 1
    parts: list[str] = []
    current = ""
    for word in re.findall(r"\S+\s*|\s+", text):
        if current and len(escape(current + word, '"')) > room:
            parts.append(current)
            current = ""
        if len(escape(word, '"')) > room:
            pieces = _cut(word, room)
            parts.extend(pieces[:-1])
            current = pieces[-1]
        else:
            current += word
    if current:
        parts.append(current)
    return Strings(tuple(string(part) for part in parts))


def _cut(word: str, room: int) -> list[str]:
    """`word` cut into pieces whose literals have at most `room` characters inside the quotes."""
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for char in word:
        width = len(escape(char, '"'))
        if current and size + width > room:
            pieces.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += width
    pieces.append("".join(current))
    return pieces


_DOCTEST = re.compile(r"^( *)>>>", re.MULTILINE)


def docstring(text: str, indent: int) -> str:
    """A triple-quoted docstring holding `text`, for code at `indent`, wrapped to the line width.

    Each line is escaped; then a quote that follows a quote, and a quote just
    before the closing quotes, are escaped too, so the literal cannot close
    early. A line starting with `>>>` is written `>> >`, so that no note becomes
    a doctest. The layout is the one `ruff format` leaves: continuation lines
    at the docstring's indentation, keeping their relative indentation, and no
    trailing spaces.
    """
    source = _DOCTEST.sub(r"\1>> >", text).split("\n")
    lines = wrap(escape(source[0].strip(" ")), LINE_WIDTH - indent - 6, hanging=0)
    for line in source[1:]:
        lines.extend(wrap(escape(line.rstrip(" ")), LINE_WIDTH - indent) if line.strip(" ") else [""])
    # continuation lines keep their indentation relative to the least indented one
    common = min((len(line) - len(line.lstrip(" ")) for line in lines[1:] if line), default=0)
    lines = lines[:1] + [line[common:] for line in lines[1:]]
    while len(lines) > 1 and not lines[-1]:
        lines.pop()
    pad = " " * indent
    joined = "\n".join(lines[:1] + [pad + line if line else "" for line in lines[1:]])
    # Every backslash in `joined` is doubled by `escape`, so each quote in it is a raw quote.
    quoted = re.sub(r'(?<=")"', '\\\\"', joined)
    if len(lines) == 1 and joined.endswith('"') and not joined.endswith('""'):
        quoted = quoted[:-1] + '\\"'
    return '"""' + quoted + ("\n" + pad if len(lines) > 1 else "") + '"""'
