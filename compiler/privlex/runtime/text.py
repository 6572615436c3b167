"""How facts are spelt as text: the one reading of booleans, whole numbers and dates.

Every place that reads a fact from text (`privlex decide --set`, CSV cells and
other text columns of datasets, `YYYY-MM-DD` strings in a use) goes through
these functions, so that a value is accepted in one place exactly when it is
accepted in every other. Each returns None for text it does not accept; the
caller then hands the text on to validation, which rejects it with its
message (`expected true or false, got 'yes'`).
"""

from __future__ import annotations

import datetime
import re

TRUE_WORDS = frozenset({"true", "1"})
FALSE_WORDS = frozenset({"false", "0"})
# Trimmed around a value: ASCII white space only (Unicode spaces are not trimmed away).
ASCII_SPACE = " \t\n\r\f\v"
# Whole numbers are ASCII digits with an optional sign; no `_`, no Unicode digits, at most 18 digits.
INTEGER_DIGITS = 18
_INTEGER = re.compile(rf"[+-]?[0-9]{{1,{INTEGER_DIGITS}}}\Z")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


def boolean_text(text: str) -> bool | None:
    """`true`/`1` and `false`/`0`, in any case, trimmed; None for anything else (`yes`, `on`, …)."""
    word = text.strip(ASCII_SPACE).lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def integer_text(text: str) -> int | None:
    """A whole number in ASCII digits (trimmed, optional sign, at most 18 digits); None otherwise."""
    word = text.strip(ASCII_SPACE)
    return int(word) if _INTEGER.match(word) else None


def date_text(text: str) -> datetime.date | None:
    """A date written exactly YYYY-MM-DD (no week dates, no times, no other ISO 8601 forms); None otherwise."""
    if not _DATE.match(text):
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None
