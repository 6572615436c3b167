"""The shipped law (rulesets/): every regime, tested, dated and compared on the same Zoom facts.

The rule files carry their own tests (`privlex test --require-coverage`); the
tests here hold the unit to the house rules those tests cannot state: every
test is dated, every ruleset decides the canonical Zoom patterns on the same
facts, a fact added after v0.1 says what its absence means, and a region
reaches exactly the regimes documented for it (tests/scenarios/).
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import TESTS
from privlex import ir
from privlex.cli import main
from privlex.report.compliance import PATTERNS
from shipped_unit import shipped_program, shipped_report

SHIPPED = {
    "gdpr", "ccpa", "eu_ai_act",  # issue 9
    "uk_gdpr", "vcdpa", "cpa", "coppa", "lgpd", "pipeda", "quebec",  # issue 10
    "pipl", "dpdp", "appi", "pipa", "fadp",  # issue 11
}  # fmt: skip

# The facts of the v0.1 vocabulary and the shared facts decided before the
# 2026 regimes; every fact added since says in its title what absence means.
EARLIER_FACTS = {
    "legal_basis", "subject.age", "subject.objected", "subject.opted_out_of_sale",
    "subject.limited_sensitive_use", "consent.given", "consent.explicit", "consent.implied",
    "consent.bundled", "consent.separate", "consent.by_guardian", "consent.withdrawn",
    "consent.by_administrator", "consent.by_subject", "processing.disclosed",
    "processing.informed_before_use", "processing.opt_out_offered", "processing.li_assessment",
    "processing.third_party", "processing.sale", "processing.sharing_only", "processing.transfer_to",
    "processing.transfer_safeguard", "processing.identifiability", "processing.publicly_available",
    "processing.made_public_by_subject", "processing.used_to_identify", "processing.as_processor",
    "processing.for_other_customers", "processing.child_directed", "processing.infers_characteristics",
    "processing.business_is_recipient",
}  # fmt: skip


def canonical(program: ir.Program, ruleset: str, test: str) -> ir.TestCase:
    (case,) = [c for c in program.tests if c.ruleset == ruleset and c.id == test]
    return case


def flat(use: dict[str, object], prefix: str = "") -> dict[str, object]:
    """A use as `group.fact -> value`, the way tests write it."""
    out: dict[str, object] = {}
    for key, value in use.items():
        if isinstance(value, dict):
            out.update(flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def test_the_fifteen_rulesets_are_shipped() -> None:
    assert {r.id for r in shipped_program().rulesets} == SHIPPED


def test_every_test_passes_and_every_node_is_exercised() -> None:
    report = shipped_report()
    assert [(c.ruleset, c.id, p) for c, p in report.failures] == []
    assert [f"{r}.{n.id}" for r, n in report.unexercised] == []
    assert len(report.passed) >= 900


def test_every_test_is_dated() -> None:
    assert [f"{c.ruleset}.{c.id}" for c in shipped_program().tests if c.day is None] == []


def test_every_node_cites_the_law() -> None:
    bare = [f"{r.id}.{n.id}" for r in shipped_program().rulesets for n, _ in r.walk() if not n.citations]
    assert bare == []


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.test)
def test_every_ruleset_decides_the_canonical_pattern_by_a_named_node(pattern: Any) -> None:
    program = shipped_program()
    for ruleset in SHIPPED:
        (expectation,) = canonical(program, ruleset, pattern.test).expectations
        if expectation.outcome != "not_applicable":
            assert expectation.by, f"{ruleset}.{pattern.test} must name the node that decides it"


# The facts of the canonical Zoom tests (besides region and date), as the
# compliance matrix describes them. COPPA's are about a 10-year-old whose
# parent consents; the EU AI Act's about bias detection on health data by a
# high-risk provider that meets Art. 10(5).
CANONICAL: dict[str, dict[str, object]] = {
    "a": {"data": "service.telemetry", "purpose": "ai.training", "legal_basis": "legitimate_interest",
          "processing.disclosed": True, "processing.li_assessment": True, "consent.implied": True},
    "b": {"data": "content.audio", "purpose": "ai.training", "legal_basis": "consent",
          "consent.by_subject": True, "consent.separate": True, "consent.bundled": True},
    "c": {"data": "content.audio", "purpose": "ai.training", "legal_basis": "consent",
          "consent.by_subject": True, "consent.explicit": True, "consent.separate": True},
    "d": {"data": "content.chat", "purpose": "ai.training", "legal_basis": "consent",
          "consent.by_subject": True, "consent.explicit": True, "processing.third_party": True},
    "admin": {"data": "content.audio", "purpose": "ai.training", "legal_basis": "consent",
              "consent.by_administrator": True, "processing.as_processor": True,
              "processing.for_other_customers": True},
}  # fmt: skip
AI_ACT_SETTING = {
    "purpose": "ai.bias_detection", "ai_system.provider": True, "ai_system.high_risk": "annex_iii",
    "processing.identifiability": "pseudonymised", "bias_detection.no_alternative_data": True,
    "bias_detection.reuse_limited": True, "bias_detection.access_controlled": True,
    "bias_detection.deleted_after_correction": True, "bias_detection.necessity_recorded": True,
}  # fmt: skip


def expected_facts(ruleset: str, pattern: str) -> dict[str, object]:
    facts = dict(CANONICAL[pattern])
    if ruleset == "coppa":
        facts["subject.age"] = 10
        if facts.pop("consent.by_subject", None):
            facts["consent.by_guardian"] = True
    if ruleset == "eu_ai_act":
        facts.update(AI_ACT_SETTING)
        if pattern != "a":
            facts["data"] = "sensitive.health"
    return facts


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.test)
def test_the_canonical_facts_are_the_same_in_every_ruleset(pattern: Any) -> None:
    """Only the region and the date differ, so the matrix compares the law, not the test writers."""
    program = shipped_program()
    for ruleset in sorted(SHIPPED):
        case = canonical(program, ruleset, pattern.test)
        facts = {k: v for k, v in flat(case.use).items() if k != "region"}
        assert facts == expected_facts(ruleset, pattern.key), ruleset


def test_a_fact_added_since_v01_says_what_its_absence_means() -> None:
    facts = shipped_program().vocabulary.facts
    assert EARLIER_FACTS <= {f.path for f in facts}
    silent = [f.path for f in facts if f.path not in EARLIER_FACTS and "(absent:" not in f.title]
    assert silent == []


def test_every_definition_is_local_to_its_ruleset() -> None:
    """A project can take one shipped ruleset (`privlex:shipped/NAME`): no ruleset leans on another's file."""
    for path in sorted((TESTS.parent / "rulesets").glob("*.rules")):
        top_level = [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("define ")]
        assert top_level == [], path.name


@pytest.mark.slow
@pytest.mark.parametrize("ruleset", sorted(SHIPPED))
def test_each_ruleset_stands_alone_in_the_library(ruleset: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test", f"privlex:shipped/{ruleset}", "--require-coverage", "--warnings-as-errors"]) == 0
    assert "0 failed" in capsys.readouterr().err
