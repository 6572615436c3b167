"""Writing generated packages: atomically, and only when something changed."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

GENERATED_SUFFIXES = (".py", ".typed", ".json")


@dataclass(frozen=True)
class Staleness:
    changed: list[str]
    missing: list[str]
    extra: list[str]

    def listing(self, changed: str, missing: str, extra: str) -> list[tuple[str, str]]:
        """(label, file name) for every difference, labelled by kind."""
        groups = ((changed, self.changed), (missing, self.missing), (extra, self.extra))
        return [(label, name) for label, names in groups for name in names]

    @property
    def stale(self) -> bool:
        return bool(self.changed or self.missing or self.extra)


def _existing(folder: Path) -> dict[str, Path]:
    if not folder.is_dir():
        return {}
    return {p.name: p for p in folder.iterdir() if p.is_file() and p.name.endswith(GENERATED_SUFFIXES)}


def compare(folder: Path, files: Mapping[str, str]) -> Staleness:
    """How the package folder differs from what the compiler would write."""
    existing = _existing(folder)
    changed = sorted(
        name for name, text in files.items() if name in existing and existing[name].read_bytes() != text.encode("utf-8")
    )
    missing = sorted(name for name in files if name not in existing)
    extra = sorted(name for name in existing if name not in files)
    return Staleness(changed, missing, extra)


def write_package(folder: Path, files: Mapping[str, str]) -> Staleness:
    """Bring the folder to exactly `files`; every file is replaced atomically.

    All new contents are written to temporary files first; only when every one
    of them is on disk are they moved into place, so a failure leaves the old
    files as they were.
    """
    difference = compare(folder, files)
    folder.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[Path, Path]] = []
    try:
        for name in sorted({*difference.changed, *difference.missing}):
            handle, temporary_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
            with os.fdopen(handle, "wb") as stream:
                stream.write(files[name].encode("utf-8"))
            staged.append((Path(temporary_name), folder / name))
        for temporary, target in staged:
            os.replace(temporary, target)
        staged = []
    finally:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
    for name in difference.extra:
        (folder / name).unlink(missing_ok=True)
    return difference
