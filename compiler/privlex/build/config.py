"""`[tool.privlex]` in pyproject.toml: where a project's rule files are, and where its checkers go.

    [tool.privlex]
    sources = ["rulesets"]       # the rule files of one compilation unit (files or folders, anywhere;
                                 # privlex:shipped or privlex:shipped/NAME for the shipped law)
    out = "generated"            # the folder that receives the generated package
    package = "privlex_rules"    # the import name of the generated package

Paths are relative to the folder of that pyproject.toml. The file is found as
ruff finds its own: the nearest pyproject.toml with a `[tool.privlex]` table,
from the starting folder up; failing that the nearest pyproject.toml of any
kind (and the defaults); failing that the starting folder itself. `package`
defaults to `<normalised project name>_rules`, so that no project's checkers
can take the name of privlex's own. Command-line flags override the file.

A bad configuration is a `ConfigError` holding a diagnostic (code E002) that
names the key and points at its line.
"""

from __future__ import annotations

import keyword
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..diagnostics import Diagnostic, did_you_mean, error
from ..source import SourceFile, Span, display_path
from .library import LibraryError, Shipped, is_shipped, parse_shipped

PYPROJECT = "pyproject.toml"
TABLE = "tool.privlex"
CONFIG_CODE = "E002"
_PACKAGE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class PrivlexConfig(BaseModel):
    """The `[tool.privlex]` table, exactly as written (paths not yet resolved)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    sources: list[str] = Field(default_factory=lambda: ["rulesets"], min_length=1)
    out: str = "generated"
    package: str | None = None

    @field_validator("sources")
    @classmethod
    def _sources(cls, value: list[str]) -> list[str]:
        if any(not item.strip() for item in value):
            raise ValueError("an empty path")
        for item in value:
            if is_shipped(item):
                try:
                    parse_shipped(item)
                except LibraryError as exc:
                    raise ValueError(str(exc)) from exc
        return value

    @field_validator("out")
    @classmethod
    def _out(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("an empty path")
        return value

    @field_validator("package")
    @classmethod
    def _package(cls, value: str | None) -> str | None:
        if value is not None:
            problem = package_problem(value)
            if problem:
                raise ValueError(problem)
        return value


@dataclass(frozen=True)
class Settings:
    """One compilation unit and where its output goes, with every path resolved."""

    root: Path  # the folder of the pyproject.toml (or the starting folder when there is none)
    pyproject: Path | None
    sources: tuple[Path | Shipped, ...]
    out: Path
    package: str
    # Whether a [tool.privlex] table (or --config) says what the unit is; else these are the defaults.
    configured: bool = False

    @property
    def package_dir(self) -> Path:
        return self.out / self.package


class ConfigError(Exception):
    """A configuration that cannot be used; each diagnostic says which key and why."""

    def __init__(self, diagnostics: Diagnostic | Sequence[Diagnostic], source: SourceFile | None) -> None:
        found = [diagnostics] if isinstance(diagnostics, Diagnostic) else list(diagnostics)
        super().__init__("; ".join(d.message for d in found))
        self.diagnostics = found
        self.source = source

    @property
    def diagnostic(self) -> Diagnostic:
        return self.diagnostics[0]

    @property
    def sources(self) -> dict[str, SourceFile]:
        return {self.source.path: self.source} if self.source else {}


def package_problem(name: str) -> str | None:
    """Why `name` cannot be the import name of a generated package, or None."""
    if not _PACKAGE.match(name):
        return f"{name!r} is not a Python package name (letters, digits and _, not starting with a digit)"
    if keyword.iskeyword(name):
        return f"{name!r} is a Python keyword"
    return None


def default_package(project_name: str | None, root: Path) -> str:
    """`<normalised project name>_rules`: never privlex's own name for another project."""
    name = project_name or root.name or "project"
    normal = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "project"
    if normal[0].isdigit():
        normal = f"p{normal}"
    return f"{normal}_rules"


