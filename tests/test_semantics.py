"""The semantics of DESIGN.md (1-11), pinned on small fixture units.

Each folder under tests/semantics/ is a compilation unit of its own (a small
vocabulary and one or more rulesets) with a `cases.json`: uses and the
decisions DESIGN.md's semantics give for them. The expected decisions were
worked out by hand from DESIGN.md and docs/language.md part 3, not recorded
from the implementation, so they are deliberately not rewritten by
`--update-golden`: a mismatch is a bug in the compiler or in the case, to be
settled from the design.

A case is {"id", "use", "today" (optional; default 2025-06-01), "outcome",
"reasons": ["ruleset:reason_id", ...] in order, "obligations":
["ruleset:obligation_id", ...] in order, "rulesets": [...]}.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXED_DAY, TESTS

SEMANTICS = TESTS / "semantics"
UNITS = sorted(p for p in SEMANTICS.iterdir() if (p / "cases.json").is_file())
CASE_KEYS = {"id", "use", "today", "outcome", "reasons", "obligations", "rulesets"}


def load_cases(unit: Path) -> list[dict[str, Any]]:
    cases = json.loads((unit / "cases.json").read_text(encoding="utf-8"))
    assert isinstance(cases, list) and cases, unit
    ids = [case["id"] for case in cases]
    assert len(ids) == len(set(ids)), f"{unit.name}: duplicate case ids"
    for case in cases:
        assert set(case) <= CASE_KEYS, (case["id"], set(case) - CASE_KEYS)
        assert CASE_KEYS - {"today"} <= set(case), (case["id"], CASE_KEYS - set(case))
        assert case["outcome"] in ("permit", "deny", "not_applicable"), case["id"]
    return cases


def observed(decision: Any) -> dict[str, Any]:
    return {
        "outcome": str(decision.outcome),
        "reasons": [f"{r.ruleset}:{r.rule}" for r in decision.reasons],
        "obligations": [f"{o.ruleset}:{o.id}" for o in decision.obligations],
        "rulesets": list(decision.rulesets),
    }


def decide(package: Any, case: dict[str, Any]) -> dict[str, Any]:
    today = datetime.date.fromisoformat(case["today"]) if "today" in case else FIXED_DAY
    return observed(package.check(case["use"], today=today))


def expected(case: dict[str, Any]) -> dict[str, Any]:
    return {key: case[key] for key in ("outcome", "reasons", "obligations", "rulesets")}


def test_every_letter_of_the_brief_has_a_unit() -> None:
    letters = {unit.name.split("_", 1)[0] for unit in UNITS}
    assert letters >= set("abcdefg"), letters


@pytest.mark.parametrize("unit", UNITS, ids=[unit.name for unit in UNITS])
def test_unit_decides_every_case_as_designed(unit: Path, unit_package: Any) -> None:
    package = unit_package(unit)
    wrong: list[str] = []
    for case in load_cases(unit):
        got, wanted = decide(package, case), expected(case)
        if got != wanted:
            lines = [f"{case['id']}:"]
            for key in wanted:
                if got[key] != wanted[key]:
                    lines.append(f"    {key}: expected {wanted[key]}, got {got[key]}")
            wrong.append("\n".join(lines))
    assert not wrong, f"{unit.name}: {len(wrong)} case(s) decided otherwise:\n" + "\n".join(wrong)


@pytest.mark.parametrize("unit", UNITS, ids=[unit.name for unit in UNITS])
def test_reason_fields_point_back_to_the_fixture(unit: Path, unit_package: Any) -> None:
    """Every reason of every case carries its kind, effect, citations and file:line."""
    package = unit_package(unit)
    texts = {p.name: p.read_text(encoding="utf-8").splitlines() for p in unit.glob("*.rules")}
    for case in load_cases(unit):
        today = datetime.date.fromisoformat(case["today"]) if "today" in case else FIXED_DAY
        decision = package.check(case["use"], today=today)
        for reason in decision.reasons:
            assert str(reason.effect) == str(decision.outcome), case["id"]
            assert reason.citations and all(isinstance(c, str) and c for c in reason.citations)
            expected_kind = (
                "default"
                if reason.rule == "default"
                else "exception"
                if "." in reason.rule
                else None  # rule or exclusion: checked against the source line
            )
            path, _, line = reason.source.rpartition(":")
            assert path == f"tests/semantics/{unit.name}/{Path(path).name}", reason.source
            text = texts[Path(path).name][int(line) - 1].strip()
            last = reason.rule.rsplit(".", 1)[-1]
            if expected_kind == "default":
                assert reason.kind == "default" and text.startswith("otherwise"), (reason, text)
            elif expected_kind == "exception":
                assert reason.kind == "exception" and text.startswith(f"unless {last} "), (reason, text)
            else:
                assert reason.kind in ("rule", "exclusion"), reason
                assert text.startswith(f"{reason.kind} {last} "), (reason, text)


def test_an_obligation_names_the_node_that_carried_it(unit_package: Any) -> None:
    """Only a_permit matches; its keep_log must not be reported as a_second's."""
    unit = SEMANTICS / "a_two_rulesets"
    package = unit_package(unit)
    use = {"region": "FR", "data": "content.chat", "purpose": "ai.training", "flag": {"alpha_permit": True}}
    obligations = package.check(use, today=FIXED_DAY).obligations
    assert sorted((o.id, o.rule) for o in obligations) == [("a_inform", "a_permit"), ("keep_log", "a_permit")]
    lines = (unit / "rulesets.rules").read_text(encoding="utf-8").splitlines()
    for obligation in obligations:
        line = int(obligation.source.rsplit(":", 1)[1])
        above = [text.strip() for text in lines[:line]]
        assert above[-1].startswith(f"obligation {obligation.id} ")
        assert max(i for i, text in enumerate(above) if text.startswith("rule ")) == above.index(
            'rule a_permit "Alpha\'s permit":'
        )
