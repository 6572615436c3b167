"""`privlex compile`: check a compilation unit and write (or check, or diff) its generated package."""

from __future__ import annotations

import argparse
import difflib
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from ..build.outputs import Staleness, UnsafeOutput, compare, owned_problem, write_package
from ..pipeline import generate
from ..source import display_path
from .common import (
    EXIT_FAILED,
    EXIT_OK,
    UsageError,
    add_report_arguments,
    add_unit_arguments,
    check_stdout_free,
    compile_and_report,
    examples,
    resolve_settings,
)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser(
        "compile",
        help="check a compilation unit and generate its checker package",
        description="Check the rule files of one compilation unit and write its generated package to OUT/PACKAGE. "
        "Settings come from [tool.privlex] in the nearest pyproject.toml; flags override them. Exit 0: "
        "written (or up to date); 1: errors in the rules, stale output (--check, --diff) or files changed "
        "(--exit-non-zero-on-change); 2: usage, configuration or I/O error.",
        epilog=examples(
            ("privlex compile", "write the project's package to OUT/PACKAGE"),
            ("privlex compile --check", "in CI: exit 1 when the generated code is out of date"),
            ("privlex compile --diff", "print what would change as a unified diff"),
            ("privlex compile rules/ --out src --package acme_rules", "without a [tool.privlex] table"),
        ),
    )
    add_unit_arguments(command)
    command.add_argument(
        "--out", metavar="DIR", help="output folder (default: `out` of [tool.privlex], else generated/)"
    )
    command.add_argument(
        "--package",
        metavar="NAME",
        help="import name of the generated package (default: `package` of [tool.privlex], else <project name>_rules)",
    )
    staleness = command.add_mutually_exclusive_group()
    staleness.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 when a generated file would change, is missing or should no longer exist",
    )
    staleness.add_argument(
        "--diff",
        action="store_true",
        help="write nothing; print a unified diff of what would change and exit 1 when stale",
    )
    staleness.add_argument(
        "--exit-non-zero-on-change",
        action="store_true",
        help="write the package, and exit 1 when any file was written or removed (for pre-commit)",
    )
    add_report_arguments(command)
    command.set_defaults(run=run)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _lines(text: str) -> list[str]:
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines


def unified_diff(folder: Path, files: Mapping[str, str], difference: Staleness) -> str:
    """What `privlex compile` would change, as a unified diff in git's form (`git apply` takes it)."""
    chunks: list[str] = []
    for name in sorted({*difference.changed, *difference.missing, *difference.extra}):
        path = display_path(folder / name)
        chunks.append(f"diff --git a/{path} b/{path}\n")
        if name in difference.missing:
            chunks.append("new file mode 100644\n")
        elif name in difference.extra:
            chunks.append("deleted file mode 100644\n")
        old = "" if name in difference.missing else _read(folder / name)
        new = files.get(name, "")
        chunks.extend(
            difflib.unified_diff(
                _lines(old),
                _lines(new),
                fromfile="/dev/null" if name in difference.missing else f"a/{path}",
                tofile="/dev/null" if name in difference.extra else f"b/{path}",
            )
        )
    return "".join(chunks)


def _report_stale(folder: Path, difference: Staleness) -> None:
    for label, name in difference.listing("changed", "missing", "no longer generated"):
        sys.stderr.write(f"stale: {display_path(folder / name)} ({label})\n")
    sys.stderr.write("generated code is out of date: run `privlex compile`\n")


def git_ignored(folder: Path) -> bool:
    """Whether git ignores the generated package (False outside a git repository, or without git)."""
    try:
        done = subprocess.run(
            ["git", "check-ignore", "-q", str(folder / "__init__.py")],
            cwd=folder.parent if folder.parent.is_dir() else None,
            capture_output=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def run(args: argparse.Namespace) -> int:
    if args.diff:
        check_stdout_free(args, "--diff")
    settings = resolve_settings(args, out=args.out, package=args.package)
    compilation = compile_and_report(args, settings)
    if compilation.program is None:
        return EXIT_FAILED
    folder = settings.package_dir
    files = generate(compilation.program, settings.package)
    try:
        problem = owned_problem(folder, display_path(folder))
    except OSError as exc:
        raise UsageError(f"cannot read {display_path(folder)}: {exc.strerror or exc}") from exc
    if problem:
        raise UsageError(problem)
    if args.check or args.diff:
        difference = compare(folder, files)
        if args.diff:
            sys.stdout.write(unified_diff(folder, files, difference))
            sys.stdout.flush()
        if difference.stale:
            _report_stale(folder, difference)
            return EXIT_FAILED
        sys.stderr.write(f"{display_path(folder)} is up to date\n")
        return EXIT_OK
    try:
        difference = write_package(folder, files)
    except UnsafeOutput as exc:
        raise UsageError(owned_problem(folder, display_path(folder)) or str(exc)) from exc
    except OSError as exc:
        raise UsageError(f"cannot write {display_path(folder)}: {exc.strerror or exc}") from exc
    touched = len(difference.changed) + len(difference.missing) + len(difference.extra)
    sys.stderr.write(
        f"compiled {len(compilation.program.rulesets)} rulesets into {display_path(folder)} "
        f"({touched} file{'s' * (touched != 1)} changed)\n"
    )
    if args.exit_non_zero_on_change and touched:
        if git_ignored(folder):
            sys.stderr.write(
                f"privlex: {display_path(folder)} is ignored by git, so the changed files are not part of a "
                "commit (the `privlex-check` hook is the one for projects that git-ignore generated code)\n"
            )
            return EXIT_OK
        for label, name in difference.listing("updated", "created", "removed"):
            sys.stderr.write(f"{label}: {display_path(folder / name)}\n")
        sys.stderr.write("privlex: generated files changed; review them and add them to the commit\n")
        return EXIT_FAILED
    return EXIT_OK
