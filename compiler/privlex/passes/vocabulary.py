"""Pass 3: vocabulary declarations -> the checked vocabulary (names, parents, cycles)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from .. import ir
from ..codegen.identifiers import identifier_problem
from ..diagnostics import Diagnostic, did_you_mean, duplicate, error
from ..syntax import nodes as n
from .hierarchy import MAX_NESTING, above, below, find_cycle, too_deep

_COUNTRY = re.compile(r"[A-Z]{2}\Z")
_SUBDIVISION = re.compile(r"([A-Z]{2})-[A-Z0-9]{1,3}\Z")
_GROUP = re.compile(r"[A-Z][A-Z0-9]{1,15}\Z")
FACT_GROUPS_RESERVED = {"region", "data", "purpose", "date"}


def _check_path(name: n.Name, what: str, diagnostics: list[Diagnostic]) -> bool:
    for part in name.text.split("."):
        problem = identifier_problem(part)
        if problem:
            diagnostics.append(error("E205", f"{what} {name.text!r} cannot be used: {problem}", name.span))
            return False
    return True


def _keys(
    decls: Iterable[n.KeyDecl], kind: str, diagnostics: list[Diagnostic]
) -> tuple[tuple[ir.Key, ...], dict[str, tuple[str, ...]]]:
    seen: dict[str, n.KeyDecl] = {}
    for decl in decls:
        if not _check_path(decl.key, f"the {kind} key", diagnostics):
            continue
        if decl.key.text in seen:
            diagnostics.append(duplicate(f"{kind} key {decl.key.text}", seen[decl.key.text].span, decl.key.span))
            continue
        seen[decl.key.text] = decl
    graph: dict[str, list[str]] = {}
    keys: list[ir.Key] = []
    for key, decl in seen.items():
        parents: list[str] = []
        if "." in key:
            parent = key.rsplit(".", 1)[0]
            if parent not in seen:
                diagnostics.append(
                    error(
                        "E203",
                        f"{kind} key {key} is declared, but its parent {parent} is not",
                        decl.key.span,
                        help=f'declare `{kind} {parent} "..."` first',
                    )
                )
            else:
                parents.append(parent)
        for extra in decl.also_in:
            if extra.text not in seen:
                diagnostics.append(
                    error("E201", f"unknown {kind} key {extra.text}", extra.span, help=did_you_mean(extra.text, seen))
                )
            elif extra.text not in parents:
                parents.append(extra.text)
        graph[key] = parents
        keys.append(ir.Key(key=key, title=decl.title, abstract=decl.abstract, parents=tuple(parents), notes=decl.notes))
    cycle = find_cycle(graph)
    if cycle:
        span = seen[cycle[0]].key.span
        diagnostics.append(
            error(
                "E204",
                f"the {kind} keys form a cycle: {' -> '.join(cycle)}",
                span,
                help="a key cannot lie inside itself; remove one of the `in` links",
            )
        )
        graph = {
            key: [p for p in parents if "." in key and p == key.rsplit(".", 1)[0]] for key, parents in graph.items()
        }
    deepest = too_deep(graph)
    if deepest:
        diagnostics.append(
            error(
                "E103",
                f"the {kind} key {deepest} lies more than {MAX_NESTING} levels below the top of its hierarchy",
                seen[deepest].key.span,
                help="keys nest at most 32 levels deep: flatten the hierarchy",
            )
        )
    return tuple(sorted(keys, key=lambda k: k.key)), below(graph)


def _facts(decls: Iterable[n.FactDecl], bases: set[str], diagnostics: list[Diagnostic]) -> tuple[ir.Fact, ...]:
    seen: dict[str, n.FactDecl] = {}
    for decl in decls:
        path = decl.path.text
        if not _check_path(decl.path, "the fact", diagnostics):
            continue
        if path in ir.BUILTIN_FACTS:
            diagnostics.append(error("E202", f"{path} is a built-in fact and cannot be declared", decl.path.span))
            continue
        if path.count(".") > 1:
            diagnostics.append(
                error(
                    "E205",
                    f"fact {path} has more than two parts",
                    decl.path.span,
                    help="a fact is a name (legal_basis) or a group and a name (consent.given)",
                )
            )
            continue
        if path in seen:
            diagnostics.append(duplicate(f"fact {path}", seen[path].span, decl.path.span))
            continue
        seen[path] = decl
    groups: dict[str, n.FactDecl] = {}
    for path, decl in seen.items():
        if "." in path:
            groups.setdefault(path.split(".")[0], decl)
    facts: list[ir.Fact] = []
    for path, decl in seen.items():
        if "." not in path and path in groups:
            diagnostics.append(
                error(
                    "E202",
                    f"{path} is both a fact and a group of facts (fact {groups[path].path.text} at "
                    f"{groups[path].span.location})",
                    decl.path.span,
                )
            )
            continue
        if "." in path and path.split(".")[0] in FACT_GROUPS_RESERVED:
            diagnostics.append(
                error("E205", f"{path.split('.')[0]} is a built-in fact and cannot hold other facts", decl.path.span)
            )
            continue
        kind = decl.type.kind
        choices = tuple(choice.text for choice in decl.type.choices)
        default = decl.type.default.text if decl.type.default else None
        for choice in decl.type.choices:
            problem = identifier_problem(choice.text.replace(".", "_"))
            if problem:
                diagnostics.append(error("E205", f"{choice.text!r} cannot be a value: {problem}", choice.span))
        if len(set(choices)) != len(choices):
            diagnostics.append(error("E202", f"fact {path} lists a value twice", decl.type.span))
        if default is not None and default not in choices and decl.type.default:
            diagnostics.append(
                error(
                    "E201",
                    f"the default {default} is not one of the values of {path}",
                    decl.type.default.span,
                    help=did_you_mean(default, choices),
                )
            )
        if kind == "integer" and (decl.type.minimum or 0) > (decl.type.maximum or 0):
            diagnostics.append(
                error(
                    "E304",
                    f"fact {path} has a range from {decl.type.minimum} to {decl.type.maximum}, which is empty",
                    decl.type.span,
                )
            )
        if kind == "basis" and not bases:
            diagnostics.append(error("E207", f"fact {path} is of type basis, but no basis is declared", decl.span))
        for target in (*decl.type.implies, *decl.type.excludes):
            other = seen.get(target.text)
            if other is None:
                diagnostics.append(
                    error("E201", f"unknown fact {target.text}", target.span, help=did_you_mean(target.text, seen))
                )
            elif other.type.kind != "boolean":
                diagnostics.append(
                    error(
                        "E301", f"{target.text} is not a boolean fact, so it cannot be implied or excluded", target.span
                    )
                )
        facts.append(
            ir.Fact(
                path=path,
                title=decl.title,
                kind=kind,
                minimum=decl.type.minimum,
                maximum=decl.type.maximum,
                choices=choices if kind == "enum" else tuple(sorted(bases)) if kind == "basis" else (),
                default=default,
                implies=tuple(t.text for t in decl.type.implies),
                excludes=tuple(t.text for t in decl.type.excludes),
                notes=decl.notes,
            )
        )
    return _close_implications(sorted(facts, key=lambda f: f.path), seen, diagnostics)


def _close_implications(
    facts: list[ir.Fact], decls: Mapping[str, n.FactDecl], diagnostics: list[Diagnostic]
) -> tuple[ir.Fact, ...]:
    """Each fact's implications made transitive: `a implies b` and `b implies c` give `a implies c`.

    The generated `DataUse` applies the closure, so that what is implied is
    implied to a fixed point; a cycle of implications is an error.
    """
    known = {fact.path for fact in facts}
    graph = {fact.path: [t for t in fact.implies if t in known] for fact in facts}
    cycle = find_cycle(graph)
    if cycle:
        first = decls[cycle[0]]
        target = next((t for t in first.type.implies if t.text == cycle[1]), first.path)
        diagnostics.append(
            error(
                "E204",
                f"the implications form a cycle: {' implies '.join(cycle)}",
                target.span,
                help="a fact cannot imply itself, directly or through other facts; remove one `implies`",
            )
        )
        return tuple(facts)
    closed: list[ir.Fact] = []
    for fact in facts:
        reached = list(fact.implies)
        pending = list(fact.implies)
        while pending:
            for further in graph.get(pending.pop(0), ()):
                if further not in reached and further != fact.path:
                    reached.append(further)
                    pending.append(further)
        derived = sorted(reached[len(fact.implies) :])
        closed.append(fact.model_copy(update={"implies": (*fact.implies, *derived)}) if derived else fact)
    return tuple(closed)


def _regions(
    decls: Iterable[n.RegionDecl], diagnostics: list[Diagnostic]
) -> tuple[tuple[ir.Region, ...], dict[str, tuple[str, ...]]]:
    seen: dict[str, n.RegionDecl] = {}
    for decl in decls:
        code = decl.code.text
        pattern = {"country": _COUNTRY, "subdivision": _SUBDIVISION, "group": _GROUP}[decl.kind]
        if not pattern.match(code):
            shapes = {
                "country": "two letters (ISO 3166-1)",
                "subdivision": "CC-XXX (ISO 3166-2)",
                "group": "2 to 16 capital letters or digits",
            }
            diagnostics.append(
                error("E205", f"{code} is not a valid {decl.kind} code: write {shapes[decl.kind]}", decl.code.span)
            )
            continue
        if code in seen:
            diagnostics.append(duplicate(f"region {code}", seen[code].span, decl.code.span))
            continue
        seen[code] = decl
    parents: dict[str, list[str]] = {code: [] for code in seen}
    for code, decl in seen.items():
        if decl.kind == "subdivision":
            country = code.split("-")[0]
            if seen.get(country) is None or seen[country].kind != "country":
                diagnostics.append(
                    error("E203", f"subdivision {code} is declared, but its country {country} is not", decl.code.span)
                )
            else:
                parents[code].append(country)
        for member in decl.members:
            if member.text not in seen:
                diagnostics.append(
                    error(
                        "E201",
                        f"unknown region {member.text} in group {code}",
                        member.span,
                        help=did_you_mean(member.text, seen),
                    )
                )
            elif code not in parents[member.text]:
                parents[member.text].append(code)
    cycle = find_cycle(parents)
    if cycle:
        diagnostics.append(
            error(
                "E204",
                f"the region groups form a cycle: {' -> '.join(cycle)}",
                seen[cycle[0]].code.span,
                help="a group cannot contain itself, directly or through other groups",
            )
        )
        parents = {code: [p for p in ps if seen[code].kind == "subdivision"] for code, ps in parents.items()}
    deepest = too_deep(parents)
    if deepest:
        diagnostics.append(
            error(
                "E103",
                f"region {deepest} lies in groups nested more than {MAX_NESTING} levels deep",
                seen[deepest].code.span,
                help="region groups nest at most 32 levels deep: list the members of a deep group directly",
            )
        )
        parents = {code: [p for p in ps if seen[code].kind == "subdivision"] for code, ps in parents.items()}
    within = {code: above(code, parents) for code, decl in seen.items() if decl.kind != "group"}
    regions = tuple(
        ir.Region(
            code=code, title=decl.title, kind=decl.kind, members=tuple(m.text for m in decl.members), notes=decl.notes
        )
        for code, decl in sorted(seen.items())
    )
    return regions, within


def resolve_vocabulary(files: Sequence[n.File]) -> tuple[ir.Vocabulary, list[Diagnostic]]:
    """Check and assemble every vocabulary declaration of a compilation unit."""
    diagnostics: list[Diagnostic] = []
    declarations = [d for file in files for d in file.declarations]
    key_decls = [d for d in declarations if isinstance(d, n.KeyDecl)]
    data, data_below = _keys((d for d in key_decls if d.kind == "data"), "data", diagnostics)
    purposes, purposes_below = _keys((d for d in key_decls if d.kind == "purpose"), "purpose", diagnostics)
    bases: dict[str, n.BasisDecl] = {}
    for decl in (d for d in declarations if isinstance(d, n.BasisDecl)):
        if not _check_path(decl.name, "the basis", diagnostics):
            continue
        if decl.name.text in bases:
            diagnostics.append(duplicate(f"basis {decl.name.text}", bases[decl.name.text].span, decl.name.span))
            continue
        bases[decl.name.text] = decl
    facts = _facts((d for d in declarations if isinstance(d, n.FactDecl)), set(bases), diagnostics)
    regions, within = _regions((d for d in declarations if isinstance(d, n.RegionDecl)), diagnostics)
    vocabulary = ir.Vocabulary(
        data=data,
        purposes=purposes,
        bases=tuple(sorted((name, decl.title) for name, decl in bases.items())),
        facts=facts,
        regions=regions,
        data_below=data_below,
        purposes_below=purposes_below,
        within=within,
    )
    return vocabulary, diagnostics
