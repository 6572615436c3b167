"""What generated packages tell the runtime about their vocabulary, and lookups on it."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

# Codes people use that ISO spells otherwise.
REGION_ALIASES: Mapping[str, str] = {"UK": "GB", "EL": "GR"}


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The keys and regions a compilation unit declares."""

    data: frozenset[str]
    abstract_data: frozenset[str]
    purposes: frozenset[str]
    abstract_purposes: frozenset[str]
    bases: frozenset[str]
    groups: frozenset[str]
    # every declared country and subdivision -> the regions it lies in, itself included
    within: Mapping[str, frozenset[str]]


def places(code: str, within: Mapping[str, frozenset[str]]) -> frozenset[str]:
    """The regions a validated region code lies in, itself included."""
    found = within.get(code)
    if found is not None:
        return found
    # An undeclared subdivision CC-XXX lies inside its declared country CC.
    return within[code.split("-", 1)[0]] | {code}


Timeline = tuple[tuple[datetime.date, datetime.date, T], ...]


def parameter_value(table: Mapping[str, Timeline[T]], region: str, day: datetime.date) -> T:
    """A region parameter's value for a covered region on a day in force.

    The compiler has resolved each region's timeline and proved it complete,
    so a lookup for an applicable use always finds a value.
    """
    timeline = table.get(region)
    if timeline is None:
        timeline = table[region.split("-", 1)[0]]
    for start, end, value in timeline:
        if start <= day <= end:
            return value
    raise LookupError(f"no value for {region} on {day.isoformat()}")
