"""The parser's tables kept in the cache folder (privlex.syntax.grammar): the same parser, never a stale one."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest
from conftest import ROOT, TESTS
from lark import Lark, UnexpectedInput
from privlex.syntax import grammar

# Every construct of the language is in the good fixture units; one shipped regime besides them.
RULE_FILES = [ROOT / "rulesets" / "coppa.rules", *sorted((TESTS / "good").rglob("*.rules"))]
GOOD = 'data content "Content people create or share"\n'
BROKEN = [
    'data content = "Content people create or share"\n',
    'group EEA "European Economic Area":\n    (DE\n',
    'country DE "Germany"\n    country FR "France"\n',
]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PRIVLEX_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def fresh_parser() -> Lark:
    """What `parser()` gives in a new process (it is built or loaded once per process)."""
    return grammar.parser.__wrapped__()  # type: ignore[attr-defined, no-any-return]


_BUILT: dict[str, Lark] = {}


@pytest.fixture(autouse=True)
def built_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """`build_parser` builds each grammar's parser once for this module (about half a second of CPU each).

    The tests check which way `parser()` takes (built or loaded, kept or not) and what it gives; the build
    itself is lark's and the same every time, so the tests share one.
    """
    build = grammar.build_parser

    def built(text: str) -> Lark:
        if text not in _BUILT:
            _BUILT[text] = build(text)
        return _BUILT[text]

    monkeypatch.setattr(grammar, "build_parser", built)


def error_of(parser: Lark, text: str) -> tuple[str, int, int, frozenset[str]]:
    with pytest.raises(UnexpectedInput) as raised:
        parser.parse(text)
    error = raised.value
    return type(error).__name__, error.line, error.column, frozenset(getattr(error, "expected", ()) or ())


def test_a_damaged_cache_file_is_built_again_and_replaced_by_one_that_parses_alike(cache: Path) -> None:
    path = grammar.cached_parser_path(grammar.grammar_text())
    cache.mkdir()
    path.write_bytes(b"not a parser")
    built = fresh_parser()
    assert [p.name for p in cache.iterdir()] == [path.name]  # replaced, and no temporary file left behind
    loaded = fresh_parser()
    assert isinstance(loaded.options.postlex, grammar.Blocks)
    for rules in RULE_FILES:
        text = rules.read_text(encoding="utf-8")
        assert loaded.parse(text) == built.parse(text), rules
    for text in BROKEN:
        assert error_of(loaded, text) == error_of(built, text), text


def test_a_cache_folder_that_cannot_be_written_is_no_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "a file"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setenv("PRIVLEX_CACHE_DIR", str(blocked / "cache"))
    assert fresh_parser().parse(GOOD)


def test_another_grammar_is_kept_under_another_name() -> None:
    text = grammar.grammar_text()
    assert grammar.cached_parser_path(text) == grammar.cached_parser_path(text)
    assert grammar.cached_parser_path(text) != grammar.cached_parser_path(text + "\n// an edit\n")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX owners and modes")
def test_tables_are_never_loaded_from_a_folder_others_can_write_to(cache: Path) -> None:
    """Loading the tables unpickles them: a file someone else could have put there is neither read nor replaced."""
    cache.mkdir()
    cache.chmod(0o777)
    planted = grammar.cached_parser_path(grammar.grammar_text())
    planted.write_bytes(b"someone else's pickle")
    assert fresh_parser().parse(GOOD)
    assert planted.read_bytes() == b"someone else's pickle"


def test_the_cache_folder_is_made_for_its_owner_only(cache: Path) -> None:
    fresh_parser()
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert [p.name for p in cache.iterdir()] == [grammar.cached_parser_path(grammar.grammar_text()).name]
