"""Validation of data uses: strict, with field paths and did-you-mean suggestions."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from .suggest import closest
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
    """Normalise a region as DESIGN.md says, or raise a UseError naming the field."""
    if not isinstance(value, str):
        raise UseError(Problem(path, value, f"expected a region code, got {value!r}"))
    code = value.strip().upper().replace("_", "-")
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
    """Accept YYYY-MM-DD strings for dates; leave other values to strict validation."""
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value) if len(value) == 10 else _bad_date(value, path)
        except ValueError:
            return _bad_date(value, path)
    if isinstance(value, datetime.datetime):
        raise UseError(Problem(path, value, "expected a date, got a date and time"))
    return value


def _bad_date(value: str, path: str) -> object:
    raise UseError(Problem(path, value, f"{value!r} is not a date written YYYY-MM-DD"))


def apply_implications(
    data: dict[str, Any],
    implies: Iterable[tuple[str, str]],
    excludes: Iterable[tuple[str, str]],
) -> dict[str, Any]:
    """Set implied booleans and reject contradictions, on the raw nested input."""
    groups = {name: dict(value) for name, value in data.items() if isinstance(value, Mapping)}
    if not groups:
        groups = {}
    merged = {**data, **groups}

    def get(path: str) -> Any:
        group, _, name = path.rpartition(".")
        holder = merged.get(group) if group else merged
        return holder.get(name) if isinstance(holder, dict) else None

    def put(path: str, value: bool) -> None:
        group, _, name = path.rpartition(".")
        if group:
            holder = merged.setdefault(group, {})
            if isinstance(holder, dict):
                holder[name] = value
        else:
            merged[name] = value

    for source, target in implies:
        if get(source) is True:
            if get(target) is False:
                raise UseError(Problem(target, False, f"given as false, but {source} is true and implies it"))
            put(target, True)
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


class UseGroup(BaseModel):
    """A group of facts (`subject`, `consent`, `processing`)."""

    model_config = ConfigDict(strict=True, frozen=True, extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _drop_absent(cls, data: Any) -> Any:
        return _present(data)


class UseModel(BaseModel):
    """Base of every generated `DataUse`: validated once, immutable afterwards."""

    model_config = ConfigDict(strict=True, frozen=True, extra="forbid")

    IMPLIES: ClassVar[tuple[tuple[str, str], ...]] = ()
    EXCLUDES: ClassVar[tuple[tuple[str, str], ...]] = ()

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise InvalidUse(problems_of(exc, type(self))) from None

    @model_validator(mode="before")
    @classmethod
    def _absent_and_implied(cls, data: Any) -> Any:
        data = _present(data)
        if isinstance(data, dict) and (cls.IMPLIES or cls.EXCLUDES):
            data = apply_implications(data, cls.IMPLIES, cls.EXCLUDES)
        return data

    @classmethod
    def from_input(cls, data: Mapping[str, Any] | Self) -> Self:
        """Validate a mapping (or pass a validated use through); raises InvalidUse."""
        if isinstance(data, cls):
            return data
        if not isinstance(data, Mapping):
            raise InvalidUse([Problem("", data, f"expected a mapping of facts, got {type(data).__name__}")])
        odd = [key for key in data if not isinstance(key, str)]
        if odd:
            raise InvalidUse([Problem("", odd[0], f"fact names are text, got {odd[0]!r}")])
        return cls(**data)
