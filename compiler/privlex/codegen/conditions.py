"""IR conditions -> typed conditions of generated code (`pyexpr`), and the constants they name.

A condition is compiled to its "is true" side (`true`); `not` compiles its
operand's "is false" side (Kleene logic without a third value at run time: a
test on an unknown fact is neither true nor false, so it is guarded by
`is not None` on both sides).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from .. import ir
from . import layout
from . import pyexpr as py
from .identifiers import Names, constant_stem
from .literals import scalar, string
from .pyexpr import Condition, Present, Test, TestKind, conjunction, disjunction

_INVERSE = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "=": "!=", "!=": "="}
# A constant is named after what it holds when that name is no longer than this.
_NAME_LIMIT = 56


@dataclass(frozen=True)
class Constant:
    name: str
    value: py.Expression
    comment: str = ""
    annotation: str = ""


class Constants:
    """Module-level constants of one generated module, named once each, in the order first needed."""

    def __init__(self, names: Names) -> None:
        self.names = names
        self.items: list[Constant] = []
        self._by_value: dict[str, str] = {}

    def add(self, stems: Sequence[str], value: py.Expression, comment: str = "") -> str:
        """The constant holding `value`: the first stem that is short enough names it."""
        key = layout.flat(value)
        if key in self._by_value:
            return self._by_value[key]
        stem = next((s for s in stems if len(s) <= _NAME_LIMIT), stems[-1])
        name = self.names.fresh(stem)
        self.items.append(Constant(name, value, comment))
        self._by_value[key] = name
        return name

    def named(self, name: str, value: py.Expression, comment: str, annotation: str) -> None:
        """A constant whose name was chosen beforehand (a parameter's table)."""
        self.items.append(Constant(name, value, comment, annotation))


def frozenset_of(values: Sequence[str]) -> py.Expression:
    """`frozenset({...})` of string literals, sorted."""
    if not values:
        return py.Call("frozenset")
    items = tuple(py.Name(string(v)) for v in sorted(values))
    return py.Call("frozenset", (py.Collection("{", items, "}"),))


def date_value(value: datetime.date) -> py.Expression:
    return py.Call("datetime.date", tuple(py.Name(str(n)) for n in (value.year, value.month, value.day)))


class Conditions:
    """Compiles the IR conditions of one ruleset; records what the function being built reads."""

    def __init__(
        self, vocabulary: ir.Vocabulary, constants: Constants, parameters: dict[str, str], taken: Sequence[str]
    ) -> None:
        self.vocabulary = vocabulary
        self.constants = constants
        self.parameters = parameters  # parameter name -> constant holding its table
        self.taken = tuple(taken)  # names a local may not take
        self.reads_day = False  # whether any compiled condition reads the date
        self.reads_parameters = False  # whether any reads a region parameter
        self.owner = ""  # the node whose conditions are being compiled, to name constants after
        self._scopes: dict[tuple[str, tuple[str, ...], bool], Condition] = {}
        self.begin_function()

    def begin_function(self) -> None:
        """Start the locals of a new function: which groups it reads, which places it binds."""
        self.locals: set[str] = set()
        self.places: dict[str, str] = {}  # fact access -> the local holding its places
        self.local_names = Names(self.taken)

    # ------------------------------------------------------------ operands

    def access(self, fact: ir.FactRef) -> str:
        if fact.path in ("region", "data", "purpose"):
            self.locals.add(fact.path)
            return fact.path
        if fact.path == "date":
            self.reads_day = True
            return "day"
        group, _, name = fact.path.rpartition(".")
        if group:
            self.locals.add(group)
            return f"{group}.{name}"
        return f"use.{name}"

    def scalar(self, value: ir.Scalar | ir.ParamRef) -> py.Expression:
        if isinstance(value, ir.ParamRef):
            self.locals.add("region")
            self.reads_day = True
            self.reads_parameters = True
            arguments = (py.Name(self.parameters[value.name]), py.Name("region"), py.Name("day"))
            return py.Call("parameter_value", arguments)
        if isinstance(value, datetime.date):
            return py.Name(self.date(value))
        return py.Name(scalar(value))

    def date(self, value: datetime.date) -> str:
        self.reads_day = True
        return self.constants.add([f"_DATE_{value.year:04d}_{value.month:02d}_{value.day:02d}"], date_value(value))

    def _places(self, fact: ir.FactRef) -> tuple[str, str | None]:
        """The local holding the regions a region fact lies in, and the local to guard, if any."""
        if fact.path == "region":
            self.locals.add("here")
            return "here", None
        access = self.access(fact)
        if access not in self.places:
            self.places[access] = self.local_names.fresh(f"{fact.path.rpartition('.')[2]}_places")
        return self.places[access], self.places[access]

    def _set(self, stems: list[str], values: Sequence[str], comment: str) -> str:
        return self.constants.add(stems, frozenset_of(values), comment)

    # ---------------------------------------------------------- conditions

    def true(self, condition: ir.Condition) -> Condition:
        return self._compile(condition, want=True)

    def _guard(self, fact: ir.FactRef, test: Test, access: str | None = None) -> Condition:
        if not fact.nullable:
            return test
        return conjunction([Present(access or self.access(fact), True), test])

    def _compile(self, condition: ir.Condition, want: bool) -> Condition:
        if isinstance(condition, ir.Defined):  # a definition is compiled in place
            return self._compile(condition.condition, want)
        if isinstance(condition, ir.Not):
            return self._compile(condition.operand, not want)
        if isinstance(condition, ir.And | ir.Or):
            parts = [self._compile(operand, want) for operand in condition.operands]
            return conjunction(parts) if isinstance(condition, ir.And) == want else disjunction(parts)
        fact = condition.fact
        if isinstance(condition, ir.Within) and fact.kind not in ("data", "purpose"):
            return self._region(condition, want)
        access = self.access(fact)
        name = py.Name(access)
        if isinstance(condition, ir.Truth):
            return Test(name if want else py.Not(name), "truth")
        if isinstance(condition, ir.Known):
            return Present(access, condition.known == want)
        if isinstance(condition, ir.Compare):
            op = condition.op if want else _INVERSE[condition.op]
            op = {"=": "==", "!=": "!="}.get(op, op)
            kind: TestKind = "lookup" if isinstance(condition.value, ir.ParamRef) else "compare"
            return self._guard(fact, Test(py.Compare(name, op, self.scalar(condition.value)), kind))
        if isinstance(condition, ir.OneOf):
            if len(condition.values) == 1:
                test = py.Compare(name, "==" if want else "!=", self.scalar(condition.values[0]))
            else:
                items = sorted(condition.values, key=repr)
                values = self._values(fact, items)
                test = py.Compare(name, "in" if want else "not in", values)
            # None never equals a value, so only the "is false" side needs a guard.
            return Test(test, "compare") if want else self._guard(fact, Test(test, "compare"))
        assert isinstance(condition, ir.Within)
        key = (fact.path, condition.values, want)
        if key not in self._scopes:
            self._scopes[key] = self._scope(condition, want, name)
        return self._scopes[key]

    def _scope(self, condition: ir.Within, want: bool, name: py.Name) -> Condition:
        """A data or purpose fact at or below some keys: membership of a constant set."""
        fact = condition.fact
        below = self.vocabulary.data_below if fact.kind == "data" else self.vocabulary.purposes_below
        expanded = sorted({k for v in condition.values for k in below.get(v, (v,))})
        what = "DATA" if fact.kind == "data" else "PURPOSE"
        stems = [f"_{what}_IN_{constant_stem('_'.join(condition.values))}"]
        if self.owner:
            stems.append(f"_{constant_stem(self.owner)}_{'DATA' if what == 'DATA' else 'PURPOSES'}")
        stems.append(f"_{what}_SET")
        constant = self._set(stems, expanded, f"{fact.kind} {', '.join(condition.values)} and every key below")
        scope = py.Compare(name, "in" if want else "not in", py.Name(constant))
        return Test(scope, "scope" if fact.path in ("data", "purpose") else "compare")

    def _region(self, condition: ir.Within, want: bool) -> Condition:
        fact = condition.fact
        places, guard = self._places(fact)
        kind: TestKind = "region" if guard is None else "compare"
        if len(condition.values) == 1:
            literal = py.Name(string(condition.values[0]))
            test = Test(py.Compare(literal, "in" if want else "not in", py.Name(places)), kind)
        else:
            attribute = fact.path.rpartition(".")[2]
            values = sorted(condition.values)
            stems = [f"_{constant_stem(attribute)}_IN_{constant_stem('_'.join(values))}", f"_{attribute.upper()}_SET"]
            constant = self._set(stems, values, f"{fact.path} in {', '.join(values)}")
            disjoint = py.Call(f"{places}.isdisjoint", (py.Name(constant),))
            test = Test(py.Not(disjoint) if want else disjoint, kind)
        return test if guard is None else conjunction([Present(guard, True), test])

    def _values(self, fact: ir.FactRef, values: list[ir.Scalar]) -> py.Expression:
        """A set of literal values: inline when short, else a named constant."""
        literals = [self.scalar(v) for v in values]
        inline = py.Collection("{", tuple(literals), "}")
        if len(values) <= 3 and len(layout.flat(inline)) <= 32:
            return inline
        attribute = constant_stem(fact.path.rpartition(".")[2])
        stems = [f"_{attribute}_IN_{constant_stem('_'.join(str(v) for v in values))}", f"_{attribute}_VALUES"]
        value = py.Call("frozenset", (inline,))
        return py.Name(self.constants.add(stems, value, f"{fact.path} values"))

    def scope(self, kind: str, keys: tuple[str, ...]) -> Condition:
        fact = ir.FactRef(path=kind, kind=kind, nullable=False)  # type: ignore[arg-type]
        return self._compile(ir.Within(fact=fact, values=keys), want=True)

    def bindings(self) -> list[tuple[str, py.Expression]]:
        """The locals that hold the places of region facts: `name = places(fact) if fact is not None else None`."""
        bound: list[tuple[str, py.Expression]] = []
        for access, name in sorted(self.places.items(), key=lambda item: item[1]):
            call = py.Call("places", (py.Name(access), py.Name("WITHIN")))
            present = py.Compare(py.Name(access), "is not", py.Name("None"))
            bound.append((name, py.Conditional(call, present, py.Name("None"))))
        return bound
