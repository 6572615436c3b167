"""The shipped law as a library: the rule files privlex ships, for projects to build on.

A project names them among its sources, in `[tool.privlex] sources` or as
PATHS on the command line:

- `privlex:shipped` is the whole library: the vocabulary, the regions and
  every shipped ruleset;
- `privlex:shipped/NAME` is the files that declare no ruleset (the vocabulary
  and the regions) plus the file of ruleset NAME.

The files are package data of the wheel (`privlex/library/`); in a source
checkout they are `rulesets/`. In diagnostics, reasons and the source hash a
shipped file is named `privlex:shipped/FILE` (`privlex:shipped/gdpr.rules:42`),
wherever privlex is installed, so a unit compiles to the same bytes anywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from ..diagnostics import did_you_mean
from ..source import SHIPPED_PREFIX, SourceFile

LIBRARY = "privlex:shipped"
RULE_SUFFIX = ".rules"
_RULESET_LINE = re.compile(r"^ruleset\s+([a-z][a-z0-9_]*)\b", re.MULTILINE)


class LibraryError(Exception):
    """A library source that does not exist: the message names it and what does."""


@dataclass(frozen=True)
class Shipped:
    """A source taken from the shipped library: all of it (`ruleset` None) or one ruleset with the vocabulary."""

    ruleset: str | None = None

    @property
    def name(self) -> str:
        return LIBRARY if self.ruleset is None else f"{LIBRARY}/{self.ruleset}"

    def __str__(self) -> str:
        return self.name


def is_shipped(text: str) -> bool:
    """Whether a source as written names the shipped library."""
    return text == LIBRARY or text.startswith(LIBRARY + "/")


def parse_shipped(text: str) -> Shipped:
    """`privlex:shipped` or `privlex:shipped/NAME` as a source; LibraryError for an unknown NAME."""
    name = text[len(LIBRARY) :].strip("/")
    if not name:
        return Shipped()
    known = shipped_rulesets()
    if name not in known:
        hint = did_you_mean(f"{LIBRARY}/{name}", [f"{LIBRARY}/{r}" for r in known])
        listed = ", ".join(f"{LIBRARY}/{r}" for r in sorted(known)) or "none"
        raise LibraryError(
            f"{text} is not a shipped ruleset" + (f"; {hint}" if hint else "") + f" (the shipped ones: {listed})"
        )
    return Shipped(name)


def library_folder() -> Path:
    """Where the shipped rule files are: package data of an installed privlex, else the checkout's rulesets/."""
    packaged = resources.files("privlex").joinpath("library")
    if packaged.is_dir():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parents[3] / "rulesets"
    if checkout.is_dir():
        return checkout
    raise LibraryError("this installation of privlex has no shipped rule files (privlex/library is missing)")


@cache
def _index(folder: Path) -> tuple[tuple[Path, ...], dict[str, Path]]:
    files = tuple(sorted(p for p in folder.glob(f"*{RULE_SUFFIX}") if p.is_file()))
    rulesets: dict[str, Path] = {}
    for path in files:
        for found in _RULESET_LINE.finditer(path.read_text(encoding="utf-8")):
            rulesets.setdefault(found.group(1), path)
    return files, rulesets


def shipped_rulesets() -> dict[str, Path]:
    """Each shipped ruleset's id and the file that declares it."""
    return dict(_index(library_folder())[1])


def shipped_files(selection: Shipped) -> list[Path]:
    """The library files a selection takes: every file, or the files without a ruleset plus the one named."""
    files, rulesets = _index(library_folder())
    if selection.ruleset is None:
        return list(files)
    holding = set(rulesets.values())
    return [p for p in files if p not in holding or p == rulesets[selection.ruleset]]


def read_shipped(selections: list[Shipped]) -> list[SourceFile]:
    """The source files of the selections, each once, named `privlex:shipped/FILE`."""
    paths = sorted({p for selection in selections for p in shipped_files(selection)})
    sources: list[SourceFile] = []
    for path in paths:
        data = path.read_bytes()
        text = data.decode("utf-8").removeprefix("\ufeff")
        sources.append(SourceFile(path=SHIPPED_PREFIX + path.name, text=text, data=data))
    return sources
