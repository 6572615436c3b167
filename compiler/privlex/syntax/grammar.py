"""The grammar of rule files (`privlex.lark`, a file of this package) and the LALR parser built from it once."""

from __future__ import annotations

from functools import cache
from importlib import resources

from lark import Lark
from lark.indenter import Indenter

GRAMMAR_NAME = "privlex.lark"


class Blocks(Indenter):
    """Indentation opens and closes blocks, as in Python; inside ( ) and { } line breaks are free."""

    NL_type = "_NL"
    OPEN_PAREN_types = ["LPAR", "LBRACE"]
    CLOSE_PAREN_types = ["RPAR", "RBRACE"]
    INDENT_type = "_INDENT"
    DEDENT_type = "_DEDENT"
    tab_len = 8


def grammar_text() -> str:
    """The grammar, a file of this package."""
    return resources.files("privlex.syntax").joinpath(GRAMMAR_NAME).read_text(encoding="utf-8")


@cache
def parser() -> Lark:
    return Lark(
        grammar_text(),
        parser="lalr",
        postlex=Blocks(),
        strict=True,
        propagate_positions=True,
        maybe_placeholders=False,
    )
