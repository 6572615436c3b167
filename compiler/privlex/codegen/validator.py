"""The `_validate` module of a generated package: `use_from`, validation of the usual use in plain Python.

pydantic validation costs several microseconds a use, most of a `check` from
a dict. `use_from` checks the usual input inline instead (a plain dict, every
fact of exactly its type and a known value, the implications as straight-line
`if`s in the order `DataUse.IMPLIES` closes them) and builds the `DataUse`
with `privlex.runtime.assembled`. Whatever it does not recognise as plainly
valid (an unknown or missing fact, a wrong type, a region code to normalise,
a contradiction) it hands to `DataUse.from_input`, so every invalid use still
gets the InvalidUse, message and suggestion it always had, and pydantic stays
the definition of valid: tests/test_fast_validation.py holds the two equal.

The locals of the generated functions that are not named after a fact
(`facts_`, `field_`, `item_`, `present_`, `fields_`, `record_`) end with an underscore, which no
name in a rule file may (`identifiers.identifier_problem`): a group or fact
can take any name without clashing with them, so they need no reserving.
"""

from __future__ import annotations

from dataclasses import dataclass

import jinja2

from .. import ir
from ..runtime import implication_closure
from . import layout
from . import pyexpr as py
from .conditions import frozenset_of
from .identifiers import class_name, constant_stem, sort_imports
from .literals import docstring, string
from .printer import LINE_WIDTH
from .vocabulary import USE_RECORD, choice_constants, record_name

# The statement that gives up on the fast path: the full validation decides.
FALL_BACK = "return DataUse.from_input(use)"


@dataclass(frozen=True)
class GroupContext:
    """One group's checking function."""

    signature: str  # `def ...:` as ruff lays it out
    doc: str
    checks: tuple[str, ...]  # the `if`/`elif` chain on `field`, at 8 spaces
    implications: tuple[str, ...]  # the group's own implications and exclusions, at 4 spaces


@dataclass(frozen=True)
class FastValidationContext:
    """What `validate.py.j2` lays out."""

    header: str
    vocabulary_imports: str
    constants: tuple[str, ...]
    groups: tuple[GroupContext, ...]
    shared: tuple[str, ...]  # the SharedGroups of each group
    body: str  # use_from after its key check


def _rejects(fact: ir.Fact, name: str, constants: dict[str, str]) -> py.Expression | None:
    """The test that `name` (already known not None) is not a plainly valid value of `fact`; None for booleans."""
    if fact.kind == "boolean":
        return None
    if fact.kind == "integer":
        bounds = f"{fact.minimum} <= {name} <= {fact.maximum}"
        return py.BoolOp("or", (py.Name(f"type({name}) is not int"), py.Name(f"not {bounds}")))
    if fact.kind == "date":
        return py.Name(f"type({name}) is not datetime.date")
    if fact.kind == "region":
        known = "WITHIN"
    elif fact.kind == "basis":
        known = "VOCABULARY.bases"
    else:
        known = constants[fact.path]
    return py.BoolOp("or", (py.Name(f"type({name}) is not str"), py.Name(f"{name} not in {known}")))


def _fact_check(fact: ir.Fact, name: str, indent: int, constants: dict[str, str]) -> list[str]:
    """Statements that leave a plainly valid `name` of `fact` as it is (a date read from text) or fall back."""
    pad = " " * indent
    lines: list[str] = []
    if fact.kind == "date":
        lines += [f"{pad}if type({name}) is str:", f"{pad}    {name} = date_text({name})"]
    rejects = _rejects(fact, name, constants)
    if rejects is not None:
        lines += layout.statement("if ", rejects, ":", indent)
    return lines


def _group_checks(facts: list[ir.Fact], booleans: str, constants: dict[str, str]) -> tuple[str, ...]:
    """The `if`/`elif` chain on a group's `field_` (at 8 spaces, inside the loop of its function)."""
    lines: list[str] = []
    keyword = "if"
    if any(f.kind == "boolean" for f in facts):
        lines += [f"        if field_ in {booleans}:", "            if type(item_) is not bool:"]
        lines.append("                return None")
        keyword = "elif"
    for fact in facts:
        if fact.kind == "boolean":
            continue
        lines.append(f"        {keyword} field_ == {string(fact.attribute)}:")
        lines += _fact_check(fact, "item_", 12, constants)
        lines.append("                return None")
        keyword = "elif"
    return tuple(lines)


