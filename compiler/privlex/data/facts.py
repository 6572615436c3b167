"""The facts a generated package knows, read from its `DataUse` model.

Datasets name facts by their paths: the roots `region`, `data`, `purpose`,
`date`, `legal_basis` (any top-level fact of the vocabulary) and the groups
`subject`, `consent`, `processing` (any group), with `group.name` below a
group. Batch evaluation, `privlex filter` and their tests share this
catalogue, and the value rules that hold for every tabular source: None is
absent, an integral float is an integer, and a text cell is read by the
fact's type.
"""

from __future__ import annotations

import datetime
import importlib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import BaseModel

from ..runtime.suggest import closest

DEFAULT_PACKAGE = "privlex_rules"
TRUE_WORDS = frozenset({"true", "1"})
FALSE_WORDS = frozenset({"false", "0"})


@dataclass(frozen=True, slots=True)
class FactSpec:
    """One fact: its dotted path and the kind of value it takes."""

    path: str
    kind: str  # "boolean" | "integer" | "date" | "text"
    required: bool

    @property
    def group(self) -> str | None:
        return self.path.split(".", 1)[0] if "." in self.path else None


@dataclass(frozen=True)
class Catalog:
    """Every fact of a package, and the roots that mark a column as a fact."""

    facts: Mapping[str, FactSpec]
    groups: frozenset[str]  # roots that hold facts below them
    scalars: frozenset[str]  # roots that are facts themselves

    @property
    def roots(self) -> frozenset[str]:
        return self.groups | self.scalars

    def is_fact_name(self, name: str) -> bool:
        """Whether a column (or key) named `name` is read as a fact, not payload."""
        return name.split(".", 1)[0] in self.roots

    def suggest(self, path: str) -> str | None:
        return closest(path, self.facts)

    def unknown(self, path: str) -> str:
        hint = self.suggest(path)
        return f"{path!r} is not a fact" + (f"; did you mean {hint}?" if hint else "")


def _kind(annotation: Any) -> str:
    options = set(typing.get_args(annotation)) or {annotation}
    options.discard(type(None))
    if bool in options:
        return "boolean"
    if int in options:
        return "integer"
    if datetime.date in options:
        return "date"
    return "text"


@cache
def catalog(data_use: type[BaseModel]) -> Catalog:
    facts: dict[str, FactSpec] = {}
    groups: set[str] = set()
    scalars: set[str] = set()
    for name, info in data_use.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            groups.add(name)
            for inner, inner_info in annotation.model_fields.items():
                facts[f"{name}.{inner}"] = FactSpec(f"{name}.{inner}", _kind(inner_info.annotation), False)
        else:
            scalars.add(name)
            facts[name] = FactSpec(name, _kind(annotation), info.is_required())
    return Catalog(facts, frozenset(groups), frozenset(scalars))


def load_package(package: str | types.ModuleType | None) -> types.ModuleType:
    """A generated package: the shipped one by default, a module, or a module name."""
    if isinstance(package, types.ModuleType):
        return package
    return importlib.import_module(package or DEFAULT_PACKAGE)


def package_catalog(package: types.ModuleType) -> Catalog:
    return catalog(package.DataUse)


def normalize(value: Any) -> Any:
    """A value as a fact takes it: an integral float is the integer it equals."""
    if type(value) is float and value.is_integer():
        return int(value)
    return value


def parse_text(spec: FactSpec, raw: str) -> Any:
    """A text cell (CSV, `--set`) read by the fact's type; empty is absent.

    Booleans are true/false/1/0 (any case) and integers are whole numbers;
    anything else stays text, for validation to reject with its message.
    """
    if raw == "":
        return None
    if spec.kind == "boolean":
        word = raw.strip().lower()
        return True if word in TRUE_WORDS else False if word in FALSE_WORDS else raw
    if spec.kind == "integer":
        try:
            return int(raw)
        except ValueError:
            try:
                number = float(raw)
            except ValueError:
                return raw
            return int(number) if number.is_integer() else raw
    return raw


def parse_assignments(items: list[str], facts: Catalog, what: str = "--set") -> dict[str, Any]:
    """`FACT=VALUE` items parsed by each fact's type; ValueError names the bad one."""
    values: dict[str, Any] = {}
    for item in items:
        path, equals, raw = item.partition("=")
        path = path.strip()
        if not equals or not path:
            raise ValueError(f"{what} takes FACT=VALUE, got {item!r}")
        spec = facts.facts.get(path)
        if spec is None:
            raise ValueError(f"{what}: {facts.unknown(path)}")
        values[path] = parse_text(spec, raw)
    return values


def nest(flat: Mapping[str, Any]) -> dict[str, Any]:
    """{"consent.given": True} -> {"consent": {"given": True}}: the shape `check` takes."""
    use: dict[str, Any] = {}
    for path, value in flat.items():
        group, dot, name = path.partition(".")
        if dot:
            use.setdefault(group, {})[name] = value
        else:
            use[path] = value
    return use
