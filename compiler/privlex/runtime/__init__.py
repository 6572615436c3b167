"""The small runtime that generated checkers import, and nothing else of privlex."""

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
from .validation import (
    InvalidUse,
    Problem,
    UseError,
    UseGroup,
    UseModel,
    apply_implications,
    choice,
    iso_date,
    region_code,
    vocabulary_key,
)
from .vocabulary import REGION_ALIASES, Vocabulary, parameter_value, places

__all__ = [
    "REGION_ALIASES",
    "Decision",
    "Effect",
    "InvalidUse",
    "Leaf",
    "Obligation",
    "Outcome",
    "Problem",
    "Reason",
    "RulesetResult",
    "UseError",
    "UseGroup",
    "UseModel",
    "Vocabulary",
    "apply_implications",
    "choice",
    "combine",
    "excluded",
    "iso_date",
    "parameter_value",
    "places",
    "region_code",
    "settle",
    "vocabulary_key",
]
