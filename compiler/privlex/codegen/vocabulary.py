"""The `_vocabulary` module of a generated package: keys, regions and the `DataUse` model."""

from __future__ import annotations

import jinja2

from .. import ir
from .pyexpr import frozenset_literal, sort_imports


def _field(fact: ir.Fact, vocabulary_names: dict[str, str]) -> tuple[dict[str, str], dict[str, str] | None]:
    path = fact.path
    doc = fact.title if fact.title.endswith(".") else fact.title + "."
    validator: dict[str, str] | None = None
    name = fact.attribute
    if fact.kind == "boolean":
        return {"name": name, "annotation": "bool", "default": " = False", "doc": doc}, None
    if fact.kind == "integer":
        default = f" = Field(default=None, ge={fact.minimum}, le={fact.maximum})"
        return {"name": name, "annotation": "int | None", "default": default, "doc": doc}, None
    if fact.kind == "date":
        validator = {"field": name, "call": f"iso_date(value, {path!r})"}
        return {"name": name, "annotation": "datetime.date | None", "default": " = None", "doc": doc}, validator
    if fact.kind == "region":
        validator = {"field": name, "call": f"region_code(value, VOCABULARY, {path!r})"}
        return {"name": name, "annotation": "str | None", "default": " = None", "doc": doc}, validator
    choices = vocabulary_names["bases"] if fact.kind == "basis" else frozenset_literal(fact.choices, 8)
    validator = {"field": name, "call": f"choice(value, {choices}, {path!r})"}
    if fact.default is not None:
        return {"name": name, "annotation": "str", "default": f" = {fact.default!r}", "doc": doc}, validator
    return {"name": name, "annotation": "str | None", "default": " = None", "doc": doc}, validator


def _group_class(group: str) -> str:
    return "".join(part.capitalize() for part in group.split("_")) + "Facts"


def render_vocabulary(program: ir.Program, environment: jinja2.Environment, header: str) -> str:
    vocabulary = program.vocabulary
    names = {"bases": "VOCABULARY.bases"}
    groups: dict[str, list[ir.Fact]] = {}
    top: list[ir.Fact] = []
    for fact in vocabulary.facts:
        if fact.group:
            groups.setdefault(fact.group, []).append(fact)
        else:
            top.append(fact)
    models = []
    for group, facts in sorted(groups.items()):
        fields, validators = [], []
        for fact in facts:
            field_, validator = _field(fact, names)
            fields.append(field_)
            if validator:
                validators.append(validator)
        models.append(
            {
                "name": _group_class(group),
                "base": "UseGroup",
                "doc": f"The facts under `{group}.`.",
                "class_vars": [],
                "fields": fields,
                "validators": validators,
            }
        )
    builtin_fields = [
        {
            "name": "region",
            "annotation": "str",
            "default": "",
            "doc": "Where the data subject is (country or subdivision).",
        },
        {"name": "data", "annotation": "str", "default": "", "doc": "The data category key."},
        {"name": "purpose", "annotation": "str", "default": "", "doc": "The purpose key."},
        {
            "name": "date",
            "annotation": "datetime.date | None",
            "default": " = None",
            "doc": "The date of the use; absent means today (UTC).",
        },
    ]
    validators = [
        {"field": "region", "call": "region_code(value, VOCABULARY, 'region')"},
        {"field": "data", "call": "vocabulary_key(value, VOCABULARY, 'data')"},
        {"field": "purpose", "call": "vocabulary_key(value, VOCABULARY, 'purpose')"},
        {"field": "date", "call": "iso_date(value, 'date')"},
    ]
    fields = list(builtin_fields)
    for fact in top:
        field_, validator = _field(fact, names)
        fields.append(field_)
        if validator:
            validators.append(validator)
    for group in sorted(groups):
        cls = _group_class(group)
        fields.append({"name": group, "annotation": cls, "default": f" = {cls}()", "doc": f"Facts under `{group}.`."})
    implies = [(f.path, target) for f in vocabulary.facts for target in f.implies]
    excludes = [(f.path, target) for f in vocabulary.facts for target in f.excludes]
    class_vars = [_pairs("IMPLIES", implies), _pairs("EXCLUDES", excludes)]
    models.append(
        {
            "name": "DataUse",
            "base": "UseModel",
            "doc": "One use of personal data, as the rules see it: validated strictly, then immutable.",
            "class_vars": class_vars,
            "fields": fields,
            "validators": validators,
        }
    )
    concrete_data = [k.key for k in vocabulary.data if not k.abstract]
    vocabulary_fields = [
        ("data", frozenset_literal(concrete_data)),
        ("abstract_data", frozenset_literal([k.key for k in vocabulary.data if k.abstract])),
        ("purposes", frozenset_literal([k.key for k in vocabulary.purposes if not k.abstract])),
        ("abstract_purposes", frozenset_literal([k.key for k in vocabulary.purposes if k.abstract])),
        ("bases", frozenset_literal([name for name, _ in vocabulary.bases])),
        ("groups", frozenset_literal([r.code for r in vocabulary.regions if r.kind == "group"])),
    ]
    within = [
        (code, "{" + ", ".join(repr(p) for p in places) + "}") for code, places in sorted(vocabulary.within.items())
    ]
    calls = " ".join(v["call"] for m in models for v in m["validators"])  # type: ignore[attr-defined]
    runtime = {"UseGroup", "UseModel", "Vocabulary"} | {
        name for name in ("choice", "iso_date", "region_code", "vocabulary_key") if f"{name}(" in calls
    }
    defaults = " ".join(f["default"] for m in models for f in m["fields"])  # type: ignore[attr-defined]
    pydantic = {"field_validator"} | ({"Field"} if "Field(" in defaults else set())
    return environment.get_template("vocabulary.py.j2").render(
        runtime_imports=sort_imports(runtime),
        pydantic_imports=sort_imports(pydantic),
        header=header,
        doc="Vocabulary of this compilation unit: keys, regions and the DataUse model.\n",
        within=within,
        vocabulary_fields=vocabulary_fields,
        models=models,
    )


def _pairs(name: str, pairs: list[tuple[str, str]]) -> str:
    head = f"{name}: ClassVar[tuple[tuple[str, str], ...]] = "
    if not pairs:
        return head + "()"
    return head + "(\n" + "".join(f"        ({a!r}, {b!r}),\n" for a, b in pairs) + "    )"