def _signature(function: str) -> str:
    """`def function(value: ...) -> ...:`, on one line when it fits, else as ruff splits it."""
    one = f"def {function}(value: dict[Any, Any]) -> dict[str, Any] | None:"
    if len(one) <= LINE_WIDTH:
        return one
    return f"def {function}(\n    value: dict[Any, Any],\n) -> dict[str, Any] | None:"


def _is(name: str, value: str) -> py.Expression:
    return py.Compare(py.Call("facts_.get", (py.Name(string(name)),)), "is", py.Name(value))


def _read(path: str) -> py.Expression:
    """A fact's value in `use_from` once its group is built (a top-level fact: from `facts_`)."""
    group, _, name = path.rpartition(".")
    return py.Name(f"{group}.record.{name}") if group else py.Call("facts_.get", (py.Name(string(name)),))


class _Implications:
    """Implied facts set and contradictions refused, as `UseModel` does, in the order of its closure.

    Those inside one group are applied in the group's function, before its
    instance is built (and shared); one that crosses groups, or involves a
    fact outside groups, sends a use whose source is true to the full
    validation: no shipped vocabulary has one.
    """

    def __init__(self, vocabulary: ir.Vocabulary) -> None:
        implies = tuple((f.path, target) for f in vocabulary.facts for target in f.implies)
        self.implies = implication_closure(implies)
        self.excludes = [(f.path, target) for f in vocabulary.facts for target in f.excludes]

    def inside(self, group: str) -> tuple[str, ...]:
        lines: list[str] = []
        for source, target in self.implies:
            if source.partition(".")[0] == target.partition(".")[0] == group:
                name = target.partition(".")[2]
                lines += [f"    # {source} implies {target}"]
                lines += layout.statement("if ", _is(source.partition(".")[2], "True"), ":", 4)
                lines += [*layout.statement("if ", _is(name, "False"), ":", 8), "            return None"]
                setting = py.Call("facts_.setdefault", (py.Name(string(name)), py.Name("True")))
                lines += layout.statement("", setting, "", 8)
        for first, second in self.excludes:
            if first.partition(".")[0] == second.partition(".")[0] == group:
                lines.append(f"    # {first} excludes {second}")
                test = py.BoolOp("and", (_is(first.partition(".")[2], "True"), _is(second.partition(".")[2], "True")))
                lines += [*layout.statement("if ", test, ":", 4), "        return None"]
        return tuple(lines)

    def across(self) -> list[str]:
        lines: list[str] = []
        for source, target in self.implies:
            group = source.partition(".")[0]
            if "." not in source or "." not in target or target.partition(".")[0] != group:
                lines.append(f"    # {source} implies {target}: the full validation applies it")
                test = py.Compare(_read(source), "is", py.Name("True"))
                lines += [*layout.statement("if ", test, ":", 4), f"        {FALL_BACK}"]
        for first, second in self.excludes:
            if "." not in first or "." not in second or first.partition(".")[0] != second.partition(".")[0]:
                lines.append(f"    # {first} excludes {second}")
                both = tuple(py.Compare(_read(path), "is", py.Name("True")) for path in (first, second))
                lines += [*layout.statement("if ", py.BoolOp("and", both), ":", 4), f"        {FALL_BACK}"]
        return lines


def _top_level(facts: list[ir.Fact], constants: dict[str, str]) -> list[str]:
    """Checks of the facts outside groups, into `facts_` (none without such facts)."""
    lines = ["    facts_: dict[str, Any] = {}"] if facts else []
    for fact in facts:
        lines += [f"    item_ = use.get({string(fact.attribute)})", "    if item_ is not None:"]
        if fact.kind == "boolean":
            lines += ["        if type(item_) is not bool:", f"            {FALL_BACK}"]
        else:
            lines += [*_fact_check(fact, "item_", 8, constants), f"            {FALL_BACK}"]
        lines.append(f"        facts_[{string(fact.attribute)}] = item_")
    return lines


def _default(fact: ir.Fact) -> str:
    """A top-level fact's value when absent, as the `DataUse` field declares it."""
    if fact.kind == "boolean":
        return "False"
    return string(fact.default) if fact.kind in ("basis", "enum") and fact.default is not None else "None"


