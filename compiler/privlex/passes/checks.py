"""Pass 5: semantic checks on typed rulesets: what is well-typed but cannot be right."""

from __future__ import annotations

from collections.abc import Mapping

from .. import ir
from ..diagnostics import Diagnostic, error, warning
from .constraints import Analyser, Requirement, impossible_facts, merge


def _law(ruleset: ir.Ruleset) -> str:
    return ruleset.law or ruleset.title


def _contradicted(
    parents: tuple[ir.Node, ...],
    own: Mapping[str, Requirement],
    chains: Mapping[str, Mapping[str, Requirement]],
    facts: set[str],
) -> ir.Node:
    """The outermost enclosing node whose conditions alone contradict a node's own on `facts`."""
    for ancestor in parents:
        if facts & set(impossible_facts(merge(chains[ancestor.id], own))):
            return ancestor
    return parents[-1]


def _check_node(
    ruleset: ir.Ruleset,
    node: ir.Node,
    parents: tuple[ir.Node, ...],
    analyser: Analyser,
    chains: dict[str, dict[str, Requirement]],
) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    what = node.kind if node.kind != "default" else "the default decision"
    named = f"{what} {node.id}" if node.kind != "default" else "the default decision (`otherwise`)"
    undeclared_default = node.kind == "default" and node.span == ruleset.span  # reported as E207
    if not node.citations and not undeclared_default:
        found.append(
            error(
                "E401",
                f"{named} of {ruleset.id} cites no article of {_law(ruleset)}",
                node.span,
                help='add a line such as `cites "GDPR Art. 6(1)(a)"`: every decision must name the law behind it',
            )
        )
    if node.effect == "deny":
        for obligation in node.obligations:
            found.append(
                error(
                    "E404",
                    f"obligation {obligation.id} is on {named}, which denies: a denial carries no duties",
                    obligation.span,
                    help="move the obligation to the rule or exception that permits",
                )
            )
    if node.start and node.end and node.start > node.end:
        found.append(error("E407", f"{named} starts on {node.start} but ends earlier, on {node.end}", node.span))
    if node.end and ruleset.start and node.end < ruleset.start:
        found.append(
            warning(
                "W402",
                f"{named} ends on {node.end}, before ruleset {ruleset.id} "
                f"takes effect on {ruleset.start}, so it never applies",
                node.span,
            )
        )
    elif node.start and ruleset.end and node.start > ruleset.end:
        found.append(
            warning(
                "W402",
                f"{named} starts on {node.start}, after ruleset {ruleset.id} ends on "
                f"{ruleset.end}, so it never applies",
                node.span,
            )
        )
    own = analyser.requirements(node)
    own_impossible = impossible_facts(own)
    if own_impossible:
        found.append(
            error(
                "E402",
                f"{named} can never match: its own conditions on {', '.join(own_impossible)} contradict each other",
                node.span,
            )
        )
    parent = parents[-1] if parents else None
    chain = merge(chains[parent.id], own) if parent else own
    chains[node.id] = chain
    if parent is None:
        return found
    if node.effect == parent.effect:
        opposite = "deny" if parent.effect == "permit" else "permit"
        found.append(
            warning(
                "W401",
                f"exception {node.id} has the same effect ({node.effect}) as {parent.id}, "
                "so it does not reverse its decision",
                node.span,
                help=f"an exception should {opposite} what its rule would otherwise {parent.effect}",
            )
        )
    disjoint: set[str] = set()
    for scope, name in ((node.data, "data"), (node.purposes, "purpose")):
        above = chains[parent.id].get(name)
        if scope is None or above is None or above.allowed is None:
            continue
        fact = ir.FactRef(path=name, kind=name, nullable=False)  # type: ignore[arg-type]
        plural = "data" if name == "data" else "purposes"
        mine = analyser.expand(fact, scope)
        if not mine & above.allowed:
            disjoint.add(name)
            found.append(
                error(
                    "E402",
                    f"exception {node.id} can never match: its {name} ({', '.join(scope)}) "
                    f"lies outside the {plural} that {parent.id} applies to",
                    node.span,
                    help=f"an exception is only considered when its parent matches, so it can only "
                    f"narrow the {plural} of {parent.id}",
                )
            )
            continue
        wider = [key for key in scope if not analyser.expand(fact, (key,)) <= above.allowed]
        if wider:
            found.append(
                error(
                    "E403",
                    f"exception {node.id} reaches beyond {parent.id}: {name} {', '.join(wider)} "
                    f"is wider than the {plural} that {parent.id} applies to",
                    node.span,
                    help=f"an exception can only narrow its parent's {plural}; list only keys that {parent.id} covers",
                )
            )
    if not own_impossible:
        against = [fact for fact in impossible_facts(chain) if fact not in disjoint]
        if against:
            source = _contradicted(parents, own, chains, set(against))
            found.append(
                error(
                    "E402",
                    f"exception {node.id} can never match: its condition on {', '.join(against)} "
                    f"contradicts the condition of {source.id}",
                    node.span,
                    help=f"an exception is only considered when {source.id} matches, so both conditions "
                    "would have to hold at once",
                )
            )
    return found


def check_rulesets(rulesets: list[ir.Ruleset], vocabulary: ir.Vocabulary) -> list[Diagnostic]:
    diagnostics: list[Diagnostic] = []
    for ruleset in rulesets:
        if ruleset.start and ruleset.end and ruleset.start > ruleset.end:
            diagnostics.append(
                error(
                    "E407",
                    f"ruleset {ruleset.id} starts on {ruleset.start} but ends earlier, on {ruleset.end}",
                    ruleset.span,
                )
            )
        parameters: Mapping[str, ir.Parameter] = {p.name: p for p in ruleset.parameters}
        analyser = Analyser(vocabulary, parameters)
        chains: dict[str, dict[str, Requirement]] = {}
        for node, parents in ruleset.walk():
            diagnostics.extend(_check_node(ruleset, node, parents, analyser, chains))
    return diagnostics
