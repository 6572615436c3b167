"""Hypothesis strategies for data uses of any compilation unit, valid or not.

Values are drawn from the unit's own vocabulary (so that most uses are valid
and reach deep into the rules), with a share of near misses that validation
must reject: unknown or abstract keys, groups as regions, ages out of range,
malformed dates, wrong types.
"""

from __future__ import annotations

import datetime
from typing import Any

from hypothesis import strategies as st
from privlex import ir

DAYS = st.dates(datetime.date(2015, 1, 1), datetime.date(2032, 12, 31))


def regions(
    vocabulary: ir.Vocabulary, good_only: bool = False, covered: tuple[str, ...] = ()
) -> st.SearchStrategy[Any]:
    places = sorted(vocabulary.within)
    countries = [r.code for r in vocabulary.regions if r.kind == "country"]
    groups = [r.code for r in vocabulary.regions if r.kind == "group"]
    odd: list[st.SearchStrategy[Any]] = [st.sampled_from(["XX", "", "U", 7])]
    if groups:
        odd.append(st.sampled_from(groups))
    if countries:
        odd.append(st.sampled_from(countries).map(lambda c: f"{c}-ZZ"))
        odd.append(st.sampled_from(countries).map(lambda c: f" {c.lower()} "))
    # places the rulesets cover: most good uses are decided, not "not applicable"
    inside = sorted(code for code, around in vocabulary.within.items() if set(around) & set(covered)) or places
    if good_only and places:
        return st.sampled_from(inside)
    return st.one_of(st.sampled_from(places), st.one_of(*odd)) if places else st.one_of(*odd)


def keys(items: tuple[ir.Key, ...], good_only: bool = False) -> st.SearchStrategy[Any]:
    concrete = sorted(k.key for k in items if not k.abstract)
    if good_only and concrete:
        return st.sampled_from(concrete)
    abstract = sorted(k.key for k in items if k.abstract)
    odd = st.sampled_from([*abstract, "nope", "content.chatt", None])
    return st.one_of(st.sampled_from(concrete), odd) if concrete else odd


def fact_values(fact: ir.Fact, vocabulary: ir.Vocabulary, good_only: bool = False) -> st.SearchStrategy[Any]:
    """Values for one fact: None (absent), good values, and a few bad ones."""
    if fact.kind == "boolean":
        good: st.SearchStrategy[Any] = st.booleans()
        bad: st.SearchStrategy[Any] = st.sampled_from([1, "true"])
    elif fact.kind == "integer":
        low, high = fact.minimum or 0, fact.maximum if fact.maximum is not None else 130
        good = st.integers(low, high)
        bad = st.sampled_from([low - 1, high + 1, "12", 12.5])
    elif fact.kind == "date":
        good = st.one_of(DAYS, DAYS.map(datetime.date.isoformat))
        bad = st.sampled_from(["2024-02-30", "yesterday"])
    elif fact.kind == "region":
        return st.one_of(st.none(), regions(vocabulary, good_only))
    elif fact.kind == "basis":
        good = st.sampled_from(sorted(name for name, _ in vocabulary.bases) or ["consent"])
        bad = st.sampled_from(["consnet", 3])
    else:
        good = st.sampled_from(sorted(fact.choices))
        bad = st.sampled_from(["nope"])
    return st.one_of(st.none(), good) if good_only else st.one_of(st.none(), good, bad)


@st.composite
def uses(
    draw: st.DrawFn, vocabulary: ir.Vocabulary, *, covered: tuple[str, ...] = (), extras: bool = True
) -> dict[str, Any]:
    """A use as a nested mapping, as `check` takes it; None stands for an absent fact.

    Three uses in four draw only values the vocabulary knows (a few of them
    are still invalid: contradictions); the others draw anything.
    """
    good = draw(st.sampled_from([True, True, True, False]))
    use: dict[str, Any] = {
        "region": draw(regions(vocabulary, good, covered)),
        "data": draw(keys(vocabulary.data, good)),
        "purpose": draw(keys(vocabulary.purposes, good)),
    }
    if draw(st.booleans()):
        use["date"] = draw(st.one_of(st.none(), DAYS, DAYS.map(datetime.date.isoformat)))
    for fact in vocabulary.facts:
        if fact.path in ir.BUILTIN_FACTS or not draw(st.integers(0, 2)):
            continue
        value = draw(fact_values(fact, vocabulary, good))
        group, dot, name = fact.path.partition(".")
        if dot:
            use.setdefault(group, {})[name] = value
        else:
            use[fact.path] = value
    if extras and not good and draw(st.integers(0, 9)) == 5:
        use["colour"] = "blue"  # an unknown fact
    return use