def render_validator(program: ir.Program, environment: jinja2.Environment, header: str) -> str:
    vocabulary = program.vocabulary
    groups: dict[str, list[ir.Fact]] = {}
    top: list[ir.Fact] = []
    for fact in vocabulary.facts:
        if fact.group:
            groups.setdefault(fact.group, []).append(fact)
        else:
            top.append(fact)
    choices = choice_constants(vocabulary)
    body = [
        'region = use.get("region")',
        'data = use.get("data")',
        'purpose = use.get("purpose")',
        'date = use.get("date")',
        "if type(region) is not str or region not in WITHIN:",
        f"    {FALL_BACK}",
        "if type(data) is not str or data not in VOCABULARY.data:",
        f"    {FALL_BACK}",
        "if type(purpose) is not str or purpose not in VOCABULARY.purposes:",
        f"    {FALL_BACK}",
        "if type(date) is str:",
        "    date = date_text(date)",
        "    if date is None:",
        f"        {FALL_BACK}",
        "elif date is not None and type(date) is not datetime.date:",
        f"    {FALL_BACK}",
    ]
    lines = [f"    {line}" for line in body] + _top_level(top, choices)
    contexts: list[GroupContext] = []
    constants: list[str] = []
    shared: list[str] = []
    implications = _Implications(vocabulary)
    for group, facts in sorted(groups.items()):
        stem = "_" + constant_stem(group)
        booleans = [f.attribute for f in facts if f.kind == "boolean"]
        if booleans:
            constants.append(_constant(f"{stem}_BOOLEANS", frozenset_of(booleans)))
        function = f"{stem.lower()}_facts"
        doc = f"The facts given under `{group}.`, checked, with their implications; None unless plainly valid."
        doc = docstring(doc, 4)
        checks = _group_checks(facts, f"{stem}_BOOLEANS", choices)
        contexts.append(GroupContext(_signature(function), doc, checks, implications.inside(group)))
        kinds = (py.Name(class_name(group)), py.Name(record_name(group)), py.Name(function))
        shared.append(_constant(stem, py.Call("SharedGroups", kinds)))
        given = py.Call(f"{stem}.given", (py.Call("use.get", (py.Name(string(group)),)),))
        lines += layout.statement(f"{group} = ", given, "", 4)
        lines += [f"    if {group} is None:", f"        {FALL_BACK}"]
    lines += implications.across()
    lines += [
        "    present_ = set(use)",
        "    if None in use.values():",
        "        present_ = {field_ for field_, item_ in use.items() if item_ is not None}",
    ]
    builtin = ("region", "data", "purpose", "date")
    fields: list[py.Expression] = [py.Keyed(py.Name(string(n)), py.Name(n)) for n in builtin]
    fields += [py.Keyed(py.Name(string(f.attribute)), py.Name(_default(f))) for f in top]
    if top:
        fields.append(py.Name("**facts_"))
    fields += [py.Keyed(py.Name(string(group)), py.Name(f"{group}.model")) for group in sorted(groups)]
    lines += layout.statement("fields_ = ", py.Collection("{", tuple(fields), "}", True), "", 4)
    # The use's record: its fields, with the regions of `region` and each group's record. Its
    # slots are filled here: `UseRecord(...)` runs `__init__` from C, which costs as much again.
    slots = [(n, n) for n in builtin]
    slots += [(f.attribute, f"fields_[{string(f.attribute)}]") for f in top]
    slots += [("here", "WITHIN[region]"), *((group, f"{group}.record") for group in sorted(groups))]
    lines.append(f"    record_ = {USE_RECORD}.__new__({USE_RECORD})")
    lines += [f"    record_.{slot} = {value}" for slot, value in slots]
    result = py.Call("assembled", (py.Name("DataUse"), py.Name("fields_"), py.Name("present_"), py.Name("record_")))
    lines += layout.statement("return ", result, "", 4)
    known = ["region", "data", "purpose", "date", *(f.attribute for f in top), *sorted(groups)]
    constants.insert(0, _constant("_USE_FACTS", frozenset_of(known)))
    models = {class_name(g) for g in groups} | {record_name(g) for g in groups}
    imports = sort_imports({"VOCABULARY", "WITHIN", "DataUse", USE_RECORD, *choices.values(), *models})
    context = FastValidationContext(
        header=header,
        vocabulary_imports=_imports(imports),
        constants=tuple(constants),
        groups=tuple(contexts),
        shared=tuple(shared),
        body="\n".join(lines),
    )
    return environment.get_template("validate.py.j2").render(module=context)


def _imports(names: tuple[str, ...]) -> str:
    """What `from ._vocabulary import ` is followed by, as ruff lays it out."""
    one = ", ".join(names)
    if len("from ._vocabulary import ") + len(one) <= LINE_WIDTH:
        return one
    return "(\n" + "".join(f"    {name},\n" for name in names) + ")"


def _constant(name: str, value: py.Expression) -> str:
    return "\n".join(layout.statement(f"{name} = ", value, "", 0))
