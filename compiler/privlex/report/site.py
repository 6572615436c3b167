"""The report as a static site: pages rendered from report.json's data, written to a folder at once.

Templates (templates/*.html.j2) hold the layout; what each page shows is
decided here. Assets (assets/) are copied beside the pages: the site needs
no server and no network.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from ..source import SourceFile

MARKER = "report.json"
ASSETS = ("report.css", "report.js")
OUTCOME_WORDS = {"permit": "permit", "deny": "deny", "not_applicable": "n/a", "invalid": "invalid"}
OUTCOME_SYMBOLS = {"permit": "✓", "deny": "✗", "not_applicable": "–", "invalid": "!"}


class SiteError(Exception):
    """The site cannot be written where asked."""


def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("privlex.report", "templates"),
        autoescape=select_autoescape(["j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["outcome_word"] = lambda o: OUTCOME_WORDS.get(o, o)
    environment.filters["outcome_symbol"] = lambda o: OUTCOME_SYMBOLS.get(o, "")
    return environment


def page_name(kind: str, name: str = "") -> str:
    return {"matrix": f"matrix-{name}.html", "ruleset": f"ruleset-{name}.html", "explain": f"explain/{name}.html"}.get(
        kind, f"{kind}.html"
    )


def source_href(location: str, sources: set[str]) -> str | None:
    """`file:line` -> the source page and line anchor, when the file is part of the site."""
    file, _, line = location.rpartition(":")
    if file not in sources:
        return None
    return f"source/{file}.html#L{line}"


def _columns(categories: list[str]) -> list[dict[str, Any]]:
    """Column groups by the first part of the key, each with its columns' labels."""
    groups: list[dict[str, Any]] = []
    for key in categories:
        head, _, rest = key.partition(".")
        if not groups or groups[-1]["name"] != head:
            groups.append({"name": head, "columns": []})
        groups[-1]["columns"].append({"key": key, "label": rest or head})
    return groups


def _coverage_label(coverage: list[str]) -> str:
    return "Covered by " + " and ".join(coverage) if coverage else "Covered by no ruleset"


def _matrix_view(report: dict[str, Any], matrix: dict[str, Any]) -> dict[str, Any]:
    classes = {c["id"]: c for c in report["region_classes"]}
    scenarios = {s["id"]: s for s in report["scenarios"]}
    tables = []
    for table in matrix["tables"]:
        groups: list[dict[str, Any]] = []
        for row in table["rows"]:
            region_class = classes[row["class"]]
            label = _coverage_label(region_class["coverage"])
            if not groups or groups[-1]["label"] != label:
                groups.append({"label": label, "coverage": " ".join(region_class["coverage"]), "rows": []})
            cells = []
            for key in report["categories"]:
                outcome, _, rest = row["cells"][key].partition(" ")
                outcome = outcome.rstrip(":")
                cells.append(
                    {
                        "category": key,
                        "outcome": outcome,
                        "symbol": OUTCOME_SYMBOLS.get(outcome, ""),
                        "word": OUTCOME_WORDS.get(outcome, outcome),
                        "href": page_name("explain", rest) if outcome != "invalid" else None,
                        "problem": rest if outcome == "invalid" else None,
                    }
                )
            regions = region_class["regions"]
            groups[-1]["rows"].append(
                {
                    "id": region_class["id"],
                    "regions": regions,
                    "codes": ", ".join(r["code"] for r in regions),
                    "search": " ".join(f"{r['code']} {r['title']}" for r in regions).lower(),
                    "cells": cells,
                }
            )
        tables.append({"scenario": scenarios[table["scenario"]], "groups": groups})
    return {"purpose": matrix["purpose"], "tables": tables, "columns": _columns(report["categories"])}


def _search_items(report: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []

    def add(ruleset: dict[str, Any], node: dict[str, Any]) -> None:
        items.append(
            {
                "ruleset": ruleset["id"],
                "id": node["id"],
                "kind": node["kind"],
                "effect": node["effect"],
                "title": node["title"],
                "citations": node["citations"],
                "href": f"{page_name('ruleset', ruleset['id'])}#{node['anchor']}",
            }
        )
        for inner in node["exceptions"]:
            add(ruleset, inner)

    for ruleset in report["rulesets"]:
        for node in [*ruleset["exclusions"], *ruleset["rules"], ruleset["default"]]:
            add(ruleset, node)
        for parameter in ruleset["parameters"]:
            items.append(
                {
                    "ruleset": ruleset["id"],
                    "id": parameter["name"],
                    "kind": "parameter",
                    "effect": None,
                    "title": parameter["title"],
                    "citations": parameter["citations"],
                    "href": f"{page_name('ruleset', ruleset['id'])}#{ruleset['id']}--parameter-{parameter['name']}",
                }
            )
    for item in items:
        words = [item["ruleset"], item["id"], item["kind"], item["title"], *item["citations"]]
        item["search"] = " ".join(" ".join(words).lower().split())
    return items


def _source_view(source: SourceFile) -> dict[str, Any]:
    return {"path": source.path, "lines": source.text.split("\n")}


def render_site(report: dict[str, Any], sources: Mapping[str, SourceFile] | None = None) -> dict[str, str]:
    """Every file of the site, by its path relative to the site's folder."""
    environment = _environment()
    shown_sources = set(sources or {})
    common = {
        "report": report,
        "page_name": page_name,
        "source_href": lambda location: source_href(location, shown_sources),
        "rulesets": {r["id"]: r for r in report["rulesets"]},
    }

    def page(template: str, path: str, **context: Any) -> None:
        root = "../" * path.count("/")
        files[path] = environment.get_template(template).render(**common, root=root, path=path, **context)

    files: dict[str, str] = {}
    page("index.html.j2", "index.html")
    for matrix in report["matrices"]:
        page("matrix.html.j2", page_name("matrix", matrix["purpose"]), view=_matrix_view(report, matrix))
    for ruleset in report["rulesets"]:
        page("ruleset.html.j2", page_name("ruleset", ruleset["id"]), ruleset=ruleset)
    page("vocabulary.html.j2", "vocabulary.html")
    page("search.html.j2", "search.html", items=_search_items(report))
    scenarios = {s["id"]: s for s in report["scenarios"]}
    for explanation in report["explanations"]:
        page(
            "explanation.html.j2",
            page_name("explain", explanation["id"]),
            explanation=explanation,
            scenario=scenarios[explanation["scenario"]],
        )
    for path, source in sorted((sources or {}).items()):
        page("source.html.j2", f"source/{path}.html", source=_source_view(source))
    for asset in ASSETS:
        files[f"assets/{asset}"] = resources.files("privlex.report").joinpath("assets", asset).read_text("utf-8")
    files[MARKER] = json.dumps(report, indent=1, ensure_ascii=False) + "\n"
    return files


def write_site(files: Mapping[str, str], out: Path) -> None:
    """Replace the folder with the site at once; a folder that holds something else is left alone."""
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).is_file())):
        raise SiteError(f"{out} exists and is not a privlex report: choose another --out")
    parent = out.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    try:
        for name, text in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        os.chmod(staging, 0o755)
        old = None
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=parent))
            os.replace(out, old / out.name)
        os.replace(staging, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
