"""`privlex lsp`: the language server for editors, over standard input and output."""

from __future__ import annotations

import argparse

from .common import EXIT_OK, examples


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser(
        "lsp",
        help="run the language server for editors (over stdio)",
        description="Serve the Language Server Protocol over standard input and output: diagnostics as you type, "
        "hover, go to definition, references, completion, the outline and formatting of rule files. "
        "Editors start it themselves; see docs/editors.md.",
    )
    command.epilog = examples(
        ("privlex lsp", "started by the editor (docs/editors.md), never by hand"),
    )
    command.add_argument("--stdio", action="store_true", help="use standard input and output (the default and only)")
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..lsp.server import serve  # needs pygls: a missing one is named with its extra, lsp

    serve()
    return EXIT_OK
