"""privlex's cache folder: what it can make again, kept between processes to save the time.

Two things live there: a project's packages compiled on the fly
(`privlex.build.project.package_for`, when the project's own package is stale)
and the tables of the rule file parser (`privlex.syntax.grammar.parser`). The
folder is `PRIVLEX_CACHE_DIR`, else `$XDG_CACHE_HOME/privlex`, else
`~/.cache/privlex`; it is the user's own, and privlex trusts what it finds there
as it trusts its own installation (it imports the packages and unpickles the
tables). Deleting it at any time is safe.
"""

from __future__ import annotations

import os
from pathlib import Path

CACHE_VARIABLE = "PRIVLEX_CACHE_DIR"


def cache_folder() -> Path:
    """The cache folder (not created here: a writer creates it when it first writes)."""
    if os.environ.get(CACHE_VARIABLE):
        return Path(os.environ[CACHE_VARIABLE])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "privlex"
