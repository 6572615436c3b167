"""A unit's sources as a project names them: its own rule files and folders, and the shipped library.

Every command and the build hook compile through `compile_unit`, so that
`privlex:shipped` means the same everywhere. The library's files come first:
a project's declaration that clashes with one of them is reported at the
project's line, naming the library's ("first at privlex:shipped/...").
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..compilation import Compilation, read_sources
from ..diagnostics import error
from ..source import unit_hash
from .library import LibraryError, Shipped, read_shipped

Source = Path | Shipped


def project_paths(sources: Sequence[Source]) -> list[Path]:
    return [source for source in sources if isinstance(source, Path)]


def read_unit(sources: Sequence[Source]) -> Compilation:
    """Read every rule file of the unit; problems are E001 diagnostics."""
    shipped = [source for source in sources if isinstance(source, Shipped)]
    paths = project_paths(sources)
    compilation = Compilation()
    if shipped:
        try:
            for source in read_shipped(shipped):
                compilation.sources[source.path] = source
        except (LibraryError, OSError, UnicodeDecodeError) as exc:
            compilation.diagnostics.append(error("E001", f"cannot read the shipped rule files: {exc}", None))
    if paths or not shipped:
        own = read_sources(paths)
        compilation.diagnostics.extend(own.diagnostics)
        compilation.sources.update(own.sources)
    return compilation


def compile_unit(sources: Sequence[Source]) -> Compilation:
    """Read and check a unit: the program, when nothing failed, and every finding."""
    from ..pipeline import analyse  # the passes, imported only when compiling (not for `source_hash`)

    compilation = read_unit(sources)
    if compilation.failed:
        return compilation
    return analyse(compilation)


def source_hash(sources: Sequence[Source]) -> str | None:
    """The hash a package compiled from these sources records, without compiling; None if a file is unreadable."""
    compilation = read_unit(sources)
    return None if compilation.failed else unit_hash(compilation.sources.values())
