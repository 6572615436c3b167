"""`privlex lsp`: the language logic on its own, then the server end to end through pygls's client."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from conftest import ROOT
from privlex.lsp.analysis import Analyser, Analysis, unit_files
from privlex.lsp.complete import complete
from privlex.lsp.describe import describe
from privlex.lsp.index import Index, build_index
from privlex.lsp.outline import outline

VOCABULARY = """\
data content "Content"
data content.chat "Chat messages"
purpose ai "AI"
purpose ai.training "Training AI models"
basis consent "Consent"
basis contract "Contract"
# Whether the person consented.
fact consent.given "The person consented": boolean
fact legal_basis "The lawful basis": basis
fact subject.age "Age in years": integer from 0 to 130
country DE "Germany"
country FR "France"
group EU "European Union":
    DE, FR
"""

RULES = """\
ruleset demo "Demo Act":
    covers EU
    otherwise deny "No basis" cites "Demo Art. 1"

    parameter adult "Age of majority": integer
        cites "Demo Art. 2"
        EU: 18

    # Consent is a basis.
    rule consent "Consent of the person":
        cites "Demo Art. 6"
        permit when legal_basis is consent and consent.given
        obligation keep_proof "Keep proof of the consent"
        unless child "A child":
            cites "Demo Art. 8"
            deny when subject.age < adult

    test adult_consents "An adult consents":
        given region DE, data content.chat, purpose ai.training, consent.given, legal_basis consent
        expect permit by consent with obligations keep_proof
