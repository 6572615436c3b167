"""The `_vocabulary` module of a generated package: keys, regions and the `DataUse` model."""

from __future__ import annotations

from dataclasses import dataclass

import jinja2

from .. import ir
from . import layout
from . import pyexpr as py
from .conditions import frozenset_of
from .identifiers import Names, class_name, constant_stem, sort_imports
from .literals import docstring, scalar, string


@dataclass(frozen=True)
class FieldContext:
    name: str
    annotation: str
    default: str  # " = value", laid out, or "" for a required field
    doc: str


@dataclass(frozen=True)
class ValidatorContext:
    field: str  # the field's name as a literal
    method: str
    call: str  # laid out after `return `


@dataclass(frozen=True)
class RecordContext:
    """A model's record class (privlex.runtime.records): its slots and their annotations."""

    name: str
    doc: str
    slots: str  # `__slots__ = (...)`, laid out at 4 spaces
    annotations: tuple[str, ...]
    init: tuple[str, ...]  # `__init__`, one line each at 4 spaces, for the use's record (built per use)
    build: str  # what the model's `_record` returns, laid out after `return ` at 8 spaces


@dataclass(frozen=True)
class ModelContext:
    name: str
    base: str
    doc: str
    class_vars: tuple[str, ...]
    fields: tuple[FieldContext, ...]
    validators: tuple[ValidatorContext, ...]
    record: RecordContext


@dataclass(frozen=True)
class VocabularyContext:
    """What `vocabulary.py.j2` lays out."""

    header: str
    doc: str
    runtime_imports: tuple[str, ...]
    pydantic_imports: tuple[str, ...]
    within: str
    vocabulary: str
    choices: tuple[str, ...]  # the choices of each enumerated fact, one constant each
    models: tuple[ModelContext, ...]


# Field annotations and defaults, by fact kind: (annotation, default) for facts without their own default.
_TYPES = {
    "boolean": ("bool", "False"),
    "integer": ("int | None", None),
    "date": ("datetime.date | None", "None"),
    "region": ("str | None", "None"),
}


def choice_constants(vocabulary: ir.Vocabulary) -> dict[str, str]:
    """The constant of `_vocabulary` holding each enumerated fact's choices, by fact path.

    The field validators of `_vocabulary` and the checks of `_validate` both
    test membership in it: built once, when the module is imported.
    """
    names = Names({"WITHIN", "VOCABULARY"})
    return {f.path: names.fresh(f"{constant_stem(f.path)}_CHOICES") for f in vocabulary.facts if f.kind == "enum"}


class _Model:
    """Fields and validators of one model, and which helpers they call."""

    def __init__(self, calls: set[str], choices: dict[str, str]) -> None:
        self.fields: list[FieldContext] = []
        self.validators: list[ValidatorContext] = []
        self.calls = calls
        self.choices = choices
        self.slots: list[tuple[str, str]] = []  # the record's (name, annotation)

    def field(self, name: str, annotation: str, default: py.Expression | None, doc: str) -> None:
        self.slots.append((name, annotation))
        text = ""
        if default is not None:
            head = f"    {name}: {annotation} = "
            text = " = " + layout.value(default, 4, len(head) - 4)
        self.fields.append(FieldContext(name, annotation, text, docstring(doc if doc.endswith(".") else doc + ".", 4)))

    def validator(self, name: str, function: str, *arguments: py.Expression) -> None:
        self.calls.add(function)
        call = py.Call(function, (py.Name("value"), *arguments))
        self.validators.append(ValidatorContext(string(name), f"_check_{name}", layout.value(call, 8, len("return "))))

    def fact(self, fact: ir.Fact) -> None:
        path = py.Name(string(fact.path))
        name = fact.attribute
        if fact.kind in _TYPES:
            annotation, default = _TYPES[fact.kind]
            value: py.Expression | None = py.Name(default) if default else None
            if fact.kind == "integer":
                self.calls.add("Field")
                keywords = (
                    ("default", py.Name("None")),
                    ("ge", py.Name(scalar(fact.minimum))),
                    ("le", py.Name(scalar(fact.maximum))),
                )
                value = py.Call("Field", keywords=keywords)
            self.field(name, annotation, value, fact.title)
            if fact.kind == "date":
                self.validator(name, "iso_date", path)
            elif fact.kind == "region":
                self.validator(name, "region_code", py.Name("VOCABULARY"), path)
            return
        choices = py.Name("VOCABULARY.bases" if fact.kind == "basis" else self.choices[fact.path])
        if fact.default is not None:
            self.field(name, "str", py.Name(string(fact.default)), fact.title)
        else:
            self.field(name, "str | None", py.Name("None"), fact.title)
        self.validator(name, "choice", choices, path)

    def context(
        self, name: str, base: str, doc: str, record: RecordContext, class_vars: tuple[str, ...] = ()
    ) -> ModelContext:
        fields, validators = tuple(self.fields), tuple(self.validators)
        return ModelContext(name, base, docstring(doc, 4), class_vars, fields, validators, record)

    def record(self, name: str, model: str, build: py.Expression, init: bool = False) -> RecordContext:
        """The record class of this model, `build` what its `_record` returns; with `init`, an `__init__`."""
        slots = py.Collection("(", tuple(py.Name(string(slot)) for slot, _ in self.slots), ")")
        lines: list[str] = []
        if init:
            lines += [
                "def __init__(",
                "    self,",
                *(f"    {slot}: {kind}," for slot, kind in self.slots),
                ") -> None:",
            ]
            lines += [f"    self.{slot} = {slot}" for slot, _ in self.slots]
        return RecordContext(
            name,
            docstring(f"The facts of one `{model}` as plain attributes, which the checkers read fast.", 4),
            "\n".join(layout.statement("__slots__ = ", slots, "", 4)),
            tuple(f"{slot}: {annotation}" for slot, annotation in self.slots),
            tuple(lines),
            layout.value(build, 8, len("return ")),
        )


