"""The two versions a diff compares: folders of rule files, or git revisions of the project.

A revision's rule files are read with `git archive` into a temporary folder,
never by checking anything out: the work tree, the index and HEAD stay as
they are. The unit compiled from a revision is the project's `sources` of
[tool.privlex] as they are now, taken from that revision.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..build.config import Settings
from ..build.sources import Source, compile_unit, project_paths
from ..pipeline import Compilation, compile_paths
from ..source import display_path


class VersionError(Exception):
    """A version that cannot be read: not a folder, not a revision, or no rule files in it."""


@dataclass
class Version:
    label: str
    compilation: Compilation
    _folder: tempfile.TemporaryDirectory[str] | None = field(default=None, repr=False)

    def close(self) -> None:
        if self._folder is not None:
            self._folder.cleanup()


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, check=False)
    except OSError as exc:
        raise VersionError(f"cannot run git: {exc.strerror or exc}") from exc


def _revision(root: Path, spec: str) -> str | None:
    """The commit `spec` names in the repository around `root`, or None."""
    found = _git(root, "rev-parse", "--verify", "--quiet", f"{spec}^{{commit}}")
    return found.stdout.decode().strip() if found.returncode == 0 else None


def load_folder(path: Path, label: str | None = None, library: Sequence[Source] = ()) -> Version:
    """A folder or rule file, compiled alone, or else with the shipped law the project builds on.

    A copy of a project's own rules names the shipped vocabulary without declaring it,
    as the project's folder does: it compiles with the project's `privlex:shipped` sources.
    """
    alone = compile_paths([path])
    if alone.program is not None or not library:
        return Version(label or display_path(path), alone)
    together = compile_unit([*library, path])
    if together.program is None:  # neither compiles: show the errors of the reading that has fewer
        together = min(together, alone, key=lambda c: sum(d.severity.value == "error" for d in c.diagnostics))
    return Version(label or display_path(path), together)


def load_revision(spec: str, settings: Settings) -> Version:
    """The project's sources at a git revision, compiled."""
    root = settings.root
    own = project_paths(settings.sources)
    library = [source for source in settings.sources if not isinstance(source, Path)]
    commit = _revision(root, spec)
    if commit is None:
        raise VersionError(f"{spec!r} is neither a folder nor a git revision of this project")
    top = _git(root, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise VersionError(f"{root} is not inside a git repository")
    toplevel = Path(top.stdout.decode().strip()).resolve()
    outside = [source for source in own if not source.resolve().is_relative_to(toplevel)]
    if outside:
        raise VersionError(
            f"{display_path(outside[0])} is outside the git repository at {toplevel}: "
            "no revision holds it, compare folders instead"
        )
    relative = [source.resolve().relative_to(toplevel).as_posix() for source in own]
    if settings.pyproject is not None:
        relative.append(settings.pyproject.resolve().relative_to(toplevel).as_posix())
    listed = _git(toplevel, "ls-tree", "-r", "--name-only", commit, "--", *relative)
    names = [n for n in listed.stdout.decode().splitlines() if n]
    if not any(n.endswith(".rules") for n in names):
        raise VersionError(f"{spec} has no rule files in {', '.join(relative[: len(own)])}")
    archive = _git(toplevel, "archive", "--format=tar", commit, "--", *names)
    if archive.returncode != 0:
        raise VersionError(f"git archive {spec} failed: {archive.stderr.decode().strip()}")
    folder = tempfile.TemporaryDirectory(prefix="privlex-diff-")
    try:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(folder.name, filter="data")
    except tarfile.FilterError as exc:
        # A committed link to a file outside the revision would read that file as it is now.
        folder.cleanup()
        raise VersionError(
            f"{spec}: {exc.tarinfo.name} is a link to a file outside the project; "
            "privlex diff reads only the rule files committed in a revision"
        ) from exc
    except (tarfile.TarError, OSError) as exc:
        folder.cleanup()
        raise VersionError(f"cannot unpack {spec}'s rule files: {exc}") from exc
    # A source may lie beside the project in the repository (`../common-rules`), so paths are taken from the top.
    sources = [Path(folder.name) / path for path in relative[: len(own)]]
    existing: list[Source] = [s for s in sources if s.exists()]
    # The shipped library comes from the privlex installed now, not from the revision.
    return Version(spec, compile_unit([*library, *existing]), folder)


def load_version(spec: str | None, settings: Settings) -> Version:
    """A folder or rule file, a git revision, or (None) the working tree's sources."""
    if spec is None:
        sources = [Path(display_path(s)) if isinstance(s, Path) else s for s in settings.sources]
        return Version("working tree", compile_unit(sources))
    path = Path(spec)
    if path.exists():
        return load_folder(path, spec, [source for source in settings.sources if not isinstance(source, Path)])
    return load_revision(spec, settings)
