"""Writing generated packages: only into privlex's own folders, atomically, one run at a time.

privlex writes a package folder only when everything in it is privlex's own
(`owned_problem`): a missing or empty folder, or one whose every entry is a
generated file: a `.py` file that starts with the generated header, an empty
`py.typed`, a `_program.json` holding a program, a `__pycache__` folder, or a
temporary file a run left behind. Anything else (a hand-written module, a
symlink, a device node, a subfolder) makes the run refuse before it touches
anything, so pointing `--out` at a source tree cannot delete a file.

Writing (`write_package`) takes an exclusive lock on the folder, sweeps the
temporary files of runs that were killed, writes every new file to a
temporary file created with the user's umask (never following a link), syncs
it, and only then moves all of them into place, with SIGHUP, SIGTERM and
SIGINT held back while it does. A failure or a signal before that point
removes the temporary files and leaves the old package as it was.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import secrets
import signal
import stat
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from ..codegen import GENERATED_MARK
from ..ir import PROGRAM_FILE

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks
    fcntl = None  # type: ignore[assignment]

GENERATED_SUFFIXES = (".py", ".typed", ".json")
HEADER_LINE = GENERATED_MARK.encode("utf-8")
CACHE_FOLDER = "__pycache__"
TEMPORARY_PREFIX = ".privlex-tmp-"
_TEMPORARY = re.compile(r"\.privlex-tmp-[0-9a-f]{16}-")
# What privlex before 0.2 left behind when killed: `.{file}.{8 random characters}.tmp`.
_OLD_TEMPORARY = re.compile(r"\.[A-Za-z0-9_.]+\.(py|typed|json)\.[a-z0-9_]{8}\.tmp\Z")
_SIGNALS = tuple(getattr(signal, name) for name in ("SIGHUP", "SIGTERM", "SIGINT") if hasattr(signal, name))
SHOWN_FOREIGN = 5


class UnsafeOutput(OSError):
    """privlex refuses to write: the folder holds something it did not generate."""


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


# ------------------------------------------------------------- whose folder


def _is_temporary(name: str) -> bool:
    return bool(_TEMPORARY.match(name) or _OLD_TEMPORARY.match(name))


def _starts_with_header(path: Path) -> bool:
    with path.open("rb") as stream:
        return stream.read(len(HEADER_LINE)) == HEADER_LINE


def _is_program(path: Path) -> bool:
    try:
        data = json.loads(path.read_bytes())
    except (ValueError, RecursionError):
        return False
    return isinstance(data, dict) and {"vocabulary", "rulesets", "source_hash"} <= set(data)


def _is_generated(entry: os.DirEntry[str]) -> bool:
    """Whether a folder entry is a file privlex generated (a regular file, never a link)."""
    if not entry.is_file(follow_symlinks=False):
        return False
    path = Path(entry.path)
    if entry.name == "py.typed":
        return entry.stat(follow_symlinks=False).st_size == 0
    if entry.name == PROGRAM_FILE:
        return _is_program(path)
    if entry.name.endswith(".py"):
        return _starts_with_header(path)
    return False


def foreign_entries(folder: Path) -> list[str]:
    """The entries of a package folder that privlex did not generate (sorted); [] for a missing folder."""
    if not os.path.lexists(folder):
        return []
    if not folder.is_dir():
        return ["."]
    foreign: list[str] = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name == CACHE_FOLDER and entry.is_dir(follow_symlinks=False):
                continue
            if _is_temporary(entry.name) and entry.is_file(follow_symlinks=False):
                continue
            try:
                generated = _is_generated(entry)
            except FileNotFoundError:
                continue  # gone while we looked: another run is replacing it
            if not generated:
                foreign.append(entry.name)
    return sorted(foreign)


def owned_problem(folder: Path, shown: str) -> str | None:
    """Why privlex may not write the package folder (`shown` is how to name it), or None."""
    foreign = foreign_entries(folder)
    if not foreign:
        return None
    if foreign == ["."]:
        return f"{shown} exists and is not a folder; privlex writes a package only into a folder of its own"
    more = len(foreign) - SHOWN_FOREIGN
    listed = ", ".join(foreign[:SHOWN_FOREIGN]) + (f" and {more} more" if more > 0 else "")
    return (
        f"{shown} holds files privlex did not generate ({listed}); privlex writes a package only into "
        "a folder of its own, and would replace or delete what is there: choose another --out or --package, "
        "or move those files away"
    )


def _check_owned(folder: Path) -> None:
    problem = owned_problem(folder, str(folder))
    if problem:
        raise UnsafeOutput(problem)


# ------------------------------------------------------------ comparing


def _existing(folder: Path) -> dict[str, Path]:
    """The generated files in the folder: regular files with a generated suffix (links are never followed)."""
    if not folder.is_dir():
        return {}
    with os.scandir(folder) as entries:
        return {
            entry.name: Path(entry.path)
            for entry in entries
            if entry.is_file(follow_symlinks=False)
            and entry.name.endswith(GENERATED_SUFFIXES)
            and not _is_temporary(entry.name)
        }


def _same(path: Path, text: str) -> bool:
    wanted = text.encode("utf-8")
    return path.lstat().st_size == len(wanted) and path.read_bytes() == wanted


def compare(folder: Path, files: Mapping[str, str]) -> Staleness:
    """How the package folder differs from what the compiler would write."""
    existing = _existing(folder)
    changed = sorted(name for name, text in files.items() if name in existing and not _same(existing[name], text))
    missing = sorted(name for name in files if name not in existing)
    extra = sorted(name for name in existing if name not in files)
    return Staleness(changed, missing, extra)


# -------------------------------------------------------------- writing


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on the folder: two runs writing the same package take turns."""
    if fcntl is None:  # pragma: no cover - Windows
        yield
        return
    handle = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # closing releases the lock