def record_name(group: str) -> str:
    """The record class of a group's model: `consent` -> `ConsentRecord`; the use's is `UseRecord`.

    No group is named `use` (a reserved name), so the two cannot meet.
    """
    return class_name(group).removesuffix("Facts") + "Record"


USE_RECORD = "UseRecord"


def _pairs(name: str, pairs: list[tuple[str, str]]) -> str:
    head = f"    {name}: ClassVar[tuple[tuple[str, str], ...]] = "
    rows = tuple(py.Collection("(", (py.Name(string(a)), py.Name(string(b))), ")") for a, b in pairs)
    return head.lstrip() + layout.value(py.Collection("(", rows, ")"), 4, len(head) - 4)


def render_vocabulary(program: ir.Program, environment: jinja2.Environment, header: str) -> str:
    vocabulary = program.vocabulary
    calls: set[str] = set()
    choices = choice_constants(vocabulary)
    groups: dict[str, list[ir.Fact]] = {}
    top: list[ir.Fact] = []
    for fact in vocabulary.facts:
        if fact.group:
            groups.setdefault(fact.group, []).append(fact)
        else:
            top.append(fact)
    models: list[ModelContext] = []
    for group, facts in sorted(groups.items()):
        model = _Model(calls, choices)
        for fact in facts:
            model.fact(fact)
        cls = class_name(group)
        record = model.record(
            record_name(group), cls, py.Call("record_of", (py.Name(record_name(group)), py.Name("self.__dict__")))
        )
        models.append(model.context(cls, "UseGroup", f"The facts under `{group}.`.", record))
    bases = {"UseGroup"} if groups else set()
    use = _Model(calls, choices)
    use.field("region", "str", None, "Where the data subject is (country or subdivision).")
    use.field("data", "str", None, "The data category key.")
    use.field("purpose", "str", None, "The purpose key.")
    use.field("date", "datetime.date | None", py.Name("None"), "The date of the use; absent means today (UTC).")
    vocabulary_name = py.Name("VOCABULARY")
    use.validator("region", "region_code", vocabulary_name, py.Name('"region"'))
    use.validator("data", "vocabulary_key", vocabulary_name, py.Name('"data"'))
    use.validator("purpose", "vocabulary_key", vocabulary_name, py.Name('"purpose"'))
    use.validator("date", "iso_date", py.Name('"date"'))
    for fact in top:
        use.fact(fact)
    use.slots.append(("here", "frozenset[str]"))
    for group in sorted(groups):
        cls = class_name(group)
        use.field(group, cls, py.Call(cls), f"Facts under `{group}.`.")
    # The record holds each group's record in place of the group.
    use.slots = [(name, record_name(name) if name in groups else annotation) for name, annotation in use.slots]
    # Built once per use, so by a plain `__init__` (one call, no loop over the slots).
    here = py.Call("places", (py.Name("self.region"), py.Name("WITHIN")))
    arguments = tuple(
        here if name == "here" else py.Name(f"self.{name}._record" if name in groups else f"self.{name}")
        for name, _ in use.slots
    )
    use_record = use.record(USE_RECORD, "DataUse", py.Call(USE_RECORD, arguments, exploded=True), init=True)
    implies = [(f.path, target) for f in vocabulary.facts for target in f.implies]
    excludes = [(f.path, target) for f in vocabulary.facts for target in f.excludes]
    models.append(
        use.context(
            "DataUse",
            "UseModel",
            "One use of personal data, as the rules see it: validated strictly, then immutable.",
            use_record,
            (_pairs("IMPLIES", implies), _pairs("EXCLUDES", excludes)),
        )
    )
    keys = (
        ("data", [k.key for k in vocabulary.data if not k.abstract]),
        ("abstract_data", [k.key for k in vocabulary.data if k.abstract]),
        ("purposes", [k.key for k in vocabulary.purposes if not k.abstract]),
        ("abstract_purposes", [k.key for k in vocabulary.purposes if k.abstract]),
        ("bases", [name for name, _ in vocabulary.bases]),
        ("groups", [r.code for r in vocabulary.regions if r.kind == "group"]),
    )
    settings = py.Call(
        "Vocabulary",
        keywords=(*((name, frozenset_of(values)) for name, values in keys), ("within", py.Name("WITHIN"))),
        exploded=True,
    )
    within = py.Collection(
        "{",
        tuple(
            py.Keyed(py.Name(string(code)), frozenset_of(places)) for code, places in sorted(vocabulary.within.items())
        ),
        "}",
        exploded=True,
    )
    facts_by_path = {f.path: f for f in vocabulary.facts}
    context = VocabularyContext(
        header=header,
        doc=docstring("Vocabulary of this compilation unit: keys, regions and the DataUse model.", 0),
        runtime_imports=sort_imports(
            {"RecordBase", "UseModel", "Vocabulary", "places", "record_of"} | bases | calls - {"Field"}
        ),
        pydantic_imports=sort_imports({"field_validator"} | (calls & {"Field"})),
        within="WITHIN: dict[str, frozenset[str]] = "
        + layout.value(within, 0, len("WITHIN: dict[str, frozenset[str]] = ")),
        vocabulary="VOCABULARY = " + layout.value(settings, 0, len("VOCABULARY = ")),
        choices=tuple(
            "\n".join(layout.statement(f"{name} = ", frozenset_of(facts_by_path[path].choices), "", 0))
            for path, name in choices.items()
        ),
        models=tuple(models),
    )
    return environment.get_template("vocabulary.py.j2").render(module=context)
