"""The small runtime that generated checkers import, and nothing else of privlex."""

from .assemble import Shared, SharedGroups, assembled
from .decision import (
    Decision,
    Effect,
    Leaf,
    Obligation,
    Outcome,
    Reason,
    RulesetResult,
    combine,
    excluded,
    settle,
)
from .facts import checked_today, choice, iso_date, region_code, vocabulary_key
from .implications import apply_implications, implication_closure
from .problems import InvalidUse, Problem, UseError
from .records import RecordBase, record_of
from .text import date_text
from .validation import UseGroup, UseModel
from .vocabulary import REGION_ALIASES, Vocabulary, parameter_value, places

__all__ = [
    "REGION_ALIASES",
    "Decision",
    "Effect",
    "RecordBase",
    "InvalidUse",
    "Leaf",
    "Obligation",
    "Outcome",
    "Problem",
    "Reason",
    "RulesetResult",
    "Shared",
    "SharedGroups",
    "UseError",
    "UseGroup",
    "UseModel",
    "Vocabulary",
    "apply_implications",
    "assembled",
    "checked_today",
    "choice",
    "combine",
    "date_text",
    "excluded",
    "implication_closure",
    "iso_date",
    "parameter_value",
    "places",
    "record_of",
    "region_code",
    "settle",
    "vocabulary_key",
]
