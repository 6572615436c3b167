"""Source files and spans: where every node and every diagnostic points."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ConfigDict

# How a file of the shipped library is named in diagnostics, reasons and the
# source hash, wherever privlex is installed (privlex.build.library).
SHIPPED_PREFIX = "privlex:shipped/"


class Span(BaseModel):
    """A region of one source file; lines and columns are 1-based code points."""

    model_config = ConfigDict(frozen=True)

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"


class SourceFile(BaseModel):
    """A rule file as read: its display path (relative, POSIX) and its text."""

    model_config = ConfigDict(frozen=True)

    path: str
    text: str
    data: bytes

    def line_text(self, line: int) -> str:
        lines = source_lines(self.text)
        return lines[line - 1] if 0 < line <= len(lines) else ""


def source_lines(text: str) -> list[str]:
    """A file's lines as the parser counts them: only "\\n" ends a line ("\\r\\n" too).

    Unlike str.splitlines, form feeds, U+2028 and the like inside a line do not
    end it, so line numbers agree with the parser's.
    """
    return [line.removesuffix("\r") for line in text.split("\n")]


def display_root(paths: Iterable[Path]) -> Path:
    """The folder that source paths are shown relative to.

    The nearest folder holding a pyproject.toml above the first source, else
    the common parent: independent of the current directory, so that the same
    sources compile to the same bytes from anywhere.
    """
    resolved = [p.resolve() for p in paths]
    if not resolved:
        return Path.cwd()
    for folder in resolved[0].parents:
        if (folder / "pyproject.toml").is_file() and all(folder in p.parents for p in resolved):
            return folder
    common = resolved[0].parent
    while not all(common in p.parents for p in resolved):
        common = common.parent
    return common


def load_source(path: Path, root: Path) -> SourceFile:
    """Read one rule file; raises OSError or UnicodeDecodeError."""
    data = path.read_bytes()
    text = data.decode("utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    shown = path.resolve().relative_to(root).as_posix()
    return SourceFile(path=shown, text=text, data=data)


def unit_hash(sources: Iterable[SourceFile]) -> str:
    """sha256 over the relative POSIX paths and bytes of the unit's files."""
    digest = hashlib.sha256()
    for source in sorted(sources, key=lambda s: s.path):
        path = source.path.encode("utf-8")
        digest.update(len(path).to_bytes(8, "big") + path)
        digest.update(len(source.data).to_bytes(8, "big") + source.data)
    return digest.hexdigest()


def display_path(path: Path, folder: Path | None = None) -> str:
    """A path as a person at `folder` (the current one) would write it.

    Relative when it lies below the folder or at most two levels up from it,
    absolute when it lies further away.
    """
    here = (folder or Path.cwd()).resolve()
    target = path.resolve()
    try:
        relative = Path(os.path.relpath(target, here))
    except ValueError:  # another drive
        return target.as_posix()
    if relative.parts[:3] == ("..", "..", ".."):
        return target.as_posix()
    return relative.as_posix()
