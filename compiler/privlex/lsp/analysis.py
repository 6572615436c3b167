"""Compiling the unit an editor's file belongs to, with the editor's unsaved texts, as fast as typing needs.

The unit of a file is the one `privlex check` would compile: `sources` of
[tool.privlex] in the nearest pyproject.toml when the file lies in them, else
every rule file of the file's own folder. Open documents replace their files'
text on disk. Parse trees are kept per file text, so a keystroke re-parses
one file, not the unit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .. import ir
from ..build.config import ConfigError, settings_for
from ..build.library import Shipped, shipped_files
from ..build.sources import project_paths
from ..diagnostics import Diagnostic
from ..pipeline import PASSES, RULE_SUFFIX, Unit, rule_files, syntax_pass
from ..source import SHIPPED_PREFIX, SourceFile, display_root
from ..syntax.build_ast import build_ast
from ..syntax.nodes import File
from ..syntax.parse import parse


@dataclass
class Analysis:
    """One run of the compiler's passes over a unit, and what they built."""

    sources: dict[str, SourceFile]  # by display path (relative, or privlex:shipped/FILE)
    on_disk: dict[str, Path]  # display path -> the file it was read from
    files: dict[str, File]  # syntax trees of the files that parse
    diagnostics: list[Diagnostic]
    vocabulary: ir.Vocabulary | None
    rulesets: list[ir.Ruleset]
    tests: list[ir.TestCase]

    def path_of(self, file: Path) -> str | None:
        wanted = file.resolve()
        return next((path for path, found in self.on_disk.items() if found == wanted), None)

    def file_of(self, path: str) -> Path | None:
        return self.on_disk.get(path)


Source = Path | Shipped


def unit_files(file: Path) -> list[Source]:
    """The rule files of the unit `file` belongs to (the file itself included), and the library it uses."""
    file = file.resolve()
    try:
        settings = settings_for(file.parent)
    except ConfigError:
        settings = None
    if settings is not None:
        found, problems = rule_files(project_paths(settings.sources))
        if not problems and file in {p.resolve() for p in found}:
            return [*(s for s in settings.sources if isinstance(s, Shipped)), *found]
    siblings = sorted(p for p in file.parent.glob(f"*{RULE_SUFFIX}") if p.is_file())
    return list(siblings) if file in {p.resolve() for p in siblings} else [*siblings, file]


@dataclass
class Analyser:
    """Runs the passes, re-parsing only the files whose text changed since the last run."""

    _trees: dict[tuple[str, str], tuple[File | None, list[Diagnostic]]] = field(default_factory=dict)

    def _syntax(self, unit: Unit) -> list[Diagnostic]:
        found: list[Diagnostic] = []
        seen: set[tuple[str, str]] = set()
        for source in unit.sources:
            key = (source.path, hashlib.sha256(source.data).hexdigest())
            seen.add(key)
            cached = self._trees.get(key)
            if cached is None:
                tree, problems = parse(source)
                cached = (build_ast(source, tree) if tree is not None else None, problems)
                self._trees[key] = cached
            if cached[0] is not None:
                unit.files.append(cached[0])
            found.extend(cached[1])
        for stale in set(self._trees) - seen:
            del self._trees[stale]
        return found

    def analyse(self, unit: Sequence[Source], texts: Mapping[Path, str]) -> Analysis:
        """Compile the unit, reading each file from `texts` when it is there (open in the editor), else from disk."""
        files = project_paths(unit)
        root = display_root(files)
        sources: dict[str, SourceFile] = {}
        on_disk: dict[str, Path] = {}
        diagnostics: list[Diagnostic] = []
        shipped = [s for s in unit if isinstance(s, Shipped)]
        for path in sorted({p.resolve() for selection in shipped for p in shipped_files(selection)}):
            text = texts.get(path)
            if text is None:
                try:
                    text = path.read_text(encoding="utf-8").removeprefix("\ufeff")
                except (OSError, UnicodeDecodeError):
                    continue
            name = SHIPPED_PREFIX + path.name
            sources[name] = SourceFile(path=name, text=text, data=text.encode("utf-8"))
            on_disk[name] = path
        for file in files:
            resolved = file.resolve()
            text = texts.get(resolved)
            if text is None:
                try:
                    text = resolved.read_text(encoding="utf-8").removeprefix("\ufeff")
                except (OSError, UnicodeDecodeError):
                    continue
            shown = resolved.relative_to(root).as_posix()
            sources[shown] = SourceFile(path=shown, text=text, data=text.encode("utf-8"))
            on_disk[shown] = resolved
        passes = Unit(sources=list(sources.values()))
        for step in PASSES:
            diagnostics.extend(self._syntax(passes) if step is syntax_pass else step(passes))
        return Analysis(
            sources=sources,
            on_disk=on_disk,
            files={f.path: f for f in passes.files},
            diagnostics=diagnostics,
            vocabulary=passes.vocabulary,
            rulesets=list(passes.rulesets),
            tests=list(passes.tests),
        )
