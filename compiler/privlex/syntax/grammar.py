"""The grammar of rule files (`privlex.lark`, a file of this package) and the LALR parser built from it.

Building the parser (lark analyses the grammar and computes the LALR tables)
takes about half a second of CPU time, more than parsing every shipped rule
file's declarations does in most commands; it is built once per process and
its tables kept in privlex's cache folder (`privlex.cache`), so the next
process loads them in a few milliseconds. The file's name is a hash of what
decides the tables (the grammar, this module, lark's and Python's versions):
an edit to either gives a new file, never a stale parser. A cache that cannot
be read or written is no error: the parser is built as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import tempfile
from functools import cache
from importlib import resources
from pathlib import Path

import lark
from lark import Lark
from lark.indenter import Indenter

from ..cache import cache_folder, make_folder, untrusted

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


def build_parser(text: str) -> Lark:
    """The parser of `text`, built from scratch."""
    return Lark(text, parser="lalr", postlex=Blocks(), strict=True, propagate_positions=True, maybe_placeholders=False)


def cached_parser_path(text: str) -> Path:
    """Where the tables of `text`'s parser are kept: named by all that decides them."""
    digest = hashlib.sha256()
    for part in (text.encode("utf-8"), Path(__file__).read_bytes(), lark.__version__.encode(), sys.version.encode()):
        digest.update(hashlib.sha256(part).digest())
    return cache_folder() / f"parser-{digest.hexdigest()[:32]}.lark"


@cache
def parser() -> Lark:
    """The rule file parser, loaded from the cache folder, or built and kept there for the next process."""
    return kept_parser(grammar_text())


def kept_parser(text: str) -> Lark:
    """The parser of the grammar `text`, loaded from the cache folder, or built and kept there.

    `parser()` is this for privlex's grammar, once per process; the formatter's tests lay out files of an
    extended grammar with it.
    """
    try:
        path = cached_parser_path(text)
    except OSError:  # this module's file cannot be read (an unusual installation): no cache
        return build_parser(text)
    if untrusted(path.parent):  # loading unpickles: never from a folder others could have written to
        return build_parser(text)
    with contextlib.suppress(Exception):  # missing, unreadable or damaged: build it again
        with path.open("rb") as kept:
            return Lark.load(kept)
    built = build_parser(text)
    _keep(built, path)
    return built


def _keep(built: Lark, path: Path) -> None:
    """Save the parser's tables atomically (a process loading them never sees half a file); failures are ignored."""
    with contextlib.suppress(OSError):
        make_folder(path.parent)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".privlex-tmp-", suffix=".lark")
        try:
            with os.fdopen(handle, "wb") as out:
                built.save(out)
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
