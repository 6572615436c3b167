"""The range search of `privlex diff` finds the same bound as a plain binary search, whatever the models show."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from privlex.verify.cubes import Probe, _furthest


@given(st.data())
def test_furthest_is_the_last_candidate_that_holds(data: st.DataObject) -> None:
    points = sorted(data.draw(st.sets(st.integers(-50, 50), max_size=12)))
    upward = data.draw(st.booleans())
    candidates = points if upward else points[::-1]
    sign = 1 if upward else -1
    holding = data.draw(st.integers(0, len(candidates)))  # the test holds for the first `holding`
    fallback = 1000
    expected = candidates[holding - 1] if holding else fallback

    def probe(candidate: int) -> Probe:
        index = candidates.index(candidate)
        holds = index < holding
        if not data.draw(st.booleans()):
            return holds, None
        # A model's value: where the test holds, one no further than the first failing candidate;
        # where it fails, one beyond the last holding candidate.
        if holds:
            limit = sign * candidates[holding] - 1 if holding < len(candidates) else sign * candidate + 20
            return True, sign * data.draw(st.integers(sign * candidate, limit))
        floor = sign * candidates[holding - 1] + 1 if holding else sign * candidate - 20
        return False, sign * data.draw(st.integers(floor, sign * candidate))

    assert _furthest(candidates, probe, fallback) == expected
