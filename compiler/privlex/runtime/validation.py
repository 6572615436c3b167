"""Validation of data uses: strict, with field paths and did-you-mean suggestions."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from .suggest import closest
from .text import ASCII_SPACE, date_text
from .vocabulary import REGION_ALIASES, Vocabulary


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a use: where, what was given, and what was meant."""

    path: str
    value: Any
    message: str
    suggestion: str | None = None

    def render(self) -> str:
        text = f"{self.path}: {self.message}" if self.path else self.message
        if self.suggestion:
            text += f"; did you mean {self.suggestion}?"
        return text


class InvalidUse(ValueError):
    """A data use that cannot be decided: unknown names, wrong types, contradictions."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(problem.render() for problem in self.problems))

    @property
    def path(self) -> str:
        return self.problems[0].path if self.problems else ""

    @property
    def value(self) -> Any:
        return self.problems[0].value if self.problems else None

    @property
    def suggestion(self) -> str | None:
        return self.problems[0].suggestion if self.problems else None


class UseError(ValueError):
    """Raised inside validators; carries a Problem through pydantic's error list."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(problem.render())


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


@cache
def implication_closure(implies: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """Every (source, target) that follows from the pairs, transitively: `a implies b`, `b implies c` gives a -> c.

    The compiler emits the closure already; closing again here keeps a
    package correct whatever produced its pairs. Sources keep their first
    order; each source's targets are listed as they are reached.
    """
    direct: dict[str, list[str]] = {}
    for source, target in implies:
        direct.setdefault(source, []).append(target)
    closed: list[tuple[str, str]] = []
    for source in direct:
        seen: set[str] = {source}
        pending = list(direct[source])
        while pending:
            target = pending.pop(0)
            if target in seen:
                continue
            seen.add(target)
            closed.append((source, target))
            pending.extend(direct.get(target, ()))
    return tuple(closed)


def apply_implications(
    data: dict[str, Any],
    implies: Iterable[tuple[str, str]],
    excludes: Iterable[tuple[str, str]],
) -> dict[str, Any]:
    """Set implied booleans (to a fixed point) and reject contradictions, on the raw nested input.

    Only a source that is exactly True implies anything, and only an absent
    target is set: a target given as False is a contradiction, and a target
    given as anything else is left for validation to reject.
    """
    merged = {**data, **{name: dict(value) for name, value in data.items() if isinstance(value, Mapping)}}

    def get(path: str) -> Any:
        group, _, name = path.rpartition(".")
        holder = merged.get(group) if group else merged
        return holder.get(name) if isinstance(holder, dict) else None

    def put(path: str) -> None:
        group, _, name = path.rpartition(".")
        if group:
            holder = merged.setdefault(group, {})
            if isinstance(holder, dict):
                holder[name] = True
        else:
            merged[name] = True

    for source, target in implication_closure(tuple(implies)):
        if get(source) is True:
            current = get(target)
            if current is False:
                raise UseError(Problem(target, False, f"given as false, but {source} is true and implies it"))
            if current is None:
                put(target)
    for first, second in excludes:
        if get(first) is True and get(second) is True:
            raise UseError(Problem(first, True, f"contradicts {second}: both cannot be true"))
    return merged


_PYDANTIC_WORDS = {
    "bool_type": "expected true or false",
    "int_type": "expected a whole number",
    "date_type": "expected a date",
    "string_type": "expected text",
    "model_type": "expected a mapping of facts",
    "dict_type": "expected a mapping of facts",
    "greater_than_equal": "is below the smallest allowed value",
    "less_than_equal": "is above the largest allowed value",
    "missing": "required, but not given",
}


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    for part in loc:
        field = model.model_fields.get(str(part))
        annotation = field.annotation if field else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return None
        model = annotation
    return model


def problems_of(error: ValidationError, model: type[BaseModel]) -> list[Problem]:
    problems: list[Problem] = []
    for item in error.errors(include_url=False):
        loc = tuple(item.get("loc", ()))
        path = ".".join(str(part) for part in loc)
        kind = item["type"]
        context = item.get("ctx") or {}
        cause = context.get("error")
        if isinstance(cause, UseError):
            problems.append(cause.problem)
        elif isinstance(cause, InvalidUse):
            problems.extend(cause.problems)
        elif kind == "extra_forbidden":
            holder = _model_at(model, loc[:-1])
            names = holder.model_fields if holder else {}
            suggestion = closest(str(loc[-1]), names)
            if suggestion and loc[:-1]:
                suggestion = ".".join(str(p) for p in loc[:-1]) + "." + suggestion
            problems.append(Problem(path, item.get("input"), "unknown fact", suggestion))
        elif kind in ("greater_than_equal", "less_than_equal"):
            limit = context.get("ge", context.get("le"))
            problems.append(
                Problem(path, item.get("input"), f"{item.get('input')!r} {_PYDANTIC_WORDS[kind]} ({limit})")
            )
        else:
            words = _PYDANTIC_WORDS.get(kind, item.get("msg", "is not valid"))
            given = item.get("input")
            if kind == "missing":
                problems.append(Problem(path, None, words))
            else:
                problems.append(Problem(path, given, f"{words}, got {given!r}"))
    return problems


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
