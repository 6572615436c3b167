"""`privlex fmt`: one canonical layout of rule files, that never changes what they mean.

`format_text` lays a file out from the parser's own tokens (`layout`), puts
the clauses of known blocks in their canonical order (`known`), and prints it
(`printer`). Before anything is returned, the result is read back and
compared with what was meant to be printed: the same tokens in the same
blocks, the same comments. A file that cannot be formatted is left as it is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from lark.exceptions import LarkError
from lark.indenter import DedentError

from ..diagnostics import Diagnostic
from ..source import SourceFile
from ..syntax.parse import parse
from .known import file_trees, pair
from .layout import Block, Layout, read_layout
from .printer import Printer

__all__ = ["FormatError", "format_text"]


class FormatError(Exception):
    """The file cannot be formatted: it does not parse (`diagnostics`), or formatting would change it."""

    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None) -> None:
        super().__init__(message)
        self.diagnostics = diagnostics or []


def _prepared(text: str) -> str:
    text = text.removeprefix("\ufeff")
    return text if text.endswith("\n") else text + "\n"


def _shape(block: Block, depth: int = 0) -> Iterator[tuple[int, tuple[tuple[str, str], ...]]]:
    for statement in block.statements:
        yield depth, tuple((t.type, str(t.value)) for t in statement.tokens)
        if statement.body is not None:
            yield from _shape(statement.body, depth + 1)


def _comments(layout: Layout) -> Counter[str]:
    """Every comment of the file, as text, wherever it sits."""
    found: Counter[str] = Counter()

    def visit(block: Block) -> None:
        for statement in block.statements:
            for run in statement.detached:
                found.update(line.strip() for line in run.lines)
            found.update(line.strip() for line in statement.leading)
            if statement.trailing is not None:
                found[statement.trailing.strip()] += 1
            if statement.verbatim is not None:
                found.update(_inner_comments(statement.verbatim))
            if statement.body is not None:
                visit(statement.body)
        for run in block.end:
            found.update(line.strip() for line in run.lines)

    visit(layout.block)
    return found


def _inner_comments(text: str) -> list[str]:
    """Comments inside a statement kept as written (outside its texts in double quotes)."""
    found: list[str] = []
    index, quoted = 0, False
    while index < len(text):
        char = text[index]
        if quoted and char == "\\":
            index += 2
            continue
        if char == '"':
            quoted = not quoted
        elif char == "#" and not quoted:
            end = text.find("\n", index)
            end = len(text) if end < 0 else end
            found.append(text[index:end].strip())
            index = end
            continue
        index += 1
    return found


def _read(text: str, path: str) -> Layout:
    try:
        return read_layout(text)
    except (LarkError, DedentError) as exc:
        source = SourceFile(path=path, text=text, data=text.encode("utf-8"))
        _, diagnostics = parse(source)
        raise FormatError(f"{path} has a syntax error", diagnostics) from exc


def format_text(text: str, path: str = "<stdin>") -> str:
    """The file in its canonical layout; raises FormatError when it cannot be formatted."""
    text = _prepared(text)
    layout = _read(text, path)
    pair(layout.block, file_trees(layout.tree))
    printer = Printer()
    printer.block(layout.block, 0, None)
    result = printer.text()
    if result == text:  # already in its layout (`fmt --check`, a save in an editor): it read back as it was read
        again = layout
    else:
        try:
            again = read_layout(result)
        except (LarkError, DedentError) as exc:
            raise FormatError(f"formatting {path} would break it: left as it is (please report this)") from exc
    if list(_shape(again.block)) != printer.shape or _comments(again) != _comments(layout):
        raise FormatError(f"formatting {path} would change it: left as it is (please report this)")
    return result
