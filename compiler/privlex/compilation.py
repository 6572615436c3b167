"""Reading a unit's rule files into a `Compilation`, without the compiler's passes.

Kept apart from `pipeline` so that what only needs the files (the source hash
`privlex filter` and `decide` compare with the generated package's) does not
import the parser, the passes and the templates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .diagnostics import Diagnostic, error
from .source import SourceFile, Span, display_root, load_source

if TYPE_CHECKING:
    from . import ir

RULE_SUFFIX = ".rules"


@dataclass
class Compilation:
    """What one run of the passes produced: the program if it checked, and every finding."""

    sources: dict[str, SourceFile] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    program: ir.Program | None = None

    @property
    def failed(self) -> bool:
        return any(d.is_error for d in self.diagnostics)


def rule_files(paths: Sequence[Path]) -> tuple[list[Path], list[Diagnostic]]:
    """The .rules files named, or found (recursively, sorted) in the folders named."""
    found: list[Path] = []
    problems: list[Diagnostic] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob(f"*{RULE_SUFFIX}") if p.is_file()))
        elif path.is_file():
            found.append(path)
        else:
            problems.append(error("E001", f"{path} does not exist", None))
    unique = sorted({p.resolve(): p for p in found}.values(), key=lambda p: p.resolve().as_posix())
    if not unique and not problems:
        problems.append(error("E001", f"no {RULE_SUFFIX} files in {', '.join(str(p) for p in paths)}", None))
    return unique, problems


def read_sources(paths: Sequence[Path]) -> Compilation:
    compilation = Compilation()
    files, problems = rule_files(paths)
    compilation.diagnostics.extend(problems)
    root = display_root(files)
    for path in files:
        try:
            source = load_source(path, root)
        except (OSError, UnicodeDecodeError) as exc:
            reason = "it is not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else (exc.strerror or str(exc))
            span = Span(file=path.as_posix(), line=1, column=1, end_line=1, end_column=1)
            compilation.diagnostics.append(error("E001", f"cannot read {path}: {reason}", span))
            continue
        compilation.sources[source.path] = source
    return compilation
