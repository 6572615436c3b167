"""`privlex compile`: check rule files and write (or check) the generated package."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..outputs import compare, write_package
from ..pipeline import generate
from .common import (
    DEFAULT_PACKAGE,
    EXIT_FAILED,
    EXIT_OK,
    UsageError,
    compile_and_report,
    project_root,
)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser("compile", help="check rule files and generate checker modules")
    command.add_argument("paths", nargs="*", metavar="PATH", help="rule files or folders (default: rulesets/)")
    command.add_argument("--out", metavar="DIR", help="output folder (default: generated/)")
    command.add_argument("--package", default=DEFAULT_PACKAGE, help=f"package name (default: {DEFAULT_PACKAGE})")
    command.add_argument("--check", action="store_true", help="write nothing; exit 1 when the output is stale")
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    compilation = compile_and_report(args.paths)
    if compilation.program is None:
        return EXIT_FAILED
    out = Path(args.out) if args.out else project_root() / "generated"
    folder = out / args.package
    files = generate(compilation.program, args.package)
    if args.check:
        difference = compare(folder, files)
        if difference.stale:
            for label, names in (("changed", difference.changed), ("missing", difference.missing),
                                 ("no longer generated", difference.extra)):
                for name in names:
                    sys.stderr.write(f"stale: {folder / name} ({label})\n")
            sys.stderr.write("generated code is out of date: run `privlex compile`\n")
            return EXIT_FAILED
        sys.stderr.write(f"{folder} is up to date\n")
        return EXIT_OK
    try:
        difference = write_package(folder, files)
    except OSError as exc:
        raise UsageError(f"cannot write {folder}: {exc.strerror or exc}") from exc
    touched = len(difference.changed) + len(difference.missing) + len(difference.extra)
    sys.stderr.write(f"compiled {len(compilation.program.rulesets)} rulesets into {folder} "
                     f"({touched} file{'s' * (touched != 1)} changed)\n")
    return EXIT_OK


