"""Diagnostics for machines: every --output-format against a golden file, streams, colour, SARIF fields."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from conftest import ROOT, TESTS, assert_golden
from privlex import __version__
from privlex.cli import main
from privlex.diagnostics import CODES, Diagnostic, Severity
from privlex.diagnostics.formats import (
    format_concise,
    format_github,
    format_sarif,
    use_color,
)
from privlex.source import Span

FORMATS = TESTS / "formats"
UNIT = "tests/formats/unit"
GOLDEN = {
    "full": "full.txt",
    "concise": "concise.txt",
    "json": "diagnostics.json",
    "sarif": "diagnostics.sarif",
    "github": "github.txt",
}


@pytest.fixture(autouse=True)
def at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("CLICOLOR_FORCE", raising=False)
    monkeypatch.setenv("PRIVLEX_DOCS_URL", "https://example.org/privlex/docs/diagnostics.md")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("output_format", sorted(GOLDEN))
def test_each_format_matches_its_golden_file(
    output_format: str, capsys: pytest.CaptureFixture[str], update_golden: bool
) -> None:
    code, out, err = run(capsys, "check", UNIT, "--output-format", output_format)
    assert code == 1
    machine = output_format in ("json", "sarif")
    text, other = (out, err) if machine else (err, out)
    assert other == "", f"{output_format} must leave the other stream alone"
    if output_format == "sarif":
        text = _stable_sarif(text)
    assert_golden(FORMATS / "expected" / GOLDEN[output_format], text, update_golden)


def _stable_sarif(text: str) -> str:
    """The SARIF log without what changes when privlex grows: its version, codes no result uses, rule indexes.

    test_sarif_has_what_code_scanning_needs checks those against the real log.
    """
    sarif = json.loads(text)
    run_ = sarif["runs"][0]
    used = {result["ruleId"] for result in run_["results"]}
    run_["tool"]["driver"]["version"] = "<version>"
    run_["tool"]["driver"]["rules"] = [rule for rule in run_["tool"]["driver"]["rules"] if rule["id"] in used]
    for result in run_["results"]:
        result["ruleIndex"] = "<index>"
    return json.dumps(sarif, indent=2, ensure_ascii=False) + "\n"


def test_full_in_colour_matches_its_golden_file(capsys: pytest.CaptureFixture[str], update_golden: bool) -> None:
    code, _, err = run(capsys, "check", UNIT, "--color", "always")
    assert code == 1
    assert "\x1b[" in err
    assert_golden(FORMATS / "expected" / "full-color.txt", err, update_golden)
    plain = run(capsys, "check", UNIT, "--color", "never")[2]
    assert "\x1b[" not in plain
    assert _strip_ansi(err) == plain


def _strip_ansi(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def test_sarif_has_what_code_scanning_needs(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", UNIT, "--output-format", "sarif")
    assert code == 1
    sarif = json.loads(out)
    assert sarif["version"] == "2.1.0"
    assert "sarif-2.1.0" in sarif["$schema"]
    assert len(sarif["runs"]) == 1
    run_ = sarif["runs"][0]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "privlex" and driver["version"] == __version__
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert set(CODES) <= set(rule_ids)
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning")
    results = run_["results"]
    assert [r["ruleId"] for r in results] == ["E201", "W401", "E401"]
    for result in results:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] == ("warning" if result["ruleId"].startswith("W") else "error")
        assert result["message"]["text"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == "tests/formats/unit/policy.rules"
        region = location["region"]
        assert {"startLine", "startColumn", "endLine", "endColumn"} <= set(region)
        assert region["startLine"] >= 1 and region["endColumn"] > region["startColumn"]
    assert results[0]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 11,
        "startColumn": 14,
        "endLine": 11,
        "endColumn": 26,
    }
    assert "did you mean content.chat?" in results[0]["message"]["text"]


def test_json_and_sarif_are_written_even_without_diagnostics(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", "examples/downstream/rules", "--output-format", "sarif")
    assert code == 0
    assert json.loads(out)["runs"][0]["results"] == []
    assert "no problems" in err  # progress stays on stderr
    code, out, _ = run(capsys, "check", "examples/downstream/rules", "--output-format", "json")
    assert json.loads(out) == {"diagnostics": [], "summary": {"errors": 0, "warnings": 0}}


@pytest.mark.parametrize("output_format", sorted(GOLDEN))
def test_output_file_takes_the_diagnostics(
    output_format: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "report"
    code, out, err = run(
        capsys, "check", UNIT, "--output-format", output_format, "--output-file", str(target), "--color", "always"
    )
    assert code == 1
    assert out == "" and err == ""
    text = target.read_text(encoding="utf-8")
    assert "E201" in text and "\x1b[" not in text


def test_output_file_that_cannot_be_written_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "check", UNIT, "--output-file", str(tmp_path / "missing" / "x.txt"))
    assert code == 2
    assert "cannot write" in err and "Traceback" not in err


def test_machine_output_on_stdout_does_not_mix_with_a_diff(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "compile", "--diff", "--output-format", "sarif")
    assert code == 2
    assert "--output-file" in err


@pytest.fixture
def warning_only(tmp_path: Path) -> Path:
    """A unit whose only finding is a warning (W401)."""
    unit = tmp_path / "unit"
    unit.mkdir()
    (unit / "vocabulary.rules").write_text(
        (FORMATS / "unit" / "vocabulary.rules").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (unit / "policy.rules").write_text(
        'ruleset policy "Warning fixture":\n'
        '    law "Fixture Act"\n    covers DE\n    from 2020-01-01\n'
        '    otherwise deny "No lawful basis" cites "Fixture Art. 1"\n\n'
        '    rule consent "Consent":\n        cites "Fixture Art. 7"\n        permit when consent.given\n'
        '        unless also_permit "Consent, again":\n            cites "Fixture Art. 7(2)"\n'
        "            permit when consent.bundled\n",
        encoding="utf-8",
    )
    return unit


def test_warnings_fail_only_as_errors(warning_only: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "check", str(warning_only))
    assert code == 0, err
    assert "warning[W401]" in err
    code, _, err = run(capsys, "check", str(warning_only), "--warnings-as-errors")
    assert code == 1
    assert "--warnings-as-errors" in err
    out = tmp_path / "out"
    assert run(capsys, "compile", str(warning_only), "--out", str(out), "--warnings-as-errors")[0] == 1
    assert not out.exists()
    assert run(capsys, "compile", str(warning_only), "--out", str(out))[0] == 0
    assert run(capsys, "test", str(warning_only), "--warnings-as-errors")[0] == 1


def test_config_errors_use_the_chosen_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.privlex]\nsource = ["rules"]\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "check", "--output-format", "sarif")
    assert code == 2
    result = json.loads(out)["runs"][0]["results"][0]
    assert result["ruleId"] == "E002"
    assert "tool.privlex.source" in result["message"]["text"]
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 2


# ----------------------------------------------------------------- colour choice


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("choice", "environ", "tty", "expected"),
    [
        ("auto", {}, True, True),
        ("auto", {}, False, False),
        ("auto", {"NO_COLOR": "1"}, True, False),
        ("auto", {"NO_COLOR": ""}, True, True),  # an empty NO_COLOR does not count
        ("auto", {"FORCE_COLOR": "1"}, False, True),
        ("auto", {"NO_COLOR": "1", "FORCE_COLOR": "1"}, True, False),
        ("auto", {"TERM": "dumb"}, True, False),
        ("always", {"NO_COLOR": "1"}, False, True),
        ("never", {"FORCE_COLOR": "1"}, True, False),
    ],
)
def test_colour_choice(choice: str, environ: dict[str, str], tty: bool, expected: bool) -> None:
    stream = Terminal() if tty else io.StringIO()
    assert use_color(choice, stream, environ) is expected


def test_force_color_colours_full_output_only(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[" in run(capsys, "check", UNIT)[2]
    assert "\x1b[" not in run(capsys, "check", UNIT, "--output-format", "concise")[2]
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in run(capsys, "check", UNIT)[2]


# ----------------------------------------------------------------- escaping


AWKWARD = Diagnostic(
    code="E201",
    severity=Severity.ERROR,
    message="100% wrong: a, b\nand more",
    span=Span(file="rules/a,b:c.rules", line=3, column=5, end_line=3, end_column=9),
    help="did you mean ä?",
)


def test_github_escapes_data_and_properties() -> None:
    line = format_github([AWKWARD])
    assert line == (
        "::error file=rules/a%2Cb%3Ac.rules,line=3,col=5,endLine=3,endColumn=9,title=privlex E201"
        "::100%25 wrong: a, b%0Aand more%0Ahelp: did you mean ä?\n"
    )


def test_concise_keeps_one_line_per_diagnostic() -> None:
    spanless = Diagnostic(code="E001", severity=Severity.ERROR, message="rules does not exist")
    assert format_concise([AWKWARD, spanless]) == (
        "privlex: E001 rules does not exist\nrules/a,b:c.rules:3:5: E201 100% wrong: a, b and more [did you mean ä?]\n"
    )


def test_sarif_uris_are_escaped_and_spanless_results_have_no_location() -> None:
    spanless = Diagnostic(code="E001", severity=Severity.ERROR, message="rules does not exist")
    results = json.loads(format_sarif([AWKWARD, spanless]))["runs"][0]["results"]
    assert "locations" not in results[0]
    assert results[1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "rules/a%2Cb%3Ac.rules"


def test_github_names_a_shipped_library_file_in_the_message_not_as_the_file() -> None:
    """Finding: `file=privlex:shipped/gdpr.rules` is no file of the workflow's repository: GitHub cannot attach it."""
    shipped = AWKWARD.model_copy(
        update={"span": Span(file="privlex:shipped/gdpr.rules", line=258, column=5, end_line=258, end_column=9)}
    )
    assert format_github([shipped]) == (
        "::error title=privlex E201::privlex:shipped/gdpr.rules:258:5: 100%25 wrong: a, b%0Aand more%0A"
        "help: did you mean ä?\n"
    )