class _Interrupted(BaseException):
    """A signal arrived while temporary files existed: clean them, then let the signal act."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def _signals_interrupt() -> Iterator[None]:
    """Turn SIGHUP, SIGTERM and SIGINT into _Interrupted for the block; the old handlers are back after it."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set in the main thread
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise _Interrupted(signum)

    previous = {number: signal.getsignal(number) for number in _SIGNALS}
    for number in _SIGNALS:
        signal.signal(number, interrupt)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, signal.SIG_DFL if handler is None else handler)


def _redeliver(signum: int) -> None:
    """Let a signal that interrupted the write act as the process's own handler (or the default) says."""
    os.kill(os.getpid(), signum)
    # A handler that returned: the run stops all the same, as an I/O error.
    raise InterruptedError(errno.EINTR, f"interrupted by signal {signal.Signals(signum).name}")


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGHUP, SIGTERM and SIGINT back for a short block that must not stop half-way."""
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - Windows
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _sweep(folder: Path) -> None:
    """Remove the temporary files of runs that were killed (the lock says no run is writing)."""
    with os.scandir(folder) as entries:
        stale = [Path(e.path) for e in entries if _is_temporary(e.name) and e.is_file(follow_symlinks=False)]
    for path in stale:
        path.unlink(missing_ok=True)


def _write_new(path: Path, data: bytes) -> None:
    """Create `path` (it must not exist; a link is not followed) with the umask's permissions, and sync it."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    handle = os.open(path, flags, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view) :]
        os.fsync(handle)
    finally:
        os.close(handle)
    if not stat.S_ISREG(path.lstat().st_mode):  # pragma: no cover - O_EXCL makes this impossible
        raise OSError(errno.EEXIST, "not a regular file", str(path))


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        handle = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def write_package(folder: Path, files: Mapping[str, str]) -> Staleness:
    """Bring the folder to exactly `files`, or leave it as it was.

    Raises UnsafeOutput (an OSError) when the folder holds anything privlex
    did not generate, and OSError when the disk refuses (full, read-only);
    in both cases no file of the folder has changed and no temporary file
    is left behind.
    """
    _check_owned(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with locked(folder):
        _check_owned(folder)  # again, now that no other run can change it
        _sweep(folder)
        difference = compare(folder, files)
        staged: list[tuple[Path, Path]] = []
        try:
            try:
                with _signals_interrupt():
                    for name in sorted({*difference.changed, *difference.missing}):
                        temporary = folder / f"{TEMPORARY_PREFIX}{secrets.token_hex(8)}-{name}"
                        staged.append((temporary, folder / name))
                        _write_new(temporary, files[name].encode("utf-8"))
                    with _signals_held():  # all files move into place, or none
                        for temporary, target in staged:
                            os.replace(temporary, target)
                        staged = []
                        for name in difference.extra:
                            (folder / name).unlink(missing_ok=True)
                        _sync_folder(folder)
            finally:
                for temporary, _ in staged:
                    temporary.unlink(missing_ok=True)
        except _Interrupted as exc:
            _redeliver(exc.signum)
    return difference