def find_pyproject(start: Path) -> Path | None:
    """The pyproject.toml that configures `start`: the nearest with [tool.privlex], else the nearest."""
    here = start.resolve()
    if here.is_file():
        here = here.parent
    nearest: Path | None = None
    for folder in (here, *here.parents):
        candidate = folder / PYPROJECT
        if not candidate.is_file():
            continue
        nearest = nearest or candidate
        try:
            document = tomllib.loads(candidate.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            return candidate  # load() says what is wrong with it
        tool = document.get("tool")
        if isinstance(tool, dict) and "privlex" in tool:
            return candidate
    return nearest


def load(pyproject: Path | None, start: Path | None = None) -> Settings:
    """The settings a pyproject.toml gives (the defaults when it has no [tool.privlex])."""
    if pyproject is None:
        root = (start or Path.cwd()).resolve()
        return _settings(root, None, PrivlexConfig(), None)
    pyproject = pyproject.resolve()
    root = pyproject.parent
    shown = display_path(pyproject)
    try:
        data = pyproject.read_bytes()
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(_diagnostic(f"cannot read {shown}: it is not UTF-8 text", None), None) from exc
    except OSError as exc:
        raise ConfigError(_diagnostic(f"cannot read {shown}: {exc.strerror or exc}", None), None) from exc
    source = SourceFile(path=shown, text=text, data=data)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, column = _toml_position(str(exc), text)
        message = re.sub(r"\s*\(at line \d+, column \d+\)|\s*\(at end of document\)", "", str(exc))
        raise ConfigError(
            _diagnostic(f"{shown} is not valid TOML: {message}", _span(shown, line, column, text)), source
        ) from exc
    table: Any = document.get("tool", {}).get("privlex") if isinstance(document.get("tool"), dict) else None
    project = document.get("project")
    name = project.get("name") if isinstance(project, dict) and isinstance(project.get("name"), str) else None
    if table is None:
        return _settings(root, pyproject, PrivlexConfig(), name)
    if not isinstance(table, dict):
        raise ConfigError(_key_diagnostic(source, (), "must be a table, e.g. [tool.privlex]"), source)
    return _settings(root, pyproject, validate(table, source), name, configured=True)


def validate(table: Mapping[str, Any], source: SourceFile | None, table_name: str = TABLE) -> PrivlexConfig:
    """Check a table of privlex settings; a bad key is a ConfigError naming it."""
    try:
        return PrivlexConfig.model_validate(dict(table))
    except ValidationError as exc:
        found = [_key_diagnostic(source, tuple(e["loc"]), _reason(e), table_name) for e in exc.errors()]
        raise ConfigError(found, source) from exc


def settings_for(
    start: Path,
    *,
    config: Path | None = None,
    sources: Sequence[Path | Shipped] = (),
    out: Path | None = None,
    package: str | None = None,
) -> Settings:
    """The settings for a run started at `start`, with the command line's overrides."""
    if config is not None and not config.is_file():
        raise ConfigError(_diagnostic(f"the configuration file {config} does not exist", None), None)
    settings = load(config if config is not None else find_pyproject(start), start)
    if package is not None and (problem := package_problem(package)):
        raise ConfigError(_diagnostic(f"--package: {problem}", None), None)
    return Settings(
        root=settings.root,
        pyproject=settings.pyproject,
        sources=tuple(p.resolve() if isinstance(p, Path) else p for p in sources) or settings.sources,
        out=out.resolve() if out is not None else settings.out,
        package=package or settings.package,
        configured=settings.configured or config is not None,
    )


def with_overrides(settings: Settings, table: Mapping[str, Any], table_name: str) -> Settings:
    """Settings with the keys of another table (a build hook's) laid over them."""
    source = _read_source(settings.pyproject) if settings.pyproject else None
    checked = validate(table, source, table_name)
    sources = tuple(_source(settings.root, s) for s in checked.sources)
    return Settings(
        root=settings.root,
        pyproject=settings.pyproject,
        sources=sources if "sources" in table else settings.sources,
        out=(settings.root / checked.out).resolve() if "out" in table else settings.out,
        package=checked.package or settings.package,
        configured=True,
    )


# ----------------------------------------------------------------- helpers


def _source(root: Path, written: str) -> Path | Shipped:
    """A source as written in the table: the shipped library, or a path relative to the project."""
    return parse_shipped(written) if is_shipped(written) else (root / written).resolve()


def _settings(
    root: Path, pyproject: Path | None, config: PrivlexConfig, name: str | None, configured: bool = False
) -> Settings:
    return Settings(
        root=root,
        pyproject=pyproject,
        sources=tuple(_source(root, s) for s in config.sources),
        out=(root / config.out).resolve(),
        package=config.package or default_package(name, root),
        configured=configured,
    )


def _read_source(pyproject: Path) -> SourceFile | None:
    try:
        data = pyproject.read_bytes()
        return SourceFile(path=display_path(pyproject), text=data.decode("utf-8"), data=data)
    except (OSError, UnicodeDecodeError):
        return None


def _reason(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    value = error.get("input")
    if kind == "extra_forbidden":
        return "is not a privlex setting"
    if kind == "list_type":
        return f'must be a list of paths, e.g. ["rulesets"], not {value!r}'
    if kind == "too_short":
        return "must name at least one rule file or folder"
    if kind == "string_type":
        return f"must be a string, not {value!r}"
    if kind == "value_error":
        return f"cannot be {value!r}: {str(error['msg']).removeprefix('Value error, ')}"
    return str(error["msg"])


def _key_diagnostic(
    source: SourceFile | None, location: tuple[Any, ...], reason: str, table_name: str = TABLE
) -> Diagnostic:
    key = location[0] if location else None
    dotted = table_name + (f".{key}" if key is not None else "")
    dotted += "".join(f"[{part}]" for part in location[1:] if isinstance(part, int))
    help = None
    if reason == "is not a privlex setting" and isinstance(key, str):
        help = did_you_mean(key, PrivlexConfig.model_fields) or "the settings are sources, out and package"
    span = None
    if source is not None:
        line, column = _key_position(source.text, table_name, key if isinstance(key, str) else None)
        span = _span(source.path, line, column, source.text, length=len(key) if isinstance(key, str) else 0)
    return _diagnostic(f"{dotted} {reason}", span, help)


def _diagnostic(message: str, span: Span | None, help: str | None = None) -> Diagnostic:
    return error(CONFIG_CODE, message, span, help=help)


def _table_line(text: str, table_name: str = TABLE) -> int | None:
    parts = [re.escape(p) for p in table_name.split(".")]
    header = re.compile(r"^\s*\[\s*" + r"\s*\.\s*".join(parts) + r"\s*\]\s*(#.*)?$")
    for number, line in enumerate(text.splitlines(), start=1):
        if header.match(line):
            return number
    return None


def _key_position(text: str, table_name: str, key: str | None) -> tuple[int, int]:
    start = _table_line(text, table_name)
    if start is None:
        return 1, 1
    if key is None:
        return start, 1
    lines = text.splitlines()
    pattern = re.compile(r"^(\s*)[\"']?" + re.escape(key) + r"[\"']?\s*=")
    for number in range(start + 1, len(lines) + 1):
        line = lines[number - 1]
        if re.match(r"^\s*\[", line):
            break
        found = pattern.match(line)
        if found:
            return number, len(found.group(1)) + 1
    return start, 1


def _toml_position(message: str, text: str) -> tuple[int, int]:
    found = re.search(r"at line (\d+), column (\d+)", message)
    if found:
        return int(found.group(1)), int(found.group(2))
    lines = text.splitlines() or [""]
    return len(lines), max(1, len(lines[-1]))  # "at end of document"


def _span(file: str, line: int, column: int, text: str, length: int = 0) -> Span:
    lines = text.splitlines()
    line = max(1, min(line, len(lines) or 1))
    width = length or max(1, len(lines[line - 1].rstrip()) - column + 1 if lines else 1)
    return Span(file=file, line=line, column=column, end_line=line, end_column=column + width)