"""


def project(folder: Path, rules: str = RULES) -> Path:
    (folder / "vocabulary.rules").write_text(VOCABULARY, encoding="utf-8")
    path = folder / "demo.rules"
    path.write_text(rules, encoding="utf-8")
    return path


def analysed(path: Path, text: str | None = None) -> tuple[Analysis, Index]:
    texts = {path.resolve(): text} if text is not None else {}
    analysis = Analyser().analyse(unit_files(path), texts)
    return analysis, build_index(analysis.files.values(), analysis.vocabulary)


def position(text: str, marker: str, offset: int = 0) -> tuple[int, int]:
    """1-based line and column of a marker (plus an offset into it)."""
    index = text.index(marker) + offset
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


# ------------------------------------------------------------ the language logic


def test_the_unit_of_a_file_is_its_folder_without_a_project(tmp_path: Path) -> None:
    path = project(tmp_path)
    assert {p.name for p in unit_files(path)} == {"vocabulary.rules", "demo.rules"}


def test_the_unit_of_a_shipped_ruleset_is_the_project_unit() -> None:
    names = {p.name for p in unit_files(ROOT / "rulesets" / "gdpr.rules")}
    assert {"gdpr.rules", "vocabulary.rules", "regions.rules"} <= names


def test_a_typo_gives_the_compilers_diagnostic(tmp_path: Path) -> None:
    path = project(tmp_path)
    analysis, _ = analysed(path, RULES.replace("and consent.given", "and consent.giv"))
    (found,) = [d for d in analysis.diagnostics if d.code == "E201"]
    assert found.span is not None and (found.span.line, found.span.column) == position(RULES, "consent.given")
    assert "consent.given" in (found.help or "")


def test_definitions_and_references_of_every_kind_of_name(tmp_path: Path) -> None:
    path = project(tmp_path)
    analysis, index = analysed(path)
    cases = {
        "consent.given": ("fact", "consent.given", "vocabulary.rules"),
        "content.chat,": ("data", "content.chat", "vocabulary.rules"),
        "adult\n": ("parameter", "demo:adult", "demo.rules"),
        "EU\n    other": ("region", "EU", "vocabulary.rules"),
        "consent with": ("node", "demo:consent", "demo.rules"),
        "keep_proof\n": ("obligation", "demo:keep_proof", "demo.rules"),
        "consent and": ("basis", "consent", "vocabulary.rules"),
    }
    for marker, (kind, name, file) in cases.items():
        line, column = position(RULES, marker)
        occurrence = index.at("demo.rules", line, column)
        assert occurrence is not None and occurrence.symbol == (kind, name), marker
        (declared,) = index.declared[occurrence.symbol]
        assert declared.file == file
    uses = index.references(("fact", "consent.given"), with_declarations=False)
    assert [(s.file, s.line) for s in uses] == [
        ("demo.rules", position(RULES, "consent.given")[0]),
        ("demo.rules", position(RULES, "consent.given,")[0]),
    ]


def test_hover_shows_titles_types_citations_and_notes(tmp_path: Path) -> None:
    path = project(tmp_path)
    analysis, index = analysed(path)
    fact = describe(analysis, index, ("fact", "consent.given")) or ""
    assert "The person consented" in fact and "boolean" in fact and "Whether the person consented." in fact
    rule = describe(analysis, index, ("node", "demo:consent.child")) or ""
    assert "A child" in rule and "Demo Art. 8" in rule and "subject.age < adult" in rule
    assert "Consent is a basis." in (describe(analysis, index, ("node", "demo:consent")) or "")
    parameter = describe(analysis, index, ("parameter", "demo:adult")) or ""
    assert "Age of majority" in parameter and "18: DE, FR" in parameter
    assert "France" in (describe(analysis, index, ("region", "FR")) or "")
    assert "lies in EU" in (describe(analysis, index, ("region", "FR")) or "")


def test_completion_offers_what_the_grammar_allows(tmp_path: Path) -> None:
    path = project(tmp_path)
    analysis, _ = analysed(path)

    def labels(text: str, marker: str) -> set[str]:
        return {item.label for item in complete(analysis, text, text.index(marker) + len(marker))}

    facts = labels(RULES, "permit when ")
    assert {"consent.given", "subject.age", "legal_basis", "region"} <= facts and "DE" not in facts
    assert labels(RULES, "legal_basis is ") >= {"consent", "contract", "unknown"}
    assert "adult" in labels(RULES, "subject.age < ")
    assert {"DE", "FR", "EU"} <= labels(RULES, "    covers ")
    assert labels(RULES, '        cites "Demo Art. 6"\n        ') >= {"permit", "deny", "unless", "obligation"}
    typing = RULES.replace("permit when legal_basis", "permit when consent.gi")
    assert "consent.given" in labels(typing, "permit when consent.gi")


def test_the_outline_nests_rules_and_exceptions(tmp_path: Path) -> None:
    path = project(tmp_path)
    analysis, _ = analysed(path)
    (ruleset,) = outline(analysis.files["demo.rules"])
    assert [(e.kind, e.name) for e in ruleset.children] == [
        ("default", "otherwise"),
        ("parameter", "adult"),
        ("rule", "consent"),
        ("test", "adult_consents"),
    ]
    assert [e.name for e in ruleset.children[2].children] == ["child"]


DEFINED = RULES.replace(
    "    # Consent is a basis.",
    '    define valid_consent "Valid consent":\n'
    '        cites "Demo Art. 7"\n'
    "        legal_basis is consent and consent.given\n\n"
    "    # Consent is a basis.",
).replace("permit when legal_basis is consent and consent.given", "permit when valid_consent")


def test_definitions_are_names_like_the_others(tmp_path: Path) -> None:
    path = project(tmp_path, DEFINED)
    analysis, index = analysed(path)
    assert [d.code for d in analysis.diagnostics] == []
    line, column = position(DEFINED, "valid_consent\n")
    used = index.at("demo.rules", line, column)
    assert used is not None and used.symbol == ("definition", "demo:valid_consent")
    (declared,) = index.declared[used.symbol]
    assert declared.line == position(DEFINED, "valid_consent")[0]
    text = describe(analysis, index, used.symbol) or ""
    assert "Valid consent" in text and "Demo Art. 7" in text and "legal_basis is consent and consent.given" in text
    offered = {item.label for item in complete(analysis, DEFINED, DEFINED.index("permit when ") + len("permit when "))}
    assert "valid_consent" in offered
    (ruleset,) = outline(analysis.files["demo.rules"])
    assert ("definition", "valid_consent") in [(e.kind, e.name) for e in ruleset.children]


# --------------------------------------------------------------- end to end

T = TypeVar("T")


def run(body: Callable[[Any, dict[str, list[Any]]], Awaitable[T]]) -> T:
    """Start `privlex lsp` as an editor would, initialise it, run `body(client, diagnostics)`, shut it down."""
    from lsprotocol import types as t
    from pygls.lsp.client import LanguageClient

    async def session() -> T:
        client = LanguageClient("privlex-tests", "1")
        published: dict[str, list[Any]] = {}

        @client.feature(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_diagnostics(params: t.PublishDiagnosticsParams) -> None:
            published[params.uri] = list(params.diagnostics)

        await client.start_io(sys.executable, "-m", "privlex", "lsp")
        try:
            await client.initialize_async(t.InitializeParams(capabilities=t.ClientCapabilities()))
            client.initialized(t.InitializedParams())
            return await body(client, published)
        finally:
            await asyncio.wait_for(client.shutdown_async(None), 30)
            client.exit(None)
            await client.stop()

    return asyncio.run(session())


async def wait_for(found: Callable[[], T | None], seconds: float = 60) -> T:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = found()
        if value:
            return value
        await asyncio.sleep(0.05)
    raise AssertionError("the server did not answer in time")


def open_file(client: Any, path: Path, text: str) -> str:
    from lsprotocol import types as t

    uri = path.resolve().as_uri()
    client.text_document_did_open(
        t.DidOpenTextDocumentParams(t.TextDocumentItem(uri=uri, language_id="privlex", version=1, text=text))
    )
    return uri


@pytest.mark.slow
def test_the_server_end_to_end(tmp_path: Path) -> None:
    from lsprotocol import types as t

    path = project(tmp_path)
    typo = RULES.replace("and consent.given", "and consent.giv")

    async def body(client: Any, published: dict[str, list[Any]]) -> None:
        uri = open_file(client, path, typo)
        diagnostics = await wait_for(lambda: published.get(uri))
        (found,) = [d for d in diagnostics if d.code == "E201"]
        line, column = position(RULES, "consent.given")
        assert (found.range.start.line, found.range.start.character) == (line - 1, column - 1)
        assert (found.range.end.line, found.range.end.character) == (line - 1, column - 1 + len("consent.giv"))
        assert "did you mean consent.given?" in found.message and found.source == "privlex"

        # Fixing the typo clears the diagnostic.
        client.text_document_did_change(
            t.DidChangeTextDocumentParams(
                text_document=t.VersionedTextDocumentIdentifier(uri=uri, version=2),
                content_changes=[t.TextDocumentContentChangeWholeDocument(text=RULES)],
            )
        )
        await wait_for(lambda: published.get(uri) == [] or None)

        def at(marker: str) -> dict[str, Any]:
            line, column = position(RULES, marker)
            return {
                "text_document": t.TextDocumentIdentifier(uri=uri),
                "position": t.Position(line=line - 1, character=column),
            }

        hover = await client.text_document_hover_async(t.HoverParams(**(at("consent.given"))))
        assert hover is not None and "The person consented" in hover.contents.value
        hover = await client.text_document_hover_async(t.HoverParams(**(at("child"))))
        assert hover is not None and "Demo Art. 8" in hover.contents.value

        definition = await client.text_document_definition_async(t.DefinitionParams(**(at("consent.given"))))
        assert definition and definition[0].uri.endswith("vocabulary.rules")
        assert definition[0].range.start.line == VOCABULARY.split("\n").index(
            'fact consent.given "The person consented": boolean'
        )
        references = await client.text_document_references_async(
            t.ReferenceParams(**(at("adult\n")), context=t.ReferenceContext(include_declaration=True))
        )
        assert references is not None and len(references) == 2

        line, column = position(RULES, "permit when ")
        completion = await client.text_document_completion_async(
            t.CompletionParams(
                text_document=t.TextDocumentIdentifier(uri=uri),
                position=t.Position(line=line - 1, character=column - 1 + len("permit when ")),
            )
        )
        assert completion is not None and "consent.given" in {item.label for item in completion.items}

        symbols = await client.text_document_document_symbol_async(
            t.DocumentSymbolParams(text_document=t.TextDocumentIdentifier(uri=uri))
        )
        assert symbols and symbols[0].name == "demo"

        client.text_document_did_change(
            t.DidChangeTextDocumentParams(
                text_document=t.VersionedTextDocumentIdentifier(uri=uri, version=3),
                content_changes=[
                    t.TextDocumentContentChangeWholeDocument(text=RULES.replace("    covers EU", "    covers   EU "))
                ],
            )
        )
        edits = await client.text_document_formatting_async(
            t.DocumentFormattingParams(
                text_document=t.TextDocumentIdentifier(uri=uri),
                options=t.FormattingOptions(tab_size=4, insert_spaces=True),
            )
        )
        assert edits and edits[0].new_text == RULES

        # A name declared twice: E202 in the other file of the unit, linked to the first declaration.
        vocabulary_uri = open_file(client, tmp_path / "vocabulary.rules", VOCABULARY + 'country FR "France again"\n')
        found = await wait_for(lambda: [d for d in published.get(vocabulary_uri, []) if d.code == "E202"])
        (related,) = found[0].related_information
        assert related.location.uri == vocabulary_uri
        assert related.location.range.start.line == VOCABULARY.split("\n").index('country FR "France"')

    run(body)


@pytest.mark.slow
def test_diagnostics_round_trip_on_the_gdpr_rules(capsys: pytest.CaptureFixture[str]) -> None:
    """Open gdpr.rules, then type a mistake: how long until the diagnostic is back (printed, not asserted)."""
    path = ROOT / "rulesets" / "gdpr.rules"
    text = path.read_text(encoding="utf-8")
    from lsprotocol import types as t

    async def body(client: Any, published: dict[str, list[Any]]) -> tuple[float, float]:
        started = time.perf_counter()
        uri = open_file(client, path, text)
        await wait_for(lambda: uri in published or None)
        opened = time.perf_counter() - started
        published.pop(uri)
        started = time.perf_counter()
        client.text_document_did_change(
            t.DidChangeTextDocumentParams(
                text_document=t.VersionedTextDocumentIdentifier(uri=uri, version=2),
                content_changes=[
                    t.TextDocumentContentChangeWholeDocument(text=text.replace("consent.bundled", "consent.bundle", 1))
                ],
            )
        )
        found = await wait_for(lambda: published.get(uri))
        assert any(d.code == "E201" for d in found)
        return opened, time.perf_counter() - started

    opened, typed = run(body)
    with capsys.disabled():
        print(f"\nLSP diagnostics on gdpr.rules: {opened:.2f} s after opening, {typed:.2f} s after a change")


# ------------------------------------------------------------- the VS Code folder


def test_the_vscode_extension_is_complete_and_knows_every_keyword() -> None:
    import json
    import re

    from privlex.lsp.complete import _keywords

    folder = ROOT / "editors" / "vscode"
    package = json.loads((folder / "package.json").read_text(encoding="utf-8"))
    assert (folder / package["main"]).is_file() and (folder / "README.md").is_file()
    (grammar_entry,) = package["contributes"]["grammars"]
    grammar = json.loads((folder / grammar_entry["path"]).read_text(encoding="utf-8"))
    (language,) = package["contributes"]["languages"]
    assert language["extensions"] == [".rules"]
    json.loads((folder / language["configuration"]).read_text(encoding="utf-8"))
    patterns = [rule["match"] for rule in grammar["repository"].values() if "match" in rule]
    for pattern in patterns:
        re.compile(pattern)
    words = set(re.findall(r"[a-z]+", " ".join(p for p in patterns if "|" in p)))
    assert set(_keywords().values()) <= words
