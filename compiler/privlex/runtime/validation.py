"""The validated models every generated `DataUse` and group builds on: strict, immutable, with InvalidUse."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from .implications import apply_implications
from .problems import InvalidUse, Problem, UseError, problems_of


def _present(data: Any) -> Any:
    """None means absent: drop it, so that the field's default applies."""
    if isinstance(data, Mapping):
        return {key: value for key, value in data.items() if value is not None}
    return data


def _mapping(data: object) -> dict[str, Any]:
    """The facts of a use or a group as a plain dict, or InvalidUse."""
    if not isinstance(data, Mapping):
        raise InvalidUse([Problem("", data, f"expected a mapping of facts, got {type(data).__name__}")])
    odd = [key for key in data if not isinstance(key, str)]
    if odd:
        raise InvalidUse([Problem("", odd[0], f"fact names are text, got {odd[0]!r}")])
    return dict(data)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    names = [name for name, _ in pairs]
    for name in names:
        if names.count(name) > 1:
            raise InvalidUse([Problem(name, None, "given twice in the JSON text: a use names each fact once")])
    return dict(pairs)


class _Validated(BaseModel):
    """What a use and its groups share: every way to build one validates.

    pydantic offers constructors that skip validation (`model_construct`,
    `model_copy(update=...)`, `copy`) and ones that raise its own
    ValidationError; here each one either validates strictly and raises
    InvalidUse, or is closed. An instance therefore only exists for facts
    that passed validation, and for a use, with its implications applied.
    """

    model_config = ConfigDict(strict=True, frozen=True, extra="forbid")

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise InvalidUse(problems_of(exc, type(self))) from None

    # Tells pydantic this __init__ only wraps its own: a group nested in a use
    # is then validated by pydantic directly, and its problems keep their paths.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    def given_facts(self) -> dict[str, Any]:
        """The facts this instance was built from (and, for a use, those its implications set)."""
        return {name: getattr(self, name) for name in self.model_fields_set}

    @classmethod
    def from_input(cls, data: Mapping[str, Any] | Self) -> Self:
        """Validate a mapping (or pass a validated instance through); raises InvalidUse."""
        if isinstance(data, cls):
            return data
        return cls(**_mapping(data))

    # ------------------------------------------- pydantic's constructors, each validating

    @classmethod
    def model_validate(
        cls,
        obj: Any,
        *,
        strict: bool | None = None,
        extra: Any = None,
        from_attributes: bool | None = None,
        context: Any | None = None,
        by_alias: bool | None = None,
        by_name: bool | None = None,
    ) -> Self:
        """Like `from_input`: strict whatever `strict` says; a mapping only (no `from_attributes`); InvalidUse."""
        return cls.from_input(obj)

    @classmethod
    def model_validate_json(
        cls,
        json_data: str | bytes | bytearray,
        *,
        strict: bool | None = None,
        extra: Any = None,
        context: Any | None = None,
        by_alias: bool | None = None,
        by_name: bool | None = None,
    ) -> Self:
        """A use written as a JSON object; a name given twice, bad JSON or JSON nested too deeply is InvalidUse."""
        try:
            data = json.loads(json_data, object_pairs_hook=_unique_keys)
        except InvalidUse:
            raise
        except (ValueError, RecursionError) as exc:
            reason = "it is nested too deeply" if isinstance(exc, RecursionError) else str(exc)
            raise InvalidUse([Problem("", None, f"not a JSON object of facts: {reason}")]) from None
        return cls.from_input(data)

    @classmethod
    def model_validate_strings(
        cls,
        obj: Any,
        *,
        strict: bool | None = None,
        extra: Any = None,
        context: Any | None = None,
        by_alias: bool | None = None,
        by_name: bool | None = None,
    ) -> Self:
        """Closed: pydantic would read text its own way ("yes", "on"); read text with privlex.runtime.text."""
        raise TypeError(
            f"{cls.__name__}.model_validate_strings is not available: facts are typed values; "
            "read text with privlex.runtime.text (boolean_text, integer_text, date_text) first"
        )

    @classmethod
    def model_construct(cls, _fields_set: set[str] | None = None, **values: Any) -> Self:
        """Validates like calling the class (pydantic's would skip validation); raises InvalidUse."""
        return cls(**values)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy; with `update`, the updated facts are validated again, implications included."""
        if update:
            return type(self).from_input({**self.given_facts(), **_mapping(update)})
        return super().model_copy(deep=deep)

    def copy(self, *args: Any, **kwargs: Any) -> Self:
        """Closed: pydantic's deprecated `copy` skips validation; use `model_copy(update=...)`."""
        raise TypeError(f"{type(self).__name__}.copy is not available: use model_copy(update=...), which validates")


class UseGroup(_Validated):
    """A group of facts (`subject`, `consent`, `processing`).

    A group instance holds facts that are each valid; the implications and
    exclusions between facts are the use's to apply, so a group passed into
    a use is validated again there, as the facts it was built from.
    """

    @model_validator(mode="before")
    @classmethod
    def _drop_absent(cls, data: Any) -> Any:
        return _present(data)


class UseModel(_Validated):
    """Base of every generated `DataUse`: validated once, immutable afterwards."""

    IMPLIES: ClassVar[tuple[tuple[str, str], ...]] = ()
    EXCLUDES: ClassVar[tuple[tuple[str, str], ...]] = ()

    @model_validator(mode="before")
    @classmethod
    def _absent_and_implied(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            raise UseError(Problem("", data, f"expected a mapping of facts, got {type(data).__name__}"))
        data = {
            key: value.given_facts() if isinstance(value, UseGroup) else value
            for key, value in data.items()
            if value is not None
        }
        if cls.IMPLIES or cls.EXCLUDES:
            data = apply_implications(data, cls.IMPLIES, cls.EXCLUDES)
        return data
