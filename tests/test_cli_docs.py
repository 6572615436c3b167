"""The docs a CLI user reads stay true to the code: codes and their explanations, commands, formats, exit codes."""

from __future__ import annotations

import re

from conftest import ROOT
from privlex.cli import COMMANDS
from privlex.diagnostics import CODES
from privlex.diagnostics.explanations import EXPLANATIONS
from privlex.testreport import TEST_FORMATS

DIAGNOSTICS = (ROOT / "docs" / "diagnostics.md").read_text(encoding="utf-8")
BUILD = (ROOT / "docs" / "build.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_sarif_explanations_are_the_documented_ones() -> None:
    rows = {
        found["code"]: (found["meaning"], found["todo"])
        for found in re.finditer(
            r'^\| (?P<code>[EW]\d{3}) \| <a id="(?P<anchor>[ew]\d{3})"></a>(?P<meaning>.*?) \| (?P<todo>.*?) \|$',
            DIAGNOSTICS,
            re.MULTILINE,
        )
        if found["anchor"] == found["code"].lower()
    }
    assert set(rows) == set(CODES), "every code has a row with its anchor in docs/diagnostics.md"
    assert rows == EXPLANATIONS, "privlex/diagnostics/explanations.py and docs/diagnostics.md differ"


def test_every_command_and_test_format_is_documented() -> None:
    for command in COMMANDS:
        assert f"privlex {command}" in BUILD, command
        assert f"privlex {command}" in README or command == "completion" and "privlex completion" in README
    for output_format in TEST_FORMATS:
        assert f"`{output_format}`" in BUILD, output_format


def test_the_documented_exit_codes_are_the_ones_privlex_uses() -> None:
    from privlex.cli import EXIT_CLOSED_PIPE, EXIT_INTERRUPTED
    from privlex.cli.decide_cmd import EXIT_BY_OUTCOME

    assert f"| **{EXIT_CLOSED_PIPE}** |" in BUILD and f"| **{EXIT_INTERRUPTED}** |" in BUILD
    assert EXIT_BY_OUTCOME == {"permit": 0, "deny": 1, "not_applicable": 3}
    assert "0 permit, 1 deny, 3 not applicable" in BUILD


def test_install_instructions_need_only_a_git_url() -> None:
    assert 'pip install "privlex @ git+https://' in BUILD and 'pip install "privlex @ git+https://' in README
    assert "pip install privlex\n" not in BUILD and "pip install privlex " not in BUILD
    for hook in ("privlex-compile", "privlex-check"):
        assert f"      - id: {hook}\n```" in BUILD, f"a recipe with {hook} alone"
