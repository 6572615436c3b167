"""Plain records of a use's facts: what the generated checkers read, since reads on pydantic models are slow.

pydantic's `BaseModel` defines `__getattr__` (for private attributes), and
CPython 3.11 does not specialise attribute reads on a class that has one: a
fact read on a `DataUse` or one of its groups costs about four times a read on
a plain class with `__slots__` (docs/performance.md, "The row path"). A
decision reads every fact it tests, so each generated model has a record
class: `__slots__` and one attribute per field, a group's record in place of
the group and, for a use, `here`, the regions its region lies in. A model
instance keeps its record in its own `__dict__` under `_record` (a
`functools.cached_property`: pydantic leaves those alone and keeps them out of
comparison, hashing, `dict(model)` and `model_dump`). The generated
`use_from` builds the record with the use; a use pydantic built gets its
record at its first decision. The rulesets' `evaluate` and `permitted` take
the record, so a decision makes one slow read (`use._record`), not one per fact.

A record is the checkers' private view of an immutable use: nothing hands it
to callers, and nothing changes it once built.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar

# The key of an instance's `__dict__` that holds its record (the name of the cached_property).
RECORD = "_record"

_new = object.__new__
_set = object.__setattr__


class RecordBase:
    """Base of the generated record classes: the facts of one model as plain slots.

    It has no methods but `__repr__`, so that a fact can have any name (names
    in a rule file start with a lowercase letter); and its name ends neither in
    `Facts` nor in `Record`, the names of the generated classes, so that no
    group (`facts` makes `FactsRecord`) can take it.
    """

    __slots__: ClassVar[tuple[str, ...]] = ()

    def __repr__(self) -> str:
        values = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({values})"


Record = TypeVar("Record", bound=RecordBase)


def record_of(kind: type[Record], facts: Mapping[str, Any]) -> Record:
    """The record of class `kind` holding `facts[name]` for each of its slots (other keys are left out)."""
    record = _new(kind)
    for name in kind.__slots__:
        _set(record, name, facts[name])
    return record
