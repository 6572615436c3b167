"""Which columns of a dataset are facts, and where each fact comes from.

A column is read as facts when its name is a fact root (`region`, `data`,
`purpose`, `date`, `legal_basis`, `subject`, `consent`, `processing`: the
package's own roots) or starts with a group root and a dot (`consent.given`).
A group root is a struct column whose fields are the group's facts. Every
other column is payload. A column map (`--map FACT=COLUMN`) and constant
values (`--set FACT=VALUE`) override the columns named after a fact.

Schema errors stop a run before any row is read: a name under a root that is
not a fact, one fact given twice (a struct field and a dotted column), a
group root that is not a struct, a mapped column that does not exist, and a
required fact that no column gives.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..runtime.suggest import closest
from .facts import Catalog


class SchemaError(ValueError):
    """The columns cannot be read as facts; nothing was decided."""


@dataclass(frozen=True)
class Column:
    """A column's name and, for a struct column, its fields."""

    name: str
    fields: tuple[Column, ...] | None = None

    @property
    def is_struct(self) -> bool:
        return self.fields is not None


@dataclass(frozen=True)
class Source:
    """One fact and the column path it is read from (a struct field path has two names)."""

    fact: str
    column: tuple[str, ...]

    @property
    def label(self) -> str:
        if len(self.column) == 1:
            return f"column {self.column[0]!r}"
        return f"field {'.'.join(self.column[1:])!r} of struct column {self.column[0]!r}"

    def describe(self) -> str:
        if self.column == (self.fact,):
            return self.fact
        if len(self.column) == 2 and ".".join(self.column) == self.fact:
            return f"{self.fact} (field of struct {self.column[0]})"
        return f"{self.fact} <- {'.'.join(self.column)}"


@dataclass(frozen=True)
class Plan:
    """Where every fact of a dataset comes from."""

    sources: tuple[Source, ...]
    constants: Mapping[str, Any] = field(default_factory=dict)

    def describe(self) -> list[str]:
        lines = [source.describe() for source in self.sources]
        lines += [f"{fact} = {value!r} (--set)" for fact, value in self.constants.items()]
        return lines

    def column_of(self, fact: str) -> str | None:
        """How a report names the place a fact came from, when not by its own name."""
        for source in self.sources:
            if source.fact == fact and source.column != (fact,):
                return ".".join(source.column)
        return None


def arrow_columns(schema: Any) -> list[Column]:
    """The columns of a pyarrow schema, struct fields included."""
    import pyarrow as pa

    def column(item: Any) -> Column:
        if pa.types.is_struct(item.type):
            return Column(item.name, tuple(column(item.type.field(i)) for i in range(item.type.num_fields)))
        return Column(item.name)

    return [column(item) for item in schema]


def _find(columns: Sequence[Column], name: str) -> tuple[tuple[str, ...], Column] | None:
    """A column by its name, or by a dotted path into struct columns: its path and itself."""
    for item in columns:
        if item.name == name:
            return (name,), item
    head, dot, rest = name.partition(".")
    if dot:
        for item in columns:
            if item.name == head and item.fields is not None:
                found = _find(item.fields, rest)
                if found is not None:
                    return (head, *found[0]), found[1]
    return None


def near_miss(name: str, facts: Catalog) -> str | None:
    """The fact a column that is not read as one surely means: `consent_withdrawn`, `Consent.Withdrawn`.

    Such a column would silently be payload (and a deny missed), so it is a
    schema error; names that merely resemble a fact (`consent_note`) stay payload.
    """
    for candidate in {name.lower(), name.lower().replace("_", ".", 1), name.lower().replace("-", ".", 1)}:
        if candidate != name and candidate in facts.facts:
            return candidate
        root = candidate.split(".", 1)[0]
        if candidate != name and root in facts.groups and candidate == root:
            return candidate
    return None


def plan(
    columns: Iterable[Column],
    facts: Catalog,
    mapping: Mapping[str, str] | None = None,
    constants: Mapping[str, Any] | None = None,
) -> Plan:
    """Resolve the columns to fact sources; raises SchemaError."""
    columns = list(columns)
    found: dict[str, Source] = {}

    def add(source: Source) -> None:
        if source.fact in found:
            raise SchemaError(f"{source.fact} is given twice: by {found[source.fact].label} and by {source.label}")
        found[source.fact] = source

    for item in columns:
        root, dot, rest = item.name.partition(".")
        if root not in facts.roots:
            continue
        if not dot and root in facts.groups:
            if item.fields is None:
                raise SchemaError(
                    f"column {root!r} must be a struct of {root} facts (or give them as columns named {root}.NAME)"
                )
            for inner in item.fields:
                path = f"{root}.{inner.name}"
                if path not in facts.facts:
                    raise SchemaError(f"field {inner.name!r} of struct column {root!r}: {facts.unknown(path)}")
                add(Source(path, (root, inner.name)))
            continue
        if item.name not in facts.facts:
            raise SchemaError(f"column {item.name!r}: {facts.unknown(item.name)}")
        if item.fields is not None:
            raise SchemaError(f"column {item.name!r} is a struct, but the fact {item.name} takes one value")
        add(Source(item.name, (item.name,)))

    names = [item.name for item in columns]
    for fact, name in (mapping or {}).items():
        where = _find(columns, name)
        if where is None:
            hint = closest(name, names)
            near = f"; did you mean {hint}?" if hint else f" (the columns: {', '.join(names[:20])})"
            raise SchemaError(f"--map {fact}={name}: there is no column {name!r}{near}")
        if fact in facts.groups:
            if where is None or where[1].fields is None:
                raise SchemaError(f"--map {fact}={name}: there is no struct column {name!r}")
            for item in where[1].fields:
                path = f"{fact}.{item.name}"
                if path not in facts.facts:
                    raise SchemaError(f"--map {fact}={name}: field {item.name!r}: {facts.unknown(path)}")
                found[path] = Source(path, (*where[0], item.name))
            continue
        if fact not in facts.facts:
            raise SchemaError(f"--map {fact}={name}: {facts.unknown(fact)}")
        if where is None:
            raise SchemaError(f"--map {fact}={name}: there is no column {name!r}")
        found[fact] = Source(fact, where[0])

    mapped = {".".join(source.column) for source in found.values()} | {
        n.split(".")[0] for n in (mapping or {}).values()
    }
    for item in columns:
        if facts.is_fact_name(item.name) or item.name in mapped:
            continue
        meant = near_miss(item.name, facts)
        if meant is not None and meant not in found and meant not in (constants or {}):
            raise SchemaError(
                f"column {item.name!r} is not a fact name, and would be payload, never read; "
                f"did you mean {meant}? (rename it, or --map {meant}={item.name})"
            )
    constants = dict(constants or {})
    for fact in constants:
        if fact not in facts.facts:
            raise SchemaError(f"--set {fact}: {facts.unknown(fact)}")
        found.pop(fact, None)
    for spec in facts.facts.values():
        if spec.required and spec.path not in found and spec.path not in constants:
            raise SchemaError(
                f"no column gives the required fact {spec.path}: name a column {spec.path}, "
                f"or map one with --map {spec.path}=COLUMN"
            )
    ordered = sorted(found.values(), key=lambda s: list(facts.facts).index(s.fact))
    return Plan(tuple(ordered), constants)
