"""privlex's cache folder: what it can make again, kept between processes to save the time.

Two things live there: a project's packages compiled on the fly
(`privlex.build.project.package_for`, when the project's own package is stale)
and the tables of the rule file parser (`privlex.syntax.grammar.parser`). The
folder is `PRIVLEX_CACHE_DIR`, else `$XDG_CACHE_HOME/privlex`, else
`~/.cache/privlex`; it is the user's own, and privlex trusts what it finds there
as it trusts its own installation (it imports the packages and unpickles the
tables). So privlex creates it readable and writable by its owner only, and
loads nothing from a folder that belongs to another user or that others may
write to (`untrusted`). Deleting it at any time is safe.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

CACHE_VARIABLE = "PRIVLEX_CACHE_DIR"


def cache_folder() -> Path:
    """The cache folder (not created here: a writer creates it when it first writes)."""
    if os.environ.get(CACHE_VARIABLE):
        return Path(os.environ[CACHE_VARIABLE])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "privlex"


def untrusted(folder: Path) -> str | None:
    """Why code kept in `folder` must not be loaded (another user's, or writable by others); None if it may be."""
    if os.name != "posix":
        return None
    try:
        status = folder.stat()
    except OSError:  # not there yet (its writer creates it as its owner's only), or unreadable: nothing to load
        return None
    if status.st_uid != os.getuid():
        return f"{folder} belongs to another user"
    if status.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return f"others can write to {folder}"
    return None


def make_folder(folder: Path) -> None:
    """Create the cache folder for its owner only (the folders above it as the umask says)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.mkdir(mode=0o700, exist_ok=True)
