"""Pass 7: `property` blocks -> properties of the IR, checked later by `privlex verify`.

A property inside a ruleset is about that ruleset's own decision and may
read its parameters; one at the top level is about the decision of every
ruleset combined.
"""

from __future__ import annotations

from collections.abc import Sequence

from .. import ir
from ..diagnostics import Diagnostic, duplicate
from ..syntax import nodes as n
from .definitions import Definitions
from .typecheck import Typer, check_id


def _property(prop: n.Property, ruleset: ir.Ruleset | None, typer: Typer) -> ir.Property | None:
    if not prop.claims:
        typer.report(
            "E207",
            f"property {prop.id.text} promises nothing",
            prop.id.span,
            help="add a line such as `never permit when purpose in ai.training and subject.age < 13`",
        )
        return None
    if len(prop.claims) > 1:
        typer.report(
            "E206",
            f"property {prop.id.text} has more than one `never`/`always` line",
            prop.claims[1].span,
            help="write each promise as a property of its own",
        )
        return None
    claim = prop.claims[0]
    typer.parameters = {p.name: p.kind for p in ruleset.parameters} if ruleset else {}
    # Parameters belong to a ruleset: a property of the whole unit has none to read.
    typer.parameter_help = (
        None
        if ruleset
        else "region parameters belong to a ruleset: write the property inside the ruleset that declares "
        "the parameter (it is then about that ruleset's decision), or compare with a number or date"
    )
    condition = typer.condition(claim.condition)
    if condition is None:
        return None
    return ir.Property(
        id=prop.id.text,
        title=prop.title,
        ruleset=ruleset.id if ruleset else None,
        citations=tuple(text for clause in prop.citations for text in clause.texts),
        claim=claim.quantifier,
        effect=claim.effect,
        condition=condition,
        span=prop.id.span,
        notes=prop.notes,
    )


def build_properties(
    files: Sequence[n.File], rulesets: Sequence[ir.Ruleset], vocabulary: ir.Vocabulary
) -> tuple[list[ir.Property], list[Diagnostic]]:
    diagnostics: list[Diagnostic] = []
    typer = Typer(vocabulary, diagnostics)
    # Properties may use definitions; the definitions' own mistakes were reported by the rulesets pass.
    definitions = Definitions(files, set(typer.facts), [])
    typer.definitions = definitions
    by_id = {r.id: r for r in rulesets}
    found: list[ir.Property] = []
    seen: dict[tuple[str | None, str], n.Name] = {}
    for file in files:
        owned: list[tuple[n.Ruleset | None, n.Property]] = [
            (None, d) for d in file.declarations if isinstance(d, n.Property)
        ]
        owned += [(r, p) for r in file.declarations if isinstance(r, n.Ruleset) for p in r.properties]
        for block, prop in owned:
            owner = block.id.text if block is not None else None
            if not check_id(prop.id, "property", diagnostics):
                continue
            first = seen.get((owner, prop.id.text))
            if first is not None:
                diagnostics.append(duplicate(f"property {prop.id.text}", first.span, prop.id.span))
                continue
            seen[(owner, prop.id.text)] = prop.id
            ruleset = by_id.get(owner) if owner else None
            if owner and ruleset is None:
                continue  # the ruleset itself failed to build and was reported
            if block is not None:
                definitions.enter(block)
            else:
                definitions.ruleset, definitions.local = None, {}
            built = _property(prop, ruleset, typer)
            if built is not None:
                found.append(built)
    found.sort(key=lambda p: (p.span.file, p.span.line, p.span.column))
    return found, diagnostics
