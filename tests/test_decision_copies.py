"""A Decision (built through its unfrozen twin) behaves as a frozen dataclass: it copies, deep-copies
and pickles with its reasons and obligations, stays frozen, and still explains itself."""

from __future__ import annotations

import copy
import dataclasses
import functools
import pickle
from collections.abc import Callable
from typing import Any

import privlex_rules
import pytest
from conftest import FIXED_DAY
from hypothesis import given
from hypothesis import strategies as st
from privlex import Decision, InvalidUse
from privlex.runtime.decision import Citations, Outcome
from shipped_unit import shipped_program
from use_strategies import DAYS, uses

DENIED = {"region": "DE", "data": "content.chat", "purpose": "ai.training"}
PERMITTED = {**DENIED, "consent": {"given": True}}


def pickled(decision: Decision, protocol: int) -> Any:
    return pickle.loads(pickle.dumps(decision, protocol))


COPIES: dict[str, Callable[[Any], Any]] = {
    "copy": copy.copy,
    "deepcopy": copy.deepcopy,
    # Protocols 0 and 1 cannot pickle the use the decision keeps (its record has slots only): not covered.
    **{f"pickle{protocol}": functools.partial(pickled, protocol=protocol) for protocol in range(2, 6)},
}


@pytest.mark.parametrize("use", [DENIED, PERMITTED], ids=["deny", "permit"])
@pytest.mark.parametrize("how", COPIES)
def test_a_decision_copies_as_its_equal(use: dict[str, Any], how: str) -> None:
    """Finding: deepcopy and pickle of any decision with a reason raised TypeError (read-only citations)."""
    decision = privlex_rules.check(use, today=FIXED_DAY)
    assert decision.reasons  # the citations to copy are there
    again = COPIES[how](decision)
    assert type(again) is Decision and again == decision and repr(again) == repr(decision)
    assert again.to_dict() == decision.to_dict()
    assert all(type(reason.citations) is Citations for reason in again.reasons)
    with pytest.raises(TypeError):
        again.reasons[0].citations.append("added")  # still read-only after the copy
    with pytest.raises(dataclasses.FrozenInstanceError):
        again.outcome = Outcome.PERMIT  # type: ignore[misc]
    assert again.explain(changes=False).to_dict() == decision.explain(changes=False).to_dict()


def test_a_decision_built_by_check_is_frozen_and_a_plain_decision() -> None:
    decision = privlex_rules.check(PERMITTED, today=FIXED_DAY)
    assert type(decision) is Decision and decision.permitted
    for name in ("outcome", "reasons", "_use"):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(decision, name, None)
        with pytest.raises(dataclasses.FrozenInstanceError):
            delattr(decision, name)
    with pytest.raises(AttributeError):
        object.__setattr__(decision, "extra", 1)  # slots only, as a Decision built by its __init__
    assert decision == Decision(decision.outcome, decision.reasons, decision.obligations, decision.rulesets)
    assert list(dataclasses.asdict(decision)) == ["outcome", "reasons", "obligations", "rulesets", "_use", "_day"]


def test_dataclasses_replace_gives_an_equal_decision_that_still_explains() -> None:
    """Finding: `dataclasses.replace(decision)` raised TypeError (`_use` was not an argument of __init__)."""
    decision = privlex_rules.check(PERMITTED, today=FIXED_DAY)
    again = dataclasses.replace(decision)
    assert type(again) is Decision and again == decision and repr(again) == repr(decision)
    assert again.explain(changes=False).to_dict() == decision.explain(changes=False).to_dict()
    changed = dataclasses.replace(decision, outcome=Outcome.DENY)
    assert changed.outcome is Outcome.DENY and not changed.permitted
    assert (changed.reasons, changed.obligations, changed.rulesets) == (
        decision.reasons,
        decision.obligations,
        decision.rulesets,
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        changed.outcome = Outcome.PERMIT  # type: ignore[misc]


@given(data=st.data())
def test_dataclasses_replace_copies_any_shipped_decision(data: st.DataObject) -> None:
    program = shipped_program()
    covered = tuple(region for ruleset in program.rulesets for region in ruleset.covers)
    use = data.draw(uses(program.vocabulary, covered=covered, extras=False))
    try:
        decision = privlex_rules.check(use, today=data.draw(DAYS))
    except InvalidUse:
        return
    again = dataclasses.replace(decision)
    assert again == decision and again.to_dict() == decision.to_dict()
    assert (again._use, again._day) == (decision._use, decision._day)  # it explains itself as the original
