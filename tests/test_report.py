"""`privlex report`: the matrices decide as `check` does, every cell has its explanation, the site is complete."""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, TESTS, compile_unit, imported_package
from privlex import ir
from privlex.cli import main
from privlex.report.build import build_report
from privlex.report.conditions import condition_text
from privlex.report.regions import region_classes
from privlex.report.scenarios import SCENARIOS, nested, usable
from privlex.report.site import render_site

DAY = datetime.date(2025, 6, 1)
# Every test reads the report of the fifteen shipped regimes (seconds to build): the full suite's.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def shipped() -> tuple[ir.Program, Any]:
    compilation = compile_unit(ROOT / "rulesets")
    assert compilation.program is not None
    return compilation.program, compilation.sources


@pytest.fixture(scope="module")
def report(shipped: tuple[ir.Program, Any]) -> dict[str, Any]:
    program, sources = shipped
    return build_report(program, DAY, sources)


@pytest.fixture(scope="module")
def site(shipped: tuple[ir.Program, Any], report: dict[str, Any]) -> dict[str, str]:
    return render_site(report, shipped[1])


def cell(report: dict[str, Any], purpose: str, scenario: str, region: str, category: str) -> tuple[str, str]:
    (region_class,) = [c for c in report["region_classes"] if region in {r["code"] for r in c["regions"]}]
    (matrix,) = [m for m in report["matrices"] if m["purpose"] == purpose]
    (table,) = [t for t in matrix["tables"] if t["scenario"] == scenario]
    (row,) = [r for r in table["rows"] if r["class"] == region_class["id"]]
    outcome, _, key = row["cells"][category].partition(" ")
    return outcome, key


def explanation(report: dict[str, Any], key: str) -> dict[str, Any]:
    (found,) = [e for e in report["explanations"] if e["id"] == key]
    return found


def test_the_zoom_chat_case_in_germany_is_denied_for_consent_as_the_price_of_joining(report: dict[str, Any]) -> None:
    outcome, key = cell(report, "ai.training", "zoom_b", "DE", "content.chat")
    assert outcome == "deny"
    why = explanation(report, key)
    assert [r["rule"] for r in why["reasons"]] == ["consent.bundled"]
    assert "GDPR Art. 7(4)" in why["reasons"][0]["citations"]
    (gdpr,) = [r for r in why["rulesets"] if r["id"] == "gdpr"]
    assert [[node["id"] for node in path] for path in gdpr["decided_by"]] == [["consent", "consent.bundled"]]
    (ccpa,) = [r for r in why["rulesets"] if r["id"] == "ccpa"]
    assert not ccpa["applied"] and "does not cover" in ccpa["why"]
    # The explanation privlex explain gives for the cell's example use, as text and as data.
    assert why["explain"]["outcome"] == "deny" and "Decided by:" in why["explain_text"]
    assert 'bundled "Consent made the price of a service' in why["explain_text"]


def test_scenarios_decide_as_the_shared_zoom_cases_expect(report: dict[str, Any]) -> None:
    assert cell(report, "ai.training", "zoom_c", "DE", "content.audio")[0] == "permit"
    assert cell(report, "ai.training", "zoom_a", "FR", "service.telemetry")[0] == "deny"
    assert cell(report, "ai.training", "li_ready", "FR", "service.telemetry")[0] == "permit"
    assert cell(report, "ai.training", "baseline", "US-CA", "content.chat")[0] == "permit"
    assert cell(report, "ai.training", "baseline", "AQ", "content.chat")[0] == "not_applicable"


def test_every_cell_is_what_check_decides_for_every_place_of_its_row(
    shipped: tuple[ir.Program, Any], report: dict[str, Any]
) -> None:
    """Places of one row decide alike: checked place by place for a slice of the matrices."""
    program, _ = shipped
    classes = {c["id"]: [r["code"] for r in c["regions"]] for c in report["region_classes"]}
    package = imported_package(program)
    for scenario in (s for s in SCENARIOS if s.id in ("baseline", "zoom_b", "li_ready")):
        facts, _ = usable(scenario, program.vocabulary)
        (matrix,) = [m for m in report["matrices"] if m["purpose"] == "ai.training"]
        (table,) = [t for t in matrix["tables"] if t["scenario"] == scenario.id]
        for row in table["rows"]:
            for category in ("content.chat", "service.telemetry", "sensitive.health"):
                expected = row["cells"][category].split(" ")[0]
                for region in classes[row["class"]]:
                    use = {"region": region, "data": category, "purpose": "ai.training", **nested(facts)}
                    assert str(package.check(use, today=DAY).outcome) == expected, (scenario.id, region)


def test_region_classes_cover_every_place_once(shipped: tuple[ir.Program, Any]) -> None:
    program, _ = shipped
    classes = region_classes(program)
    codes = [code for c in classes for code in c.regions]
    assert sorted(codes) == sorted(r.code for r in program.vocabulary.regions if r.kind != "group")
    assert len(codes) == len(set(codes))
    assert len(classes) < 40, "the rulesets tell few groups of places apart"


