"""Characters a rule file may not hold anywhere, titles and comments included (E105).

A control character (an escape, a backspace) in a title reaches the terminal
of whoever runs `privlex explain` or `privlex decide`, where it can recolour
or rewrite what is shown. A bidirectional control (U+202E and its kin)
reorders how an editor or a code review shows a line, so that a reviewer
reads one rule while privlex compiles another ("Trojan Source"). Neither has
a place in a law's text: each is reported where it stands, and the file is
parsed as if it were a space, so that the rest of it is checked too.
"""

from __future__ import annotations

import re
import unicodedata

from ..diagnostics import Diagnostic, error
from ..source import SourceFile, Span

# C0 and C1 controls but the tab, line feed and form feed the grammar reads as
# white space; a carriage return not ending a line (it makes a terminal write
# the rest of the line over its start); DEL; the bidirectional embeddings,
# overrides, isolates and marks. Zero-width joiners stay: some scripts need them.
FORBIDDEN_CHARACTERS = frozenset(
    [chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0D, *range(0x0E, 0x20), *range(0x7F, 0xA0))]
    + ["\u200e", "\u200f", *map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A))]
)
FORBIDDEN = re.compile("\r(?!\n|$)|[" + "".join(sorted(FORBIDDEN_CHARACTERS - {"\r"})) + "]")

_NAMES = {"\x00": "null", "\r": "carriage return", "\x1b": "escape", "\x08": "backspace", "\x7f": "delete"}


def _name(char: str) -> str:
    name = _NAMES.get(char) or unicodedata.name(char, "")
    return f"U+{ord(char):04X} ({name.lower()})" if name else f"U+{ord(char):04X}"


def _is_bidirectional(char: str) -> bool:
    return unicodedata.category(char) == "Cf"


def forbidden_characters(source: SourceFile) -> tuple[list[Diagnostic], str]:
    """E105 for every forbidden character, and the text with each replaced by a space for the parser."""
    found: list[Diagnostic] = []
    for number, line in enumerate(source.text.split("\n"), start=1):
        matches = list(FORBIDDEN.finditer(line))
        if not matches:
            continue
        char, column = matches[0].group(), matches[0].start() + 1  # one error a line, at the first
        span = Span(file=source.path, line=number, column=column, end_line=number, end_column=column + 1)
        # The others on the line are counted after the first's name, which ends in its own parentheses.
        others = len(matches) - 1
        if _is_bidirectional(char):
            more = f", with {others} more on this line," if others else ""
            message = (
                f"an invisible character {_name(char)}{more} reorders how this line is shown: "
                "a reader would not see the text privlex reads"
            )
            help = "delete it; to write right-to-left text, type it in the order it is read"
        else:
            more = f", and {others} more on this line" if others else ""
            message = f"a control character {_name(char)}{more}: a rule file holds printable text only"
            help = "delete it; it is invisible in most editors and can rewrite what a terminal shows"
        found.append(error("E105", message, span, help=help))
    if not found:
        return found, source.text
    return found, FORBIDDEN.sub(" ", source.text)
