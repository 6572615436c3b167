"""The command line's parser: no abbreviated flags, the nearest flag suggested, help with examples.

argparse as is accepts `--output-f` for `--output-format`, answers an
unknown flag of a subcommand with the top-level usage, and wraps the
examples of an epilog into one paragraph. `Parser` does none of these.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

_CHOICE = re.compile(r"argument (?P<name>[^:]+): invalid choice: '(?P<given>[^']*)'")


class HelpFormatter(argparse.HelpFormatter):
    """Descriptions wrapped as usual; an `examples:` epilog kept line by line."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if text.startswith("examples:"):
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


def nearest(word: str, candidates: Sequence[str]) -> str | None:
    found = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return found[0] if found else None


class Parser(argparse.ArgumentParser):
    """An ArgumentParser for privlex and each of its commands."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def flags(self) -> list[str]:
        return [flag for action in self._actions for flag in action.option_strings if flag.startswith("--")]

    def commands(self) -> dict[str, Parser]:
        """The subcommands' parsers, by name (none for a subcommand)."""
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                return dict(action.choices)
        return {}

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> argparse.Namespace:
        words = list(sys.argv[1:] if args is None else args)
        self._check_flags(words)
        parsed, extras = self.parse_known_args(words, namespace)
        if extras:
            command = self.commands().get(getattr(parsed, "command", None) or "")
            (command or self).unrecognized(extras)
        return parsed

    def _check_flags(self, words: list[str]) -> None:
        """An unknown `--flag` of a command is reported first, before any missing required flag."""
        commands = self.commands()
        position = next((i for i, word in enumerate(words) if not word.startswith("-")), None)
        if position is None or words[position] not in commands:
            return
        command = commands[words[position]]
        known = set(command.flags())
        for word in words[position + 1 :]:
            if word == "--":
                return
            if word.startswith("--") and word.split("=", 1)[0] not in known:
                command.unrecognized([word])

    def unrecognized(self, extras: Sequence[str]) -> NoReturn:
        """An error for arguments this parser does not take, naming the nearest flag it does take."""
        first = extras[0]
        if first.startswith("-") and first != "-":
            flag = first.split("=", 1)[0]
            hint = nearest(flag, self.flags())
            message = f"unrecognized argument {flag}" + (f"; did you mean {hint}?" if hint else "")
            if not hint:
                message += f" (`{self.prog} --help` lists the flags)"
        else:
            message = f"unexpected argument{'s' * (len(extras) != 1)}: {' '.join(extras)}"
        self.error(message)

    def error(self, message: str) -> NoReturn:
        found = _CHOICE.search(message)
        if found and found["name"] == "COMMAND":
            hint = nearest(found["given"], list(self.commands()))
            message = f"{found['given']!r} is not a privlex command" + (f"; did you mean {hint}?" if hint else "")
            message += f" (`{self.prog} --help` lists them)"
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")
