"""Validated instances built without pydantic, for the facts a generated `_validate` module has checked.

A generated package's `use_from` checks the usual input (a plain dict, every
fact of exactly the expected type and a known value) in plain Python, and
hands everything else to `DataUse.from_input`. What it accepted it builds
here: the instance pydantic would build from the same facts, with the same
fields and the same set of given facts, at a fraction of the cost. Nothing
else may call this: an instance must only ever hold facts that passed
validation (tests/test_fast_validation.py holds `use_from` to `from_input`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, NamedTuple, TypeVar

from .records import RECORD, Record, RecordBase, record_of
from .validation import _Validated

Model = TypeVar("Model", bound=_Validated)

_new = object.__new__
_set = object.__setattr__


def assembled(model: type[Model], facts: dict[str, Any], given: set[str], record: RecordBase) -> Model:
    """An instance of `model` holding `facts` (every field, in the model's order), `given` the ones named.

    The same four attributes pydantic's own `model_construct` sets; the
    model's fields are in `facts`, already validated by the caller, and
    `record` (privlex.runtime.records) holds the same facts. `facts` becomes
    the instance's own `__dict__`.
    """
    facts[RECORD] = record
    instance = _new(model)
    _set(instance, "__dict__", facts)
    _set(instance, "__pydantic_fields_set__", given)
    _set(instance, "__pydantic_extra__", None)
    _set(instance, "__pydantic_private__", None)
    return instance


# How many distinct inputs of one group are remembered: groups of booleans
# have few; a group with ages or dates stops being remembered at this size.
SHARED_LIMIT = 4096


class Shared(NamedTuple, Generic[Model, Record]):
    """A group instance and its record, as `use_from` puts them into a use and its record."""

    model: Model
    record: Record


class SharedGroups(Generic[Model, Record]):
    """The instances of one fact group, built once for each distinct set of facts and shared between uses.

    A group instance is immutable, so two uses whose `consent` holds the same
    facts can hold the same one: finding it costs less than building it.
    `check` (generated) validates the group's input, applies the implications
    inside the group and returns its facts, or None when the input is not
    plainly valid. The key is those validated facts, each of its one type
    (a boolean fact only ever holds a bool: `1` never meets `True` here).
    Each instance is built with its record, shared alike.
    """

    def __init__(
        self, model: type[Model], record: type[Record], check: Callable[[dict[Any, Any]], dict[str, Any] | None]
    ) -> None:
        self.model = model
        self.record = record
        self.check = check
        self.defaults: dict[str, Any] = dict(model())
        self.absent = self._built({})
        self.seen: dict[tuple[Any, ...], Shared[Model, Record]] = {}

    def _built(self, facts: dict[str, Any]) -> Shared[Model, Record]:
        """The group instance of `facts` (the rest its defaults) and its record."""
        fields = {**self.defaults, **facts}
        record = record_of(self.record, fields)
        return Shared(assembled(self.model, fields, set(facts), record), record)

    def given(self, value: object) -> Shared[Model, Record] | None:
        """The instance for the group's input (None: the defaults); None when the input is not plainly valid."""
        if value is None:
            return self.absent
        if type(value) is not dict:
            return None
        facts = self.check(value)
        if facts is None:
            return None
        if not facts:
            return self.absent
        key = tuple(facts.items())
        found = self.seen.get(key)
        if found is None:
            found = self._built(facts)
            if len(self.seen) < SHARED_LIMIT:
                self.seen[key] = found
        return found
