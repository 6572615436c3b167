"""What is wrong with a use: problems with their field paths, and pydantic's errors in those words."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from .suggest import closest


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
