"""E105: control and bidirectional characters are refused anywhere in a rule file, and only they are."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import compile_unit
from fuzz_hostile import PAYLOADS, REFUSED_PAYLOADS
from fuzz_model import quoted
from hypothesis import given
from hypothesis import strategies as st
from privlex.source import SourceFile
from privlex.syntax.characters import FORBIDDEN, forbidden_characters

UNIT = """data content "Content people create or share"
purpose ai "Artificial intelligence"
fact consent.given "The person consented": boolean
country DE "Germany"

ruleset demo "Demo regime":
    law "Demo Act 2024"
    covers DE
    otherwise deny "No lawful basis" cites "Demo Art. 1"

    # A comment: TEXT and more
    rule consent TITLE:
        cites CITATION
        permit when consent.given
"""


def codes(tmp_path: Path, payload: str) -> list[str]:
    """The codes of the unit with `payload` in a comment, a title and a citation."""
    text = UNIT.replace("TEXT", payload)
    text = text.replace("TITLE", quoted(f"Consent {payload}")).replace("CITATION", quoted(f"Demo Art. 2 {payload}"))
    path = tmp_path / "unit.rules"
    path.write_bytes(text.encode("utf-8"))
    return [d.code for d in compile_unit(path).diagnostics]


@pytest.mark.parametrize("payload", REFUSED_PAYLOADS, ids=ascii)
def test_a_refused_character_in_a_title_citation_or_comment_is_e105_alone(tmp_path: Path, payload: str) -> None:
    assert codes(tmp_path, payload) == ["E105"] * 3


@pytest.mark.parametrize("payload", PAYLOADS, ids=ascii)
def test_every_other_hostile_text_is_accepted(tmp_path: Path, payload: str) -> None:
    assert codes(tmp_path, payload) == []


def test_line_endings_are_not_refused(tmp_path: Path) -> None:
    path = tmp_path / "unit.rules"
    text = UNIT.replace("TEXT", "").replace("TITLE", '"Consent"').replace("CITATION", '"Demo Art. 2"')
    path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    assert [d.code for d in compile_unit(path).diagnostics] == []


@given(st.text(st.characters(exclude_categories=("Cs",)), max_size=60))
def test_each_line_with_a_refused_character_is_reported_once_and_the_parser_sees_none(text: str) -> None:
    source = SourceFile(path="p.rules", text=text, data=text.encode("utf-8"))
    found, readable = forbidden_characters(source)
    lines = text.split("\n")
    assert [d.span.line for d in found if d.span] == [n for n, line in enumerate(lines, 1) if FORBIDDEN.search(line)]
    assert len(readable) == len(text) and not FORBIDDEN.search(readable)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "# \x1b[31m red \x1b[0m \x07",
            "a control character U+001B (escape), and 2 more on this line: a rule file holds printable text only",
        ),
        (
            "# \u202e reversed \u2066",
            "an invisible character U+202E (right-to-left override), with 1 more on this line, reorders how this "
            "line is shown: a reader would not see the text privlex reads",
        ),
    ],
    ids=["control", "bidirectional"],
)
def test_several_refused_characters_on_a_line_are_counted_in_plain_words(line: str, expected: str) -> None:
    """Finding: the count read "U+001B (escape) (and 2 more on this line)", two parentheses in a row."""
    diagnostics, _ = forbidden_characters(SourceFile(path="unit.rules", text=f"{line}\n", data=b""))
    assert [d.message for d in diagnostics] == [expected]
