"""One project for every command: its rules, and its generated checkers, current.

`privlex decide`, `explain`, `filter` and `privlex.batch` decide with the
package of the project they run in, the same one `privlex compile` writes::

    from privlex.build import project

    settings = project.find()                # [tool.privlex] of the nearest project, from any subfolder
    package = project.package_for(settings)  # its checkers, imported
    package.check({...})

`package_for` uses OUT/PACKAGE when its source hash is that of the rule files
as they are now. When the package is stale or not generated, it compiles the
rules into a cache folder (`PRIVLEX_CACHE_DIR`, else `$XDG_CACHE_HOME/privlex`,
else `~/.cache/privlex`), says so through `note`, and imports that: a decision
always comes from the rules as written, and the project's own folder is only
written by `privlex compile`. Outside any project (no `[tool.privlex]`, no
`--config`, no PATHS) the shipped checkers `privlex_rules` decide.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType

from .. import __version__, ir
from ..cache import CACHE_VARIABLE, cache_folder, make_folder, untrusted
from ..diagnostics import Diagnostic, render_all
from ..source import SourceFile, display_path
from .config import Settings, settings_for
from .library import Shipped
from .sources import compile_unit, source_hash

SHIPPED_PACKAGE = "privlex_rules"
_HASH_LINE = re.compile(r"^SOURCE_HASH = ['\"]([0-9a-f]{64})['\"]", re.MULTILINE)


class ProjectError(Exception):
    """The project's rules cannot be read or have errors; `diagnostics` say what, `sources` hold the lines."""

    def __init__(
        self, message: str, diagnostics: Sequence[Diagnostic] = (), sources: dict[str, SourceFile] | None = None
    ) -> None:
        super().__init__(message)
        self.diagnostics = list(diagnostics)
        self.sources = dict(sources or {})

    def __str__(self) -> str:
        rendered = render_all(self.diagnostics, self.sources)
        return f"{self.args[0]}\n{rendered}".rstrip("\n") if rendered else str(self.args[0])


def find(start: Path | None = None, *, config: Path | None = None, sources: Sequence[Path | Shipped] = ()) -> Settings:
    """The settings of the project `start` (default: the current folder) lies in; raises ConfigError."""
    return settings_for(start or Path.cwd(), config=config, sources=sources)


def generated_hash(folder: Path) -> str | None:
    """The source hash a generated package folder records, or None when it is not a complete package."""
    try:
        init = (folder / "__init__.py").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    found = _HASH_LINE.search(init)
    return found.group(1) if found and (folder / ir.PROGRAM_FILE).is_file() else None


def import_package(name: str, folder: Path) -> ModuleType:
    """Import the generated package `name` from `folder`, replacing a different one of that name."""
    wanted = generated_hash(folder)
    loaded = sys.modules.get(name)
    if loaded is not None and wanted is not None and getattr(loaded, "SOURCE_HASH", None) == wanted:
        return loaded
    for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
        del sys.modules[module]
    spec = importlib.util.spec_from_file_location(
        name, folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    if spec is None or spec.loader is None:  # pragma: no cover - a folder with __init__.py always has one
        raise ImportError(f"cannot import {name} from {folder}")
    package = importlib.util.module_from_spec(spec)
    sys.modules[name] = package
    try:
        spec.loader.exec_module(package)
    except BaseException:
        del sys.modules[name]
        raise
    return package


def package_for(settings: Settings, *, explicit: bool = False, note: Callable[[str], None] | None = None) -> ModuleType:
    """The checkers to decide with: the project's package, current; the shipped one outside any project.

    `explicit` says the sources were named on the command line (PATHS), which
    makes them the project even without a `[tool.privlex]` table.
    """
    if not settings.configured and not explicit:
        return importlib.import_module(SHIPPED_PACKAGE)
    current = source_hash(settings.sources)
    if current is None:
        _compiled(settings)  # raises with the diagnostics that say which file cannot be read
        raise AssertionError("unreachable")  # pragma: no cover
    folder = settings.package_dir
    if generated_hash(folder) == current:
        return import_package(settings.package, folder)
    reason = untrusted(cache_folder())
    if reason is not None:  # its packages would be imported: code others could have written
        raise ProjectError(
            f"{display_path(folder)} is not current, and privlex will not compile the rules into its cache folder: "
            f"{reason}; run `privlex compile`, or set {CACHE_VARIABLE} to a folder of your own"
        )
    cached = cache_folder() / f"{__version__}-{current[:16]}" / settings.package
    if generated_hash(cached) != current:
        from ..pipeline import generate  # the compiler, imported only when the package must be compiled
        from .outputs import write_package

        files = generate(_compiled(settings), settings.package)
        try:
            make_folder(cache_folder())
            write_package(cached, files)
        except OSError as exc:
            raise ProjectError(f"cannot write the compiled rules to {cached}: {exc.strerror or exc}") from exc
    if note is not None:
        state = "is stale" if (folder / "__init__.py").is_file() else "is not generated"
        note(
            f"privlex: {display_path(folder)} {state}: deciding with the rules as they are now, "
            f"compiled into {display_path(cached)} (`privlex compile` updates {display_path(folder)})"
        )
    return import_package(settings.package, cached)


def _compiled(settings: Settings) -> ir.Program:
    compilation = compile_unit(settings.sources)
    if compilation.program is None:
        raise ProjectError(
            f"the rules of {settings.package} have errors, so nothing can be decided with them",
            compilation.diagnostics,
            compilation.sources,
        )
    return compilation.program


def project_package(
    start: Path | None = None, *, config: Path | None = None, note: Callable[[str], None] | None = None
) -> ModuleType:
    """The current checkers of the project `start` lies in (the shipped ones outside any project)."""
    return package_for(find(start, config=config), note=note)
