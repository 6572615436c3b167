"""The validators of single facts: regions, vocabulary keys, choices, dates, and `today=`."""

from __future__ import annotations

import datetime

from .problems import Problem, UseError
from .suggest import closest
from .text import ASCII_SPACE, date_text
from .vocabulary import REGION_ALIASES, Vocabulary


def region_code(value: object, vocabulary: Vocabulary, path: str) -> str:
    """Normalise a region as DESIGN.md says, or raise a UseError naming the field.

    Region codes are ASCII: a code holding any other character is rejected
    before case folding, so that `ıt` (dotless i) cannot become IT.
    """
    if not isinstance(value, str):
        raise UseError(Problem(path, value, f"expected a region code, got {value!r}"))
    if not value.isascii():
        shown = f"{value!r} is not a region code: region codes are ASCII letters and digits"
        raise UseError(Problem(path, value, shown))
    code = value.strip(ASCII_SPACE).upper().replace("_", "-")
    code = REGION_ALIASES.get(code, code)
    if code in vocabulary.within:
        return code
    if code in vocabulary.groups:
        raise UseError(
            Problem(
                path,
                value,
                f"{code} is a group of regions, not a place a person is; give the country or subdivision",
            )
        )
    country, dash, rest = code.partition("-")
    if dash and country in vocabulary.within and rest.isalnum() and len(rest) <= 3:
        return code
    suggestion = closest(code, vocabulary.within)
    raise UseError(Problem(path, value, f"{value!r} is not a known region", suggestion))


def vocabulary_key(value: object, vocabulary: Vocabulary, path: str) -> str:
    """Validate the `data` or `purpose` of a use against the vocabulary."""
    if path == "data":
        known, abstract, kind = vocabulary.data, vocabulary.abstract_data, "data category"
    else:
        known, abstract, kind = vocabulary.purposes, vocabulary.abstract_purposes, "purpose"
    if not isinstance(value, str):
        raise UseError(Problem(path, value, f"expected a {kind} key, got {value!r}"))
    if value in known:
        return value
    if value in abstract:
        below = sorted(key for key in known if key.startswith(value + "."))
        hint = f" (for example {below[0]})" if below else ""
        raise UseError(
            Problem(
                path,
                value,
                f"{value!r} is a grouping, not a {kind} a use can have; give one of the keys below it{hint}",
            )
        )
    raise UseError(Problem(path, value, f"{value!r} is not a known {kind}", closest(value, known)))


def choice(value: object, choices: frozenset[str], path: str) -> str:
    if isinstance(value, str) and value in choices:
        return value
    shown = ", ".join(sorted(choices))
    suggestion = closest(value, choices) if isinstance(value, str) else None
    raise UseError(Problem(path, value, f"{value!r} is not one of {shown}", suggestion))


def iso_date(value: object, path: str) -> object:
    """Accept YYYY-MM-DD strings for dates (that form only); leave other values to strict validation."""
    if isinstance(value, str):
        day = date_text(value)
        if day is None:
            raise UseError(Problem(path, value, f"{value!r} is not a date written YYYY-MM-DD"))
        return day
    if isinstance(value, datetime.datetime):
        raise UseError(Problem(path, value, "expected a date, got a date and time"))
    return value


def checked_today(today: object) -> datetime.date:
    """The `today=` argument of `check`, `permits` and `evaluate`: a `datetime.date`, or a clear TypeError.

    `today` is the caller's own argument, not part of the use, so a wrong type
    is a programming error (TypeError), not an invalid use.
    """
    if isinstance(today, datetime.date) and not isinstance(today, datetime.datetime):
        return today
    raise TypeError(
        f"today= takes a datetime.date (or None for the current UTC date), got {type(today).__name__} {today!r}"
    )
