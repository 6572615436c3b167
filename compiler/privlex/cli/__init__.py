"""The `privlex` command: one module per subcommand, each with `register` and `run`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .. import __version__
from . import check_cmd, compile_cmd, decide_cmd, filter_cmd, fmt_cmd, lsp_cmd, report_cmd, test_cmd
from .common import EXIT_USAGE, Finished, UsageError

COMMANDS = (compile_cmd, check_cmd, test_cmd, decide_cmd, filter_cmd, fmt_cmd, report_cmd, lsp_cmd)


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="privlex", description="A compiler for privacy law.")
    main.add_argument("--version", action="version", version=f"privlex {__version__}")
    commands = main.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.register(commands)
    return main


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.run(args))
    except Finished as exc:
        return exc.code
    except UsageError as exc:
        sys.stderr.write(f"privlex: {exc}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
