"""Pass 1 and 2 for one file, remembered: its syntax tree, its syntax errors and what was left out.

A file's syntax depends only on its display path (every span names it) and its
text, and the syntax tree is immutable, so a file read again unchanged is not
parsed again. The language server compiles a unit on every keystroke, and a
project's build compiles the shipped library each time: both re-read files that
did not change. The lark parse tree is not kept, only what is built from it.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from ..diagnostics import Diagnostic
from ..source import SourceFile
from .build_ast import build_ast
from .characters import forbidden_characters
from .nodes import File
from .parse import parse_recovering
from .recovery import Dropped

KEPT_FILES = 512  # least recently read files beyond this are forgotten: a bound on memory, not a rule


@dataclass(frozen=True)
class ReadFile:
    """One file's syntax: its tree (None when nothing of it parses), syntax errors, declarations left out."""

    file: File | None
    diagnostics: tuple[Diagnostic, ...]
    dropped: tuple[Dropped, ...]


_read: OrderedDict[tuple[str, str], ReadFile] = OrderedDict()


def read(source: SourceFile) -> ReadFile:
    """The syntax of `source`, parsed once per path and text for the life of the process."""
    key = (source.path, source.text)
    found = _read.get(key)
    if found is not None:
        _read.move_to_end(key)
        return found
    forbidden, text = forbidden_characters(source)
    readable = source if text is source.text else source.model_copy(update={"text": text})
    parsed = parse_recovering(readable)
    found = ReadFile(
        file=build_ast(readable, parsed.tree) if parsed.tree is not None else None,
        diagnostics=(*forbidden, *parsed.diagnostics),
        dropped=tuple(parsed.dropped),
    )
    _read[key] = found
    if len(_read) > KEPT_FILES:
        _read.popitem(last=False)
    return found
