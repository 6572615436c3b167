"""The `privlex` command: one module per subcommand, each with `register` and `run`.

`main` never lets a traceback reach the person at the terminal for what is
not a bug: a closed pipe (`privlex decide ... | head`) ends quietly with
exit code 141, as for any Unix tool; Ctrl-C ends with 130; a missing optional
dependency (numpy, pyarrow, ...) is one line saying which extra to install,
exit 2. The command modules are imported inside `main`, so that Ctrl-C while
they load is handled too.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

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


def parser() -> argparse.ArgumentParser:
    from .. import __version__
    from . import (
        check_cmd,
        compile_cmd,
        decide_cmd,
        diff_cmd,
        explain_cmd,
        filter_cmd,
        fmt_cmd,
        lsp_cmd,
        report_cmd,
        test_cmd,
        verify_cmd,
    )

    main = argparse.ArgumentParser(prog="privlex", description="A compiler for privacy law.")
    main.add_argument("--version", action="version", version=f"privlex {__version__}")
    commands = main.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in (
        compile_cmd,
        check_cmd,
        test_cmd,
        decide_cmd,
        explain_cmd,
        filter_cmd,
        verify_cmd,
        diff_cmd,
        fmt_cmd,
        report_cmd,
        lsp_cmd,
    ):
        command.register(commands)
    return main


def _run(argv: Sequence[str] | None) -> int:
    from .common import Finished, UsageError

    args = parser().parse_args(argv)
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
