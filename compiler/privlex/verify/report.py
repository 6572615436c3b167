"""A diff in each output format: text, JSON, Markdown (a pull-request comment), GitHub annotations."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from .. import ir
from ..diagnostics.formats import github_command
from ..source import Span
from .describe import describe_cube, window
from .diff import Change, Diff, changed_nodes

FORMATS = ("text", "json", "markdown", "github")
# A path as compiled (relative to the version's project) -> as the reader names it.
Move = Callable[[str], str]


def _lines(diff: Diff, change: Change) -> list[str]:
    cubes = sorted(describe_cube(diff.space, diff.new.vocabulary, cube) for cube in change.cubes)
    if change.more:
        cubes.append("(and other uses: raise --regions to list them)")
    return cubes


def _summary(diff: Diff) -> str:
    if diff.unchanged:
        # Under --outcomes-only, reasons may have changed: only the outcomes were compared.
        return "no outcome changed" if diff.outcomes_only else "no decision changed"
    outcome = sum(1 for c in diff.changes if c.outcome_changed)
    reasons = len(diff.changes) - outcome
    parts = []
    if outcome:
        parts.append(f"{outcome} change{'s' * (outcome != 1)} of outcome")
    if reasons:
        parts.append(f"{reasons} change{'s' * (reasons != 1)} of reasons only")
    if diff.obligations:
        parts.append(f"{len(diff.obligations)} change{'s' * (len(diff.obligations) != 1)} of obligations")
    return ", ".join(parts) + (" (list cut short: raise --limit)" if diff.truncated else "")


def _vocabulary_lines(diff: Diff) -> list[str]:
    lines = []
    for item in diff.vocabulary:
        words = []
        if item.added:
            words.append("added " + ", ".join(item.added))
        if item.removed:
            words.append("removed " + ", ".join(item.removed))
        lines.append(f"{item.what}: {'; '.join(words)}")
    return lines


def _obligation_lines(diff: Diff) -> list[str]:
    lines = []
    for node, before, after in diff.obligations:
        lines.append(f"{node}: obligations {', '.join(before) or 'none'} → {', '.join(after) or 'none'}")
    return lines


def _parameter_lines(diff: Diff) -> list[str]:
    return [f"{name}: changed for {', '.join(regions)}" for name, regions in diff.parameters]


def as_text(diff: Diff, old: str, new: str) -> str:
    out = [f"privlex diff {old} → {new}: {_summary(diff)} ({diff.seconds:.1f} s)"]
    for change in diff.changes:
        for line in _lines(diff, change):
            out.append(f"{line}: {change.describe()}")
    if diff.parameters:
        out += ["", "Region parameters:", *(f"  {line}" for line in _parameter_lines(diff))]
    if diff.obligations:
        out += ["", "Obligations of permitting rules:", *(f"  {line}" for line in _obligation_lines(diff))]
    if diff.vocabulary:
        out += [
            "",
            "Vocabulary (uses only one version accepts are not compared):",
            *(f"  {line}" for line in _vocabulary_lines(diff)),
        ]
    return "\n".join(out) + "\n"


def _verdict(outcome: str, reasons: tuple[str, ...]) -> dict[str, Any]:
    return {"outcome": outcome, "reasons": list(reasons)}


def as_json(diff: Diff, old: str, new: str) -> str:
    changes = []
    for change in diff.changes:
        changes.append(
            {
                "kind": "outcome" if change.outcome_changed else "reasons",
                "summary": change.describe(),
                "old": _verdict(change.old.outcome, change.old.reasons),
                "new": _verdict(change.new.outcome, change.new.reasons),
                "regions": [
                    {
                        "text": describe_cube(diff.space, diff.new.vocabulary, cube),
                        "conditions": [literal.to_json() for literal in cube.literals],
                    }
                    for cube in change.cubes
                ],
                "more": change.more,
            }
        )
    document = {
        "old": old,
        "new": new,
        "unchanged": diff.unchanged,
        "summary": _summary(diff),
        "changes": changes,
        "obligations": [{"node": n, "old": list(b), "new": list(a)} for n, b, a in diff.obligations],
        "parameters": [{"parameter": n, "regions": list(r)} for n, r in diff.parameters],
        "vocabulary": [{"what": v.what, "added": list(v.added), "removed": list(v.removed)} for v in diff.vocabulary],
        "truncated": diff.truncated,
        "dates": window(),
        "seconds": round(diff.seconds, 3),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


_MARKDOWN = re.compile(r"[\\`*<\[\]|]")


def _cell(text: str) -> str:
    """`text` as literal Markdown on one line: `content.*, account.*` would otherwise turn into
    italics (the stars pair up), `|` end a table cell, `<` open HTML."""
    return _MARKDOWN.sub(lambda found: "\\" + found.group(), text).replace("\n", " ")


def _code(text: str) -> str:
    """`text` as one Markdown code span: a backtick or a line break in a label (a folder's name)
    cannot end it and turn the rest of the comment into Markdown."""
    text = " ".join(text.splitlines())
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def as_markdown(diff: Diff, old: str, new: str) -> str:
    out = [f"### privlex diff {_code(old)} → {_code(new)}", "", f"**{_summary(diff)}**"]
    if diff.changes:
        out += ["", "| uses | before | after |", "|---|---|---|"]
        for change in diff.changes:
            if change.outcome_changed:
                before, after = change.old.describe(), change.new.describe()
            else:
                before, after = change.old.outcome, change.describe()
            for line in _lines(diff, change):
                out.append(f"| {_cell(line)} | {_cell(before)} | {_cell(after)} |")
    if diff.parameters:
        out += ["", "Region parameters:", *(f"- {_cell(line)}" for line in _parameter_lines(diff))]
    if diff.obligations:
        out += ["", "Obligations:", *(f"- {_cell(line)}" for line in _obligation_lines(diff))]
    if diff.vocabulary:
        out += ["", "Vocabulary (not compared):", *(f"- {_cell(line)}" for line in _vocabulary_lines(diff))]
    out += ["", f"<sub>Every use dated {window()} was considered.</sub>"]
    return "\n".join(out) + "\n"


def _node_spans(program: ir.Program, move: Move) -> dict[str, Span]:
    return {
        f"{r.id}.{node.id}": node.span.model_copy(update={"file": move(node.span.file)})
        for r in program.rulesets
        for node, _ in r.walk()
    }


def as_github(diff: Diff, old: str, new: str, moves: tuple[Move, Move] = (str, str)) -> str:
    """One notice per change, on each rule that causes it (in the new version, else the old).

    `moves`: each version's paths as compiled -> as the workflow names them (from the current folder).
    """
    spans_new, spans_old = _node_spans(diff.new, moves[1]), _node_spans(diff.old, moves[0])
    title = f"privlex diff {old} → {new}"
    out: list[str] = []
    for change in diff.changes:
        message = "; ".join(f"{line}: {change.describe()}" for line in _lines(diff, change))
        for node in changed_nodes(change):
            span = spans_new.get(node) or spans_old.get(node)
            if span is not None:
                out.append(github_command("notice", span, title, message, columns=False))
    parameters = {
        f"{r.id}.{p.name}": p.span.model_copy(update={"file": moves[1](p.span.file)})
        for r in diff.new.rulesets
        for p in r.parameters
    }
    summary = "; ".join(f"{line}: {change.describe()}" for change in diff.changes for line in _lines(diff, change))
    for name, regions in diff.parameters:
        message = f"{name} changed for {', '.join(regions)}" + (f": {summary}" if summary else "")
        out.append(github_command("notice", parameters[name], title, message, columns=False))
    if diff.unchanged:
        out.append(github_command("notice", None, "privlex diff", f"{old} → {new}: {_summary(diff)}"))
    return "".join(out) or "\n"


def render(diff: Diff, output_format: str, old: str, new: str, moves: tuple[Move, Move] = (str, str)) -> str:
    if output_format == "github":
        return as_github(diff, old, new, moves)
    return {"text": as_text, "json": as_json, "markdown": as_markdown}[output_format](diff, old, new)
