"""Compiling the unit an editor's file belongs to, with the editor's unsaved texts, as fast as typing needs.

The unit of a file is the one `privlex check` would compile: `sources` of
[tool.privlex] in the nearest pyproject.toml when the file lies in them, else
every rule file of the file's own folder. Open documents replace their files'
text on disk. Syntax trees are kept per file text, so a keystroke re-parses
one file, not the unit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import ir
from ..build.config import ConfigError, settings_for
from ..build.library import Shipped, shipped_files
from ..build.sources import project_paths
from ..diagnostics import Diagnostic
from ..pipeline import PASSES, RULE_SUFFIX, Unit, rule_files
from ..source import SHIPPED_PREFIX, SourceFile, display_root
from ..syntax.nodes import File


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
    """Runs the passes over a unit; a file whose text did not change is not parsed again
    (`privlex.syntax.read` remembers each file's syntax by its text)."""

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
            diagnostics.extend(step(passes))
        return Analysis(
            sources=sources,
            on_disk=on_disk,
            files={f.path: f for f in passes.files},
            diagnostics=diagnostics,
            vocabulary=passes.vocabulary,
            rulesets=list(passes.rulesets),
            tests=list(passes.tests),
        )
