"""What every command needs before it runs: exit codes, usage errors, dates, --help examples.

Light on purpose (no compiler, no pydantic models): `privlex filter`, `decide`
and `explain` import this at start-up, and `common` (which imports the build
and the compiler's reading of rule files) only when they must find the
project's checkers.
"""

from __future__ import annotations

import datetime

from ..runtime.text import date_text

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad command-line input or an I/O failure: reported in one line, exit code 2."""


class Finished(Exception):
    """Stop the command with this exit code; everything has been reported already."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def parse_date(text: str) -> datetime.date:
    day = date_text(text)  # YYYY-MM-DD only, as everywhere (not ISO week or ordinal dates)
    if day is None:
        raise UsageError(f"{text!r} is not a date written YYYY-MM-DD")
    return day


def examples(*pairs: tuple[str, str]) -> str:
    """The `examples:` part of a command's --help: each command line, and what it does below it."""
    return "examples:\n" + "\n".join(f"  {command}\n      {what}" for command, what in pairs)
