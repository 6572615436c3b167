"""Writing a command's text file whole or not at all: `--output-file` reports and `privlex fmt`.

A report is written into a temporary file beside its target and renamed over
it once complete, so that a full disk, a crash or Ctrl-C leaves the previous
file as it was (a CI step that reads it never sees half a report). What is
not a regular file (`/dev/stdout`, a pipe) is written to as it is: it cannot
be replaced, and replacing it would be wrong. A link is followed, so that the
file it points at is the one replaced.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from .basics import UsageError


def _new_file_mode() -> int:
    """The mode `open` would give a new file under the user's umask (mkstemp makes it 0600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def replace_text(path: Path, text: str) -> None:
    """Replace (or create) the file at `path` with `text` at once; an OSError leaves what was there."""
    target = path.resolve() if path.is_symlink() else path
    existing = target.stat() if target.exists() else None
    if existing is not None and not stat.S_ISREG(existing.st_mode):
        with target.open("w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        return
    mode = stat.S_IMODE(existing.st_mode) if existing is not None else _new_file_mode()
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_output_file(name: str, text: str) -> None:
    """Write a command's report to its `--output-file`; a failure is a usage error naming the file."""
    try:
        replace_text(Path(name), text)
    except OSError as exc:
        raise UsageError(f"cannot write {name}: {exc.strerror or exc}") from exc
