"""The `privlex` command: one module per subcommand, each with `register` and `run`.

`COMMANDS` lists the subcommands' modules (`NAME_cmd.py` in this folder), one
a line, in the order `privlex --help` shows them. `main` never lets a
traceback reach the person at the terminal for what is not a bug: a closed
pipe (`privlex decide ... | head`) ends quietly with exit code 141, as for any
Unix tool; Ctrl-C ends with 130; a missing optional dependency (numpy,
pyarrow, ...) is one line saying which extra to install, exit 2. The command
modules are imported inside `main`, so that Ctrl-C while they load is handled
too. `privlex` alone prints the help and exits 0.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from collections.abc import Sequence

# The subcommands, one module each: privlex.cli.<NAME>_cmd.
COMMANDS = (
    "compile",
    "check",
    "test",
    "decide",
    "explain",
    "filter",
    "verify",
    "diff",
    "fmt",
    "report",
    "lsp",
    "completion",
)

EXIT_USAGE, EXIT_INTERRUPTED, EXIT_CLOSED_PIPE = 2, 130, 141

# Optional dependencies, by the extra that installs them.
EXTRAS = {
    "numpy": "arrow",
    "pyarrow": "arrow",
    "pandas": "pandas",
    "polars": "polars",
    "datasets": "datasets",
    "dask": "dask",
    "distributed": "dask",
    "pyspark": "spark",
    "z3": "verify",
    "pygls": "lsp",
    "lsprotocol": "lsp",
}

DESCRIPTION = "A compiler for privacy law: rule files in, typed Python checkers out."
EPILOG = """examples:
  privlex check
      every check of the project's rule files ([tool.privlex] in pyproject.toml)
  privlex compile
      write the project's checker package
  privlex test --require-coverage
      run the tests written beside the rules
  privlex decide --region DE --data content.chat --purpose ai.training --set consent.given=true
      decide one use
  privlex verify
      check the properties the rules promise, over every possible use
  privlex report --out report
      a static HTML site of the rules and what they decide, for review
  privlex COMMAND --help
      a command's options and examples"""


def chosen_commands(argv: Sequence[str]) -> Sequence[str]:
    """The commands whose modules the parser needs: the one named first, else all (for --help, a typo).

    Importing one command's module, not all twelve, keeps the compiler, the
    solver and the language server out of `privlex filter`'s start-up;
    `completion` describes every command, so it needs them all.
    """
    named = argv[0] if argv else None
    if named in COMMANDS and named != "completion":
        return (named,)
    return COMMANDS


def parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The `privlex` parser; given ARGV, only with the command it names (see `chosen_commands`)."""
    from .. import __version__
    from .parsing import Parser

    main = Parser(prog="privlex", description=DESCRIPTION, epilog=EPILOG)
    main.add_argument("--version", action="version", version=f"privlex {__version__}")
    commands = main.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for name in COMMANDS if argv is None else chosen_commands(argv):
        importlib.import_module(f"{__name__}.{name}_cmd").register(commands)
    return main


def _run(argv: Sequence[str] | None) -> int:
    from .basics import Finished, UsageError

    arguments = sys.argv[1:] if argv is None else list(argv)
    root = parser(arguments)
    try:
        args = root.parse_args(arguments)
    except SystemExit as exc:  # --help, --version, or a usage error already reported
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    if args.command is None:
        root.print_help()
        return 0
    try:
        return int(args.run(args))
    except Finished as exc:
        return exc.code
    except UsageError as exc:
        sys.stderr.write(f"privlex: {exc}\n")
        return EXIT_USAGE
    except ModuleNotFoundError as exc:
        missing = (exc.name or "").split(".")[0]
        if missing not in EXTRAS:
            raise
        sys.stderr.write(
            f"privlex {args.command}: this needs {missing}, which is not installed: "
            f"pip install 'privlex[{EXTRAS[missing]}]'\n"
        )
        return EXIT_USAGE


def _quiet_closed_pipe() -> None:
    """Point stdout and stderr at /dev/null, so that flushing them at exit raises nothing."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):
        try:
            os.dup2(devnull, stream.fileno())
        except (OSError, ValueError, AttributeError):  # not a real file (tests capture the streams)
            pass
    os.close(devnull)


def _spare_the_exit() -> None:
    """Put every object the command left out of reach of the collection the interpreter makes at exit.

    That last collection walks everything still alive (the imported modules,
    pydantic's schemas, the checkers' program) only for the exit to free it
    all anyway: 0.15-0.2 s of CPU after `privlex filter` (docs/performance.md).
    Only for the `privlex` process itself (`argv` None): a caller of
    `main(argv)`, a test, goes on living and collecting.
    """
    gc.freeze()


def main(argv: Sequence[str] | None = None) -> int:
    try:
        code = _run(argv)
        sys.stdout.flush()  # here, not at exit, so that a closed pipe is handled below
        return code
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _quiet_closed_pipe()
        return EXIT_CLOSED_PIPE
    finally:
        if argv is None:
            _spare_the_exit()
