"""`privlex diff OLD [NEW]`: which decisions change between two versions of the rules."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    emit,
    examples,
    rebased,
    rebaser,
    resolve_settings,
    run_targets,
)
from .files import write_output_file
from .verify_cmd import add_timeout_argument, solver_missing

FORMATS = ("text", "json", "markdown", "github")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser(
        "diff",
        help="list every decision that changes between two versions of the rules",
        description="Compare the decisions of two versions of a compilation unit over every possible use, and "
        "list each change as regions of uses with the old and new outcome and deciding rules. OLD and NEW are "
        "folders (or rule files), or git revisions of the project (HEAD~1, v0.1.0, main); NEW defaults to "
        "the working tree.",
    )
    command.epilog = examples(
        ("privlex diff HEAD~1", "what the last commit changed in the decisions"),
        ("privlex diff v0.1.0 main --outcomes-only", "permits that became denies and back, between two revisions"),
        ("privlex diff old-rules/ rules/ --format markdown", "two folders, as a table for a pull request"),
    )
    command.add_argument("old", metavar="OLD", help="a folder of rule files, or a git revision")
    command.add_argument("new", metavar="NEW", nargs="?", help="likewise (default: the working tree)")
    command.add_argument(
        "--config", metavar="FILE", help="the pyproject.toml to read [tool.privlex] from (default: the nearest one)"
    )
    command.add_argument(
        "--format", choices=FORMATS, default="text", help="text (default), json, markdown or github (annotations)"
    )
    command.add_argument("--output-file", metavar="FILE", help="write the diff to FILE instead of stdout")
    command.add_argument("--outcomes-only", action="store_true", help="list only changes of outcome, not of reasons")
    command.add_argument("--limit", type=int, default=100, metavar="N", help="list at most N changes (default 100)")
    command.add_argument(
        "--regions", type=int, default=6, metavar="N", help="describe each change by at most N regions (default 6)"
    )
    command.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help="describe the changes in N processes at once (default: one per core, at most 4); the output is "
        "the same for any N",
    )
    add_timeout_argument(command)
    command.add_argument(
        "--exit-code",
        action="store_true",
        help="exit 1 when some decision changed (like git diff --exit-code); a diff with no answer exits 2, "
        "with or without this flag",
    )
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.timeout <= 0 or args.limit < 1 or args.regions < 1 or (args.jobs is not None and args.jobs < 1):
        raise UsageError("--timeout, --limit, --regions and --jobs must be positive")
    if problem := solver_missing("privlex diff"):
        raise UsageError(problem)
    from ..verify.diff import diff_programs
    from ..verify.processes import WorkerFailed, default_jobs
    from ..verify.report import render
    from ..verify.solve import SolverTimeout
    from ..verify.space import SpaceError
    from ..verify.versions import Version, VersionError, load_version

    args.paths = []
    settings = resolve_settings(args)
    # Paths as the diagnostics name them: from the current folder (for annotations, a workflow's checkout).
    moves = [
        rebaser([Path(spec)] if spec and Path(spec).exists() else run_targets(settings))
        for spec in (args.old, args.new)
    ]
    versions: list[Version] = []
    try:
        for spec, move in zip((args.old, args.new), moves, strict=True):
            version = load_version(spec, settings)
            versions.append(version)
            if version.compilation.program is None:
                sys.stderr.write(f"privlex: {version.label} does not compile:\n")
                diagnostics, sources = rebased(version.compilation, move)
                emit(argparse.Namespace(output_format="full", color="never"), diagnostics, sources)
                # Not 1: with --exit-code, 1 says that decisions changed.
                return EXIT_USAGE
        old, new = (v.compilation.program for v in versions)
        assert old is not None and new is not None
        try:
            diff = diff_programs(
                old,
                new,
                timeout=args.timeout,
                limit=args.limit,
                regions=args.regions,
                outcomes_only=args.outcomes_only,
                jobs=args.jobs or default_jobs(),
            )
        # A diff that could not finish is no answer: not 1, which says with --exit-code that decisions changed.
        except SolverTimeout as exc:
            sys.stderr.write(f"privlex diff could not finish: {exc}; raise --timeout\n")
            return EXIT_USAGE
        except WorkerFailed as exc:
            sys.stderr.write(f"privlex diff could not finish: a worker process failed describing a change: {exc}\n")
            return EXIT_USAGE
        except SpaceError as exc:
            raise UsageError(f"the versions cannot be compared: {exc}") from exc
        text = render(diff, args.format, versions[0].label, versions[1].label, moves=(moves[0], moves[1]))
    except VersionError as exc:
        raise UsageError(str(exc)) from exc
    finally:
        for version in versions:
            version.close()
    if args.output_file:
        write_output_file(args.output_file, text)
    else:
        sys.stdout.write(text)
    return EXIT_FAILED if args.exit_code and not diff.unchanged else EXIT_OK
