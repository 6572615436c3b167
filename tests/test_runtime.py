"""The runtime contract of DESIGN.md: validation of uses, and what a Decision holds."""

from __future__ import annotations

import dataclasses
import datetime
import re
import types
from typing import Any

import privlex
import privlex_rules
import pytest
from conftest import FIXED_DAY, ROOT

BASE: dict[str, Any] = {"region": "DE", "data": "content.chat", "purpose": "ai.training"}


def with_(**changes: Any) -> dict[str, Any]:
    return {**BASE, **changes}


def invalid(use: Any) -> privlex.InvalidUse:
    with pytest.raises(privlex.InvalidUse) as raised:
        privlex.check(use, today=FIXED_DAY)
    assert isinstance(raised.value, ValueError)
    return raised.value


# ------------------------------------------------------------------ strict types


@pytest.mark.parametrize(
    ("use", "path", "shown"),
    [
        (with_(consent={"given": 1}), "consent.given", "1"),
        (with_(consent={"given": "true"}), "consent.given", "'true'"),
        (with_(processing={"disclosed": 0}), "processing.disclosed", "0"),
        (with_(subject={"age": "12"}), "subject.age", "'12'"),
        (with_(subject={"age": 12.0}), "subject.age", "12.0"),
        (with_(subject={"age": True}), "subject.age", "True"),
        (with_(subject={"age": -1}), "subject.age", "-1"),
        (with_(subject={"age": 131}), "subject.age", "131"),
        (with_(date="2024-02-30"), "date", "2024-02-30"),
        (with_(date="2024-2-3"), "date", "2024-2-3"),
        (with_(date="2024-01-01T00:00"), "date", "2024-01-01T00:00"),
        (with_(date=datetime.datetime(2024, 1, 1, 12, 0)), "date", "date and time"),
        (with_(date=20240101), "date", "20240101"),
        (with_(data=5), "data", "5"),
        (with_(region=49), "region", "49"),
        (with_(consent="yes"), "consent", "'yes'"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_wrong_types_are_rejected_with_path_and_value(use: dict[str, Any], path: str, shown: str) -> None:
    error = invalid(use)
    assert error.path == path
    assert str(error).startswith(f"{path}: ") and shown in str(error)


@pytest.mark.parametrize("age", [0, 1, 13, 130])
def test_ages_from_0_to_130_are_accepted(age: int) -> None:
    assert privlex.DataUse(**with_(subject={"age": age})).subject.age == age


def test_none_means_absent() -> None:
    use = privlex.DataUse(
        **with_(legal_basis=None, date=None, subject={"age": None}, consent={"given": None}, processing=None)
    )
    assert use.legal_basis is None and use.date is None and use.subject.age is None
    assert use.consent.given is False  # a boolean not given is false
    assert use.processing.identifiability == "identified"  # the default applies
    assert use == privlex.DataUse(**BASE)
    assert invalid(with_(region=None)).path == "region"


@pytest.mark.parametrize("missing", ["region", "data", "purpose"])
def test_the_first_three_facts_are_required(missing: str) -> None:
    use = {k: v for k, v in BASE.items() if k != missing}
    error = invalid(use)
    assert error.path == missing and "required" in str(error)


@pytest.mark.parametrize("value", ["2024-01-31", datetime.date(2024, 1, 31)])
def test_a_date_is_a_date_or_an_iso_string(value: object) -> None:
    assert privlex.DataUse(**with_(date=value)).date == datetime.date(2024, 1, 31)


@pytest.mark.parametrize("use", ["DE", None, 5, [("region", "DE")]], ids=repr)
def test_a_use_is_a_mapping(use: object) -> None:
    assert "mapping" in str(invalid(use))


# ------------------------------------------------------- unknown names, did you mean


@pytest.mark.parametrize(
    ("use", "path", "bad", "suggestion"),
    [
        (with_(consent={"givn": True}), "consent.givn", "consent.givn", "consent.given"),
        (with_(subjects={"age": 3}), "subjects", "subjects", "subject"),
        (with_(colour="red"), "colour", "colour", None),
        (with_(data="content.vidoe"), "data", "content.vidoe", "content.video"),
        (with_(purpose="ai.trainig"), "purpose", "ai.trainig", "ai.training"),
        (with_(legal_basis="consnet"), "legal_basis", "consnet", "consent"),
        (with_(legal_basis="Consent"), "legal_basis", "Consent", "consent"),
        (with_(processing={"identifiability": "anonymized"}), "processing.identifiability", "anonymized", "anonymised"),
        (with_(processing={"transfer_safeguard": "sccs"}), "processing.transfer_safeguard", "sccs", "scc"),
        (with_(region="DEU"), "region", "DEU", "DE"),
        (with_(region="XX"), "region", "XX", None),
        (with_(region="XX-AB"), "region", "XX-AB", None),
        (with_(region="DE-TOOLONG"), "region", "DE-TOOLONG", None),
        (with_(processing={"transfer_to": "XX"}), "processing.transfer_to", "XX", None),
        (with_(processing={"transfer_to": "usa"}), "processing.transfer_to", "usa", "US"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_unknown_names_are_rejected(use: dict[str, Any], path: str, bad: str, suggestion: str | None) -> None:
    error = invalid(use)
    message = str(error)
    assert error.path == path and message.startswith(f"{path}: ")
    assert bad in message
    if suggestion is not None:
        assert error.suggestion == suggestion and f"did you mean {suggestion}?" in message


@pytest.mark.parametrize("key", ["sensitive"])
def test_an_abstract_data_category_is_not_a_use(key: str) -> None:
    error = invalid(with_(data=key))
    assert error.path == "data" and "grouping" in str(error) and "sensitive." in str(error)


def test_validation_comes_before_applicability() -> None:
    """No ruleset covers AQ, yet a bad fact is still an error, not not_applicable."""
    assert invalid(with_(region="AQ", consent={"givn": True})).path == "consent.givn"


def test_every_problem_is_reported() -> None:
    error = invalid(with_(consent={"given": 1}, subject={"age": "x"}))
    assert {p.path for p in error.problems} == {"consent.given", "subject.age"}


# ----------------------------------------------------------------------- regions


@pytest.mark.parametrize(
    ("given", "region"),
    [
        ("de", "DE"),
        (" de ", "DE"),
        ("\tfr\n", "FR"),
        ("us_ca", "US-CA"),
        ("US-ca", "US-CA"),
        ("UK", "GB"),
        ("uk", "GB"),
        ("EL", "GR"),
        ("el", "GR"),
        ("DE-BY", "DE-BY"),
        ("de_by ", "DE-BY"),
        ("US-ZZZ", "US-ZZZ"),
        ("CA-QC", "CA-QC"),
        ("US-DC", "US-DC"),
        ("US-PR", "US-PR"),
        ("JP-13", "JP-13"),
    ],
)
@pytest.mark.parametrize("where", ["region", "processing.transfer_to"])
def test_region_codes_are_normalised(given: str, region: str, where: str) -> None:
    if where == "region":
        assert privlex.DataUse(**with_(region=given)).region == region
    else:
        assert privlex.DataUse(**with_(processing={"transfer_to": given})).processing.transfer_to == region


@pytest.mark.parametrize("group", ["EU", "eu", "EEA"])
@pytest.mark.parametrize("where", ["region", "processing.transfer_to"])
def test_a_group_is_not_a_place(group: str, where: str) -> None:
    use = with_(region=group) if where == "region" else with_(processing={"transfer_to": group})
    error = invalid(use)
    assert error.path == where
    assert "group" in str(error) and group.upper() in str(error)


def test_an_undeclared_subdivision_lies_inside_its_country() -> None:
    use = with_(region="de_by", consent={"given": True}, date="2025-06-01")
    decision = privlex.check(use)
    assert decision.rulesets == ["gdpr"] and decision.outcome == "permit"


@pytest.mark.parametrize(
    "code",
    [f"US-{s}" for s in ("AL", "AK", "CA", "NY", "TX", "WY", "DC", "GU", "VI")]
    + [f"CA-{p}" for p in ("ON", "QC", "BC", "YT", "NU")],
)
def test_states_provinces_and_territories_are_known(code: str) -> None:
    assert privlex.DataUse(**with_(region=code)).region == code


# ------------------------------------------------------------------ implications


@pytest.mark.parametrize(
    ("group", "facts", "implied"),
    [
        ("consent", {"explicit": True}, "given"),
        ("consent", {"separate": True}, "given"),
        ("consent", {"by_guardian": True}, "given"),
        ("processing", {"sale": True}, "third_party"),
        ("processing", {"made_public_by_subject": True}, "publicly_available"),
    ],
)
def test_implications_are_applied(group: str, facts: dict[str, bool], implied: str) -> None:
    use = privlex.DataUse(**with_(**{group: facts}))
    assert getattr(getattr(use, group), implied) is True
    contradiction = invalid(with_(**{group: {**facts, implied: False}}))
    assert contradiction.path == f"{group}.{implied}"


@pytest.mark.parametrize(
    "consent",
    [{"implied": True, "given": True}, {"implied": True, "explicit": True}, {"implied": True, "by_guardian": True}],
)
def test_implied_consent_with_given_is_a_contradiction(consent: dict[str, bool]) -> None:
    error = invalid(with_(consent=consent))
    assert "consent.implied" in str(error) and "consent.given" in str(error)


def test_implied_alone_is_not_given() -> None:
    assert privlex.DataUse(**with_(consent={"implied": True})).consent.given is False


# ------------------------------------------------------------------ immutability


def test_a_datause_is_immutable() -> None:
    use = privlex.DataUse(**with_(consent={"given": True}))
    with pytest.raises(ValueError):
        use.region = "FR"  # type: ignore[misc]
    with pytest.raises(ValueError):
        use.consent.given = False  # type: ignore[misc]
    assert use.region == "DE" and use.consent.given is True


def test_a_datause_passed_to_check_is_not_validated_again(monkeypatch: pytest.MonkeyPatch) -> None:
    use = privlex.DataUse(**with_(consent={"given": True}, date="2025-06-01"))
    model = type(use)

    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("validated again")

    monkeypatch.setattr(model, "__init__", boom)
    monkeypatch.setattr(model, "model_validate", boom)
    assert privlex.check(use).outcome == "permit"
    assert privlex.permits(use)
    with pytest.raises(AssertionError, match="validated again"):  # the patch does catch a validation
        privlex.check({**use.model_dump(), "region": use.region.lower()})  # (the usual use is checked by use_from)


def test_privlex_exposes_the_shipped_package() -> None:
    assert privlex.DataUse is privlex_rules.DataUse
    assert privlex.check is privlex_rules.check and privlex.permits is privlex_rules.permits
    assert issubclass(privlex.InvalidUse, ValueError)


# ---------------------------------------------------------------------- decisions

ZOOM_B = with_(data="content.audio", legal_basis="consent", consent={"given": True, "explicit": True, "bundled": True})
SOURCE = re.compile(r"^rulesets/[a-z_]+\.rules:[1-9][0-9]*$")


def test_decision_fields_and_types() -> None:
    decision = privlex.check(ZOOM_B, today=FIXED_DAY)
    assert isinstance(decision.outcome, privlex.Outcome) and isinstance(decision.outcome, str)
    assert decision.outcome is privlex.Outcome.DENY and decision.outcome == "deny"
    assert {o.value for o in privlex.Outcome} == {"permit", "deny", "not_applicable"}
    assert decision.obligations == [] and decision.rulesets == ["gdpr"]
    [reason] = decision.reasons
    assert isinstance(reason, privlex.Reason)
    assert (reason.ruleset, reason.rule, reason.kind, reason.effect) == ("gdpr", "consent.bundled", "exception", "deny")
    assert reason.effect == privlex.Effect.DENY
    assert isinstance(reason.title, str) and reason.title
    assert isinstance(reason.citations, list) and all(isinstance(c, str) for c in reason.citations)
    assert "GDPR Art. 7(4)" in reason.citations


@pytest.mark.parametrize(
    ("use", "kinds"),
    [
        (ZOOM_B, {"exception"}),
        (with_(consent={"given": True}), {"rule"}),
        (with_(), {"default"}),
        (with_(processing={"identifiability": "anonymised"}), {"exclusion"}),
        (with_(region="US-CA", processing={"disclosed": True}), {"rule"}),
    ],
)
def test_every_reason_maps_back_to_its_line(use: dict[str, Any], kinds: set[str]) -> None:
    decision = privlex.check(use, today=FIXED_DAY)
    assert {r.kind for r in decision.reasons} == kinds
    for reason in [*decision.reasons, *decision.obligations]:
        assert SOURCE.match(reason.source), reason.source
        path, line = reason.source.split(":")
        text = (ROOT / path).read_text(encoding="utf-8").splitlines()[int(line) - 1].strip()
        if isinstance(reason, privlex.Obligation):
            assert text.startswith(f"obligation {reason.id} ")
        elif reason.kind == "default":
            assert text.startswith("otherwise ")
        else:
            keyword = {"rule": "rule", "exception": "unless", "exclusion": "exclusion"}[reason.kind]
            assert text.startswith(f"{keyword} {reason.rule.rsplit('.', 1)[-1]} ")


def test_obligations_fields() -> None:
    decision = privlex.check(with_(legal_basis="consent", consent={"given": True}), today=FIXED_DAY)
    assert decision.outcome == "permit"
    assert [(o.ruleset, o.id, o.rule) for o in decision.obligations] == [
        ("gdpr", "keep_proof", "consent"),
        ("gdpr", "easy_withdrawal", "consent"),
    ]
    for obligation in decision.obligations:
        assert isinstance(obligation, privlex.Obligation) and obligation.text


def test_rulesets_are_sorted_and_to_dict_mirrors_the_fields() -> None:
    decision = privlex.check(with_(region="FR", consent={"given": True}), today=FIXED_DAY)
    assert decision.rulesets == sorted(decision.rulesets)
    as_dict = decision.to_dict()
    assert as_dict["outcome"] == "permit" and as_dict["rulesets"] == decision.rulesets
    assert as_dict["reasons"] == [dataclasses.asdict(r) | {"effect": str(r.effect)} for r in decision.reasons]


def test_not_applicable_has_nothing() -> None:
    decision = privlex.check(with_(region="AQ"), today=FIXED_DAY)
    assert decision.outcome is privlex.Outcome.NOT_APPLICABLE
    assert (decision.reasons, decision.obligations, decision.rulesets) == ([], [], [])


# ------------------------------------------------------------------------ permits


@pytest.mark.parametrize(
    ("use", "strict", "lenient"),
    [
        (with_(consent={"given": True}), True, True),
        (ZOOM_B, False, False),
        (with_(region="AQ"), False, True),
    ],
    ids=["permit", "deny", "not_applicable"],
)
def test_permits(use: dict[str, Any], strict: bool, lenient: bool) -> None:
    assert privlex.permits(use, today=FIXED_DAY) is strict
    assert privlex.permits(use, today=FIXED_DAY, allow_uncovered=False) is strict
    assert privlex.permits(use, today=FIXED_DAY, allow_uncovered=True) is lenient


def test_permits_validates_too() -> None:
    with pytest.raises(privlex.InvalidUse):
        privlex.permits(with_(region="EU"), allow_uncovered=True)


# -------------------------------------------------------------------------- today


def test_today_pins_a_use_without_a_date() -> None:
    assert privlex.check(BASE, today=datetime.date(2018, 5, 24)).outcome == "not_applicable"
    assert privlex.check(BASE, today=datetime.date(2018, 5, 25)).outcome == "deny"


def test_the_use_date_wins_over_today() -> None:
    use = with_(date="2018-05-24")
    assert privlex.check(use, today=datetime.date(2025, 6, 1)).outcome == "not_applicable"


def test_today_defaults_to_the_utc_date(monkeypatch: pytest.MonkeyPatch) -> None:
    """Late on 24 May 2018 in UTC is already 25 May east of Greenwich: UTC decides."""
    asked: list[object] = []

    class Clock(datetime.datetime):
        @classmethod
        def now(cls, tz: datetime.tzinfo | None = None) -> Clock:  # type: ignore[override]
            asked.append(tz)
            moment = datetime.datetime(2018, 5, 24, 23, 30, tzinfo=datetime.UTC)
            return cls.fromtimestamp(moment.timestamp(), tz) if tz else cls.fromtimestamp(moment.timestamp() + 3600)

    fake = types.SimpleNamespace(**{**vars(datetime), "datetime": Clock})
    monkeypatch.setattr(privlex_rules, "datetime", fake)
    assert privlex.check(BASE).outcome == "not_applicable"
    assert asked and all(tz is not None and tz.utcoffset(None) == datetime.timedelta(0) for tz in asked)


def test_without_today_the_real_utc_date_is_used() -> None:
    now = datetime.datetime.now(datetime.UTC).date()
    use = with_(consent={"given": True})
    assert privlex.check(use) == privlex.check(use, today=now)


def test_obligations_follow_source_order_in_the_shipped_gdpr() -> None:
    """docs/language.md 3.4 and 3.8: keep_proof (from consent) comes before verify_guardian."""
    use = with_(legal_basis="consent", subject={"age": 10}, consent={"by_guardian": True})
    decision = privlex.check(use, today=FIXED_DAY)
    assert [o.id for o in decision.obligations] == ["keep_proof", "easy_withdrawal", "verify_guardian"]


def test_reasons_cannot_be_changed_through_a_decision() -> None:
    use = with_(consent={"given": True})
    first = privlex.check(use, today=FIXED_DAY)
    with pytest.raises(TypeError):
        first.reasons[0].citations.append("not the law")
    assert "not the law" not in privlex.check(use, today=FIXED_DAY).reasons[0].citations
