"""Compiling the unit an editor's file belongs to, with the editor's unsaved texts, as fast as typing needs.

The unit of a file is the one `privlex check` would compile: `sources` of
[tool.privlex] in the nearest pyproject.toml when the file lies in them, else
every rule file of the file's own folder. Open documents replace their files'
text on disk. Parse trees are kept per file text, so a keystroke re-parses
one file, not the unit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .. import ir
from ..build.config import ConfigError, settings_for
from ..diagnostics import Diagnostic
from ..pipeline import PASSES, RULE_SUFFIX, Unit, rule_files, syntax_pass
from ..source import SourceFile, display_root
from ..syntax.build_ast import build_ast
from ..syntax.nodes import File
from ..syntax.parse import parse


@dataclass
class Analysis:
    """One run of the compiler's passes over a unit, and what they built."""

    root: Path
    sources: dict[str, SourceFile]  # by display path, relative to root
    files: dict[str, File]  # syntax trees of the files that parse
    diagnostics: list[Diagnostic]
    vocabulary: ir.Vocabulary | None
    rulesets: list[ir.Ruleset]
    tests: list[ir.TestCase]

    def path_of(self, file: Path) -> str | None:
        try:
            return file.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return None

    def file_of(self, path: str) -> Path:
        return self.root / path


def unit_files(file: Path) -> list[Path]:
    """The rule files of the unit `file` belongs to (the file itself included)."""
    file = file.resolve()
    try:
        settings = settings_for(file.parent)
    except ConfigError:
        settings = None
    if settings is not None:
        found, problems = rule_files(list(settings.sources))
        if not problems and file in {p.resolve() for p in found}:
            return found
    siblings = sorted(p for p in file.parent.glob(f"*{RULE_SUFFIX}") if p.is_file())
    return siblings if file in {p.resolve() for p in siblings} else [*siblings, file]


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

    def analyse(self, files: list[Path], texts: Mapping[Path, str]) -> Analysis:
        """Compile `files`, reading each from `texts` when it is there (open in the editor), else from disk."""
        root = display_root(files)
        sources: dict[str, SourceFile] = {}
        diagnostics: list[Diagnostic] = []
        for file in files:
            resolved = file.resolve()
            text = texts.get(resolved)
            if text is None:
                try:
                    text = resolved.read_text(encoding="utf-8").removeprefix("\ufeff")
                except (OSError, UnicodeDecodeError):
                    continue
            path = resolved.relative_to(root).as_posix()
            sources[path] = SourceFile(path=path, text=text, data=text.encode("utf-8"))
        unit = Unit(sources=list(sources.values()))
        for step in PASSES:
            diagnostics.extend(self._syntax(unit) if step is syntax_pass else step(unit))
        return Analysis(
            root=root,
            sources=sources,
            files={f.path: f for f in unit.files},
            diagnostics=diagnostics,
            vocabulary=unit.vocabulary,
            rulesets=list(unit.rulesets),
            tests=list(unit.tests),
        )