def test_every_cell_links_to_an_explanation_and_every_explanation_is_used(report: dict[str, Any]) -> None:
    keys = {e["id"] for e in report["explanations"]}
    used = {
        value.split(" ")[1]
        for m in report["matrices"]
        for t in m["tables"]
        for r in t["rows"]
        for value in r["cells"].values()
    }
    assert used == keys
    total = sum(len(r["cells"]) for m in report["matrices"] for t in m["tables"] for r in t["rows"])
    assert sum(e["cells"] for e in report["explanations"]) == total


def test_ruleset_pages_hold_parameters_by_region_and_date_and_tests_with_coverage(report: dict[str, Any]) -> None:
    (gdpr,) = [r for r in report["rulesets"] if r["id"] == "gdpr"]
    (age,) = [p for p in gdpr["parameters"] if p["name"] == "consent_age"]
    (denmark,) = [row for row in age["rows"] if row["regions"] == ["DK"]]
    assert [(p["value"], p["from"], p["until"]) for p in denmark["periods"]] == [
        ("13", "2018-05-25", "2023-12-31"),
        ("15", "2024-01-01", None),
    ]
    (consent,) = [n for n in gdpr["rules"] if n["id"] == "consent"]
    assert consent["source"] == "rulesets/gdpr.rules:" + str(consent["source"].split(":")[1])
    assert [e["id"] for e in consent["exceptions"]][:2] == ["consent.bundled", "consent.withdrawn"]
    assert consent["condition"] == "consent_is_the_basis"  # a definition, shown by its name
    assert gdpr["tests"] and all(t["passed"] for t in gdpr["tests"])
    assert gdpr["unexercised"] == []
    assert any("consent.bundled" in t["exercised"].get("gdpr", []) for t in gdpr["tests"])


def test_conditions_are_written_back_in_the_rule_language() -> None:
    program = compile_unit(TESTS / "good" / "every_operator.rules").program
    assert program is not None
    texts = {node.id: condition_text(node.condition) for node, _ in program.rulesets[0].walk() if node.condition}
    assert texts["truth_and_not"] == "subject.objected and not consent.given"
    assert texts["is_and_is_not"] == "processing.identifiability is pseudonymised and legal_basis is not consent"
    assert texts["parameter_comparison"] == "subject.age < adult_age"
    assert texts["or_and_parentheses"] == "(consent.withdrawn or consent.given) and legal_basis is contract"


def test_report_json_holds_what_is_shown(report: dict[str, Any], site: dict[str, str]) -> None:
    assert json.loads(site["report.json"]) == report


@pytest.mark.slow
def test_the_report_is_deterministic(shipped: tuple[ir.Program, Any], site: dict[str, str]) -> None:
    program, sources = shipped
    assert render_site(build_report(program, DAY, sources), sources) == site


def test_the_site_has_every_page_and_is_accessible(report: dict[str, Any], site: dict[str, str]) -> None:
    files = site
    expected = {"index.html", "vocabulary.html", "search.html", "ruleset-gdpr.html", "ruleset-ccpa.html"}
    expected |= {f"matrix-{p}.html" for p in report["purposes"]}
    expected |= {f"explain/{e['id']}.html" for e in report["explanations"]}
    expected |= {"source/rulesets/gdpr.rules.html", "assets/report.css", "assets/report.js", "report.json"}
    assert expected <= set(files)
    for name, text in files.items():
        if not name.endswith(".html"):
            continue
        assert '<html lang="en">' in text and "<h1" in text and 'id="main"' in text, name
        assert "http://" not in text and "https://" not in text, f"{name} reaches the network"
        assert text.count("<table") == text.count("<caption>"), f"{name}: a table without a caption"
        assert not re.search(r"<th[ >](?![^>]*scope=)", text), f"{name}: a header cell without a scope"
    page = files["ruleset-gdpr.html"]
    assert 'id="gdpr--consent.bundled"' in page and "GDPR Art. 7(4)" in page
    assert 'href="source/rulesets/gdpr.rules.html#L' in page


def test_privlex_report_writes_the_site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "site"
    unit = TESTS / "semantics" / "a_two_rulesets"
    assert main(["report", str(unit), "--out", str(out), "--date", "2025-06-01"]) == 0
    assert "wrote" in capsys.readouterr().err
    assert (out / "index.html").is_file() and (out / "report.json").is_file()
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["date"] == "2025-06-01"
    (out / "stale.html").write_text("old", encoding="utf-8")
    assert main(["report", str(unit), "--out", str(out), "--date", "2025-06-01"]) == 0
    assert not (out / "stale.html").exists(), "a new report replaces the old one whole"


def test_privlex_report_will_not_overwrite_a_folder_that_is_not_a_report(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    assert main(["report", str(TESTS / "semantics" / "a_two_rulesets"), "--out", str(out)]) == 2
    assert (out / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_privlex_report_of_rules_with_errors_fails(tmp_path: Path) -> None:
    assert main(["report", str(TESTS / "bad" / "missing_citation.rules"), "--out", str(tmp_path / "x")]) == 1
    assert not (tmp_path / "x").exists()
