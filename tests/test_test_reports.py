"""`privlex test` for machines: one report on stdout (or a file), the summary on stderr, in every format.

SARIF and JUnit are validated against the schemas vendored in tests/schemas.
"""

from __future__ import annotations

import json
import shutil
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, TESTS
from privlex.cli import main

SCHEMAS = TESTS / "schemas"


# The validators are imported and built once, by the first test that needs each: every xdist worker
# imports this module to collect it, and xmlschema alone takes about 0.2 s of CPU to import.


@cache
def sarif_validator() -> Any:
    """The SARIF 2.1.0 schema's validator, the schema itself checked once (`jsonschema.validate` checks it at
    every call, about 0.09 s of CPU)."""
    import jsonschema

    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)
    validator.check_schema(schema)
    return validator(schema)


@cache
def junit_schema() -> Any:
    """The JUnit XML schema, read and built once (0.1 to 0.3 s of CPU each time)."""
    import xmlschema

    return xmlschema.XMLSchema(str(SCHEMAS / "junit-10.xsd"))


WRONG_TEST = (
    '\ntest wrong_on_purpose "March is not permitted":\n'
    "    on 2020-03-01\n"
    "    given region DE, data content.chat, purpose ai.training\n"
    "    expect permit by dated.default\n"
)


@pytest.fixture(autouse=True)
def docs_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRIVLEX_DOCS_URL", "https://example.org/privlex/docs/diagnostics.md")
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture
def unit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A unit with tests: one passes, one fails (at a known line)."""
    folder = tmp_path / "rules"
    folder.mkdir()
    for source in (TESTS / "semantics" / "g_dates").glob("*.rules"):
        shutil.copy(source, folder)
    dated = folder / "dated.rules"
    dated.write_text(
        dated.read_text(encoding="utf-8")
        + WRONG_TEST
        + (
            '\ntest after_window "After the window, the default permits":\n'
            "    on 2020-09-01\n"
            "    given region DE, data content.chat, purpose ai.training\n"
            "    expect permit by dated.default\n"
        ),
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    return folder


def line_of(path: Path, prefix: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if line.startswith(prefix))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_json_is_the_only_thing_on_stdout(unit: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "test", "rules", "--output-format", "json")
    assert code == 1
    report = json.loads(out)  # the whole of stdout is one JSON document
    assert "1 passed, 1 failed" in err
    [failure] = report["failed"]
    assert failure["test"] == "wrong_on_purpose"
    assert failure["location"]["file"] == "rules/dated.rules"
    assert failure["location"]["line"] == line_of(unit / "dated.rules", "test wrong_on_purpose")
    assert failure["expected"] == "permit by dated.default"
    assert failure["decided"] == "deny by dated.window"
    assert report["passed"] == ["after_window"]
    assert report["summary"] == {"errors": 0, "warnings": 0, "passed": 1, "failed": 1, "unexercised": 4}
    assert {(n["ruleset"], n["node"]) for n in report["unexercised"]} >= {("fresh", "late"), ("old", "default")}
    assert report["diagnostics"] == []


def test_the_json_flag_is_the_json_format(unit: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, by_flag, _ = run(capsys, "test", "rules", "--json")
    _, by_format, _ = run(capsys, "test", "rules", "--output-format", "json")
    assert json.loads(by_flag) == json.loads(by_format)


def test_sarif_validates_and_reports_the_failing_test_at_its_line(
    unit: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "test", "rules", "--output-format", "sarif", "--require-coverage")
    assert code == 1 and "1 passed, 1 failed" in err
    log = json.loads(out)
    sarif_validator().validate(log)
    [run_] = log["runs"]
    rules = run_["tool"]["driver"]["rules"]
    failed = [r for r in run_["results"] if r["ruleId"] == "test-failed"]
    [result] = failed
    assert rules[result["ruleIndex"]]["id"] == "test-failed"
    region = result["locations"][0]["physicalLocation"]["region"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "rules/dated.rules"
    assert region["startLine"] == line_of(unit / "dated.rules", "test wrong_on_purpose")
    text = result["message"]["text"]
    assert "expected: permit by dated.default" in text and "decided:  " in text
    uncovered = [r for r in run_["results"] if r["ruleId"] == "not-exercised"]
    assert uncovered, "--require-coverage reports the nodes no test exercises"


def test_github_annotates_the_failing_test(unit: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "test", "rules", "--output-format", "github")
    assert code == 1
    line = line_of(unit / "dated.rules", "test wrong_on_purpose")
    [annotation] = [a for a in err.splitlines() if a.startswith("::error")]
    assert annotation.startswith(f"::error file=rules/dated.rules,line={line},col=6,")
    assert "title=privlex test failed::" in annotation
    assert "expected: permit by dated.default%0Adecided:" in annotation
    assert out == ""


def test_junit_validates_with_a_testsuite_per_ruleset(unit: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "test", "rules", "--output-format", "junit")
    assert code == 1 and "1 passed, 1 failed" in err
    schema = junit_schema()
    schema.validate(out)
    document = schema.to_dict(out)
    [suite] = document["testsuite"]
    assert suite["@name"] == "(unit)" and suite["@tests"] == "2" and suite["@failures"] == "1"
    cases = {case["@name"]: case for case in suite["testcase"]}
    assert set(cases) == {"wrong_on_purpose", "after_window"}
    assert "failure" in cases["wrong_on_purpose"] and "failure" not in cases["after_window"]


@pytest.mark.slow  # every shipped test; JUnit on a small unit is in the quick run
def test_junit_groups_the_tests_of_each_ruleset(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "test", str(ROOT / "rulesets"), "--output-format", "junit")
    assert code == 0
    junit_schema().validate(out)
    suites = junit_schema().to_dict(out)["testsuite"]
    names = {suite["@name"] for suite in suites}
    assert {"gdpr", "ccpa"} <= names
    assert all(
        case["@classname"] == f"privlex.{s['@name']}"
        for s in suites
        if s["@name"] != "(unit)"
        for case in s["testcase"]
    )


def test_junit_reports_rules_that_do_not_compile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(TESTS / "bad" / "three_syntax_errors.rules", tmp_path)
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "test", "three_syntax_errors.rules", "--output-format", "junit")
    assert code == 1 and "no tests run" in err
    schema = junit_schema()
    schema.validate(out)
    [suite] = schema.to_dict(out)["testsuite"]
    assert suite["@name"] == "compile" and suite["@errors"] == "1"
    assert "error[E101]" in suite["testcase"][0]["error"][0]["$"]


def test_output_file_holds_the_report_and_stdout_stays_empty(unit: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "test", "rules", "--output-format", "junit", "--output-file", "tests.xml")
    assert code == 1 and out == ""
    assert "1 passed, 1 failed" in err
    junit_schema().validate(str(unit.parent / "tests.xml"))


def test_full_and_concise_go_to_stderr(unit: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = line_of(unit / "dated.rules", "test wrong_on_purpose")
    code, out, err = run(capsys, "test", "rules")
    assert code == 1 and out == ""
    assert f"FAIL wrong_on_purpose (rules/dated.rules:{line})" in err
    assert err.endswith("\n1 passed, 1 failed; 4 nodes exercised by no test\n")
    code, out, err = run(capsys, "test", "rules", "--output-format", "concise")
    assert code == 1 and out == ""
    assert f"rules/dated.rules:{line}:6: FAIL wrong_on_purpose expected permit by dated.default; got" in err


def test_json_and_a_second_report_are_refused(unit: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "test", "rules", "--json", "--output-format", "sarif")
    assert code == 2 and out == "" and "two reports" in err


def test_check_sarif_validates_with_help_and_descriptions(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", str(TESTS / "bad" / "three_syntax_errors.rules"), "--output-format", "sarif")
    assert code == 1
    log = json.loads(out)
    sarif_validator().validate(log)
    rules = {rule["id"]: rule for rule in log["runs"][0]["tool"]["driver"]["rules"]}
    e101 = rules["E101"]
    assert e101["helpUri"] == "https://example.org/privlex/docs/diagnostics.md#e101"
    assert e101["shortDescription"]["text"] == "Syntax error"
    assert e101["fullDescription"]["text"] != e101["shortDescription"]["text"]
    assert "when" in e101["help"]["markdown"]
    for rule in rules.values():
        assert rule["shortDescription"] != rule["fullDescription"], rule["id"]


def test_every_help_uri_names_an_anchor_of_the_diagnostics_page(capsys: pytest.CaptureFixture[str]) -> None:
    # The SARIF log lists every privlex code whatever the unit, so the smallest good fixture will do.
    _, out, _ = run(capsys, "test", str(TESTS / "good" / "nested_exceptions.rules"), "--output-format", "sarif")
    page = (ROOT / "docs" / "diagnostics.md").read_text(encoding="utf-8")
    for rule in json.loads(out)["runs"][0]["tool"]["driver"]["rules"]:
        anchor = rule["helpUri"].rsplit("#", 1)[1]
        assert f'<a id="{anchor}"></a>' in page, rule["id"]
