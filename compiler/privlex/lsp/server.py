"""`privlex lsp`: the language server, over stdio, with pygls.

Every change to an open rule file re-runs the compiler's passes over its
unit (debounced, in a worker thread) and publishes the diagnostics of every
file of the unit, with the codes and messages of `privlex check`. Hover,
go to definition, references, completion, the outline and formatting work
from the last analysis of the file's unit.
"""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types as t
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from .. import __version__
from ..diagnostics import Diagnostic
from ..fmt import FormatError, format_text
from ..source import SHIPPED_PREFIX, Span, source_lines
from ..syntax import nodes as n
from ..syntax.grammar import parser
from .analysis import Analyser, Analysis, Source, unit_files
from .complete import complete, word_start
from .describe import describe
from .index import Index, build_index
from .outline import Entry, outline

DEBOUNCE = 0.25  # seconds of quiet typing before the unit is compiled again
_LOCATION = re.compile(r"((?:[\w.-]+/)*[\w.-]+\.rules):(\d+)")
_KINDS = {
    "keyword": t.CompletionItemKind.Keyword,
    "key": t.CompletionItemKind.EnumMember,
    "fact": t.CompletionItemKind.Field,
    "region": t.CompletionItemKind.Constant,
    "value": t.CompletionItemKind.Value,
    "parameter": t.CompletionItemKind.Variable,
    "node": t.CompletionItemKind.Function,
    "obligation": t.CompletionItemKind.Event,
    "definition": t.CompletionItemKind.Constant,
}
_SYMBOLS = {
    "ruleset": t.SymbolKind.Module,
    "rule": t.SymbolKind.Function,
    "exception": t.SymbolKind.Function,
    "exclusion": t.SymbolKind.Function,
    "default": t.SymbolKind.Function,
    "parameter": t.SymbolKind.Constant,
    "definition": t.SymbolKind.Boolean,
    "test": t.SymbolKind.Method,
    "data": t.SymbolKind.EnumMember,
    "purpose": t.SymbolKind.EnumMember,
    "basis": t.SymbolKind.EnumMember,
    "fact": t.SymbolKind.Field,
    "region": t.SymbolKind.Constant,
}


@dataclass
class Known:
    """The last analysis of a unit, and its index."""

    analysis: Analysis
    index: Index


class PrivlexServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("privlex", __version__, text_document_sync_kind=t.TextDocumentSyncKind.Incremental)
        self.analyser = Analyser()
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="privlex-analysis")
        self.units: dict[tuple[Source, ...], Known] = {}
        self.pending: dict[tuple[Source, ...], asyncio.Task[Known]] = {}
        self.published: dict[tuple[Source, ...], set[str]] = {}
        self.last_good: dict[Path, n.File] = {}

    # ------------------------------------------------------------ analysis

    def unit_of(self, uri: str) -> tuple[Source, ...]:
        path = Path(to_fs_path(uri) or uri).resolve()
        return tuple(p.resolve() if isinstance(p, Path) else p for p in unit_files(path))

    def _texts(self) -> dict[Path, str]:
        texts: dict[Path, str] = {}
        for uri, document in self.workspace.text_documents.items():
            path = to_fs_path(uri)
            if path:
                texts[Path(path).resolve()] = document.source
        return texts

    def schedule(self, uri: str, delay: float) -> asyncio.Task[Known]:
        unit = self.unit_of(uri)
        previous = self.pending.get(unit)
        if previous is not None and not previous.done():
            previous.cancel()
        task = asyncio.ensure_future(self._run(unit, delay))
        self.pending[unit] = task
        return task

    async def _run(self, unit: tuple[Source, ...], delay: float) -> Known:
        if delay:
            await asyncio.sleep(delay)
        texts = self._texts()
        loop = asyncio.get_running_loop()
        analysis = await loop.run_in_executor(self.worker, self.analyser.analyse, list(unit), texts)
        known = Known(analysis, build_index(analysis.files.values(), analysis.vocabulary))
        self.units[unit] = known
        for path, file in analysis.files.items():
            on_disk = analysis.file_of(path)
            if on_disk is not None:
                self.last_good[on_disk] = file
        self.publish(unit, analysis)
        return known

    async def known(self, uri: str) -> Known:
        unit = self.unit_of(uri)
        task = self.pending.get(unit)
        if task is not None and not task.done():
            try:
                return await asyncio.shield(task)
            except asyncio.CancelledError:
                pass
        found = self.units.get(unit)
        return found if found is not None else await self._run(unit, 0)

    # --------------------------------------------------------- diagnostics

    def publish(self, unit: tuple[Source, ...], analysis: Analysis) -> None:
        by_file: dict[str, list[t.Diagnostic]] = {path: [] for path in analysis.sources}
        for diagnostic in analysis.diagnostics:
            path = diagnostic.span.file if diagnostic.span else next(iter(analysis.sources), None)
            if path is not None and path in by_file:
                by_file[path].append(self.lsp_diagnostic(analysis, diagnostic))
        uris = set()
        for path, found in by_file.items():
            on_disk = analysis.file_of(path)
            if on_disk is None or path.startswith(SHIPPED_PREFIX):
                continue  # the shipped library: not the user's to fix
            uri = from_fs_path(str(on_disk)) or ""
            uris.add(uri)
            self.text_document_publish_diagnostics(t.PublishDiagnosticsParams(uri=uri, diagnostics=found))
        for gone in self.published.get(unit, set()) - uris:
            self.text_document_publish_diagnostics(t.PublishDiagnosticsParams(uri=gone, diagnostics=[]))
        self.published[unit] = uris

    def lsp_range(self, analysis: Analysis, span: Span | None) -> t.Range:
        if span is None:
            return t.Range(start=t.Position(line=0, character=0), end=t.Position(line=0, character=0))
        source = analysis.sources.get(span.file)
        lines = source_lines(source.text) if source else []
        codec = self.workspace.position_codec
        start = codec.position_to_client_units(lines, t.Position(line=span.line - 1, character=span.column - 1))
        end = codec.position_to_client_units(lines, t.Position(line=span.end_line - 1, character=span.end_column - 1))
        return t.Range(start=start, end=end)

    def location(self, analysis: Analysis, span: Span) -> t.Location:
        on_disk = analysis.file_of(span.file)
        uri = (from_fs_path(str(on_disk)) if on_disk else None) or span.file
        return t.Location(uri=uri, range=self.lsp_range(analysis, span))

    def lsp_diagnostic(self, analysis: Analysis, diagnostic: Diagnostic) -> t.Diagnostic:
        message = diagnostic.message
        extra = [f"note: {note}" for note in diagnostic.notes]
        if diagnostic.help:
            extra.append(f"help: {diagnostic.help}")
        related = []
        for text in (diagnostic.message, *diagnostic.notes):
            for match in _LOCATION.finditer(text):
                line = int(match.group(2))
                span = Span(file=match.group(1), line=line, column=1, end_line=line, end_column=1)
                if span.file in analysis.sources:
                    related.append(t.DiagnosticRelatedInformation(location=self.location(analysis, span), message=text))
        return t.Diagnostic(
            range=self.lsp_range(analysis, diagnostic.span),
            severity=t.DiagnosticSeverity.Error if diagnostic.is_error else t.DiagnosticSeverity.Warning,
            code=diagnostic.code,
            source="privlex",
            message="\n".join([message, *extra]),
            related_information=related or None,
        )

    # ---------------------------------------------------------- positions

    def occurrence_at(self, known: Known, uri: str, position: t.Position) -> tuple[str, int, int] | None:
        document = self.workspace.get_text_document(uri)
        server = document.position_codec.position_from_client_units(document.lines, position)
        path = known.analysis.path_of(Path(to_fs_path(uri) or uri))
        if path is None:
            return None
        return path, server.line + 1, server.character + 1

    def symbol(self, entry: Entry, analysis: Analysis) -> t.DocumentSymbol:
        return t.DocumentSymbol(
            name=entry.name,
            detail=entry.detail,
            kind=_SYMBOLS.get(entry.kind, t.SymbolKind.Object),
            range=self.lsp_range(analysis, entry.span),
            selection_range=self.lsp_range(analysis, entry.selection),
            children=[self.symbol(child, analysis) for child in entry.children],
        )


server = PrivlexServer()


@server.feature(t.INITIALIZED)
def initialized(ls: PrivlexServer, params: t.InitializedParams) -> None:
    ls.worker.submit(parser)  # build the parser while the editor opens its first file


@server.feature(t.TEXT_DOCUMENT_DID_OPEN)
async def did_open(ls: PrivlexServer, params: t.DidOpenTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri, 0)


@server.feature(t.TEXT_DOCUMENT_DID_CHANGE)
async def did_change(ls: PrivlexServer, params: t.DidChangeTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri, DEBOUNCE)


@server.feature(t.TEXT_DOCUMENT_DID_SAVE)
async def did_save(ls: PrivlexServer, params: t.DidSaveTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri, 0)


@server.feature(t.TEXT_DOCUMENT_DID_CLOSE)
async def did_close(ls: PrivlexServer, params: t.DidCloseTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri, 0)  # its text on disk counts again


@server.feature(t.WORKSPACE_DID_CHANGE_WATCHED_FILES)
async def files_changed(ls: PrivlexServer, params: t.DidChangeWatchedFilesParams) -> None:
    """A rule file or pyproject.toml changed on disk: analyse again every unit seen so far."""
    changed = {Path(to_fs_path(change.uri) or change.uri).resolve() for change in params.changes}
    for unit in list(ls.units):
        if changed & set(unit) or any(path.name == "pyproject.toml" for path in changed):
            ls.units.pop(unit, None)
            ls.pending[unit] = asyncio.ensure_future(ls._run(unit, DEBOUNCE))


@server.feature(t.TEXT_DOCUMENT_HOVER)
async def hover(ls: PrivlexServer, params: t.HoverParams) -> t.Hover | None:
    known = await ls.known(params.text_document.uri)
    where = ls.occurrence_at(known, params.text_document.uri, params.position)
    occurrence = known.index.at(*where) if where else None
    if occurrence is None:
        return None
    text = describe(known.analysis, known.index, occurrence.symbol)
    if text is None:
        return None
    return t.Hover(
        contents=t.MarkupContent(kind=t.MarkupKind.Markdown, value=text),
        range=ls.lsp_range(known.analysis, occurrence.span),
    )


@server.feature(t.TEXT_DOCUMENT_DEFINITION)
async def definition(ls: PrivlexServer, params: t.DefinitionParams) -> list[t.Location] | None:
    known = await ls.known(params.text_document.uri)
    where = ls.occurrence_at(known, params.text_document.uri, params.position)
    occurrence = known.index.at(*where) if where else None
    if occurrence is None:
        return None
    spans = known.index.declared.get(occurrence.symbol, [])
    return [ls.location(known.analysis, span) for span in spans] or None


@server.feature(t.TEXT_DOCUMENT_REFERENCES)
async def references(ls: PrivlexServer, params: t.ReferenceParams) -> list[t.Location] | None:
    known = await ls.known(params.text_document.uri)
    where = ls.occurrence_at(known, params.text_document.uri, params.position)
    occurrence = known.index.at(*where) if where else None
    if occurrence is None:
        return None
    spans = known.index.references(occurrence.symbol, with_declarations=params.context.include_declaration)
    return [ls.location(known.analysis, span) for span in spans]


@server.feature(t.TEXT_DOCUMENT_COMPLETION, t.CompletionOptions(trigger_characters=[" ", ".", "{", ","]))
async def completion(ls: PrivlexServer, params: t.CompletionParams) -> t.CompletionList:
    known = await ls.known(params.text_document.uri)
    document = ls.workspace.get_text_document(params.text_document.uri)
    offset = document.offset_at_position(params.position)
    text = document.source
    start = document.client_position_at_offset(word_start(text, offset))
    replace = t.Range(start=start, end=params.position)
    items = [
        t.CompletionItem(
            label=item.label,
            kind=_KINDS.get(item.kind, t.CompletionItemKind.Text),
            detail=item.detail or None,
            text_edit=t.TextEdit(range=replace, new_text=item.label),
        )
        for item in complete(known.analysis, text, offset)
    ]
    return t.CompletionList(is_incomplete=False, items=items)


@server.feature(t.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
async def document_symbols(ls: PrivlexServer, params: t.DocumentSymbolParams) -> list[t.DocumentSymbol]:
    known = await ls.known(params.text_document.uri)
    resolved = Path(to_fs_path(params.text_document.uri) or "").resolve()
    path = known.analysis.path_of(resolved)
    file = known.analysis.files.get(path or "") or ls.last_good.get(resolved)
    if file is None:
        return []
    return [ls.symbol(entry, known.analysis) for entry in outline(file)]


@server.feature(t.TEXT_DOCUMENT_FORMATTING)
def formatting(ls: PrivlexServer, params: t.DocumentFormattingParams) -> list[t.TextEdit] | None:
    document = ls.workspace.get_text_document(params.text_document.uri)
    try:
        formatted = format_text(document.source, document.path or document.uri)
    except FormatError as exc:
        ls.window_show_message(t.ShowMessageParams(type=t.MessageType.Warning, message=f"privlex fmt: {exc}"))
        return None
    if formatted == document.source:
        return []
    lines = document.lines
    end = t.Position(line=len(lines), character=0)
    return [t.TextEdit(range=t.Range(start=t.Position(line=0, character=0), end=end), new_text=formatted)]


def serve() -> None:
    """Serve one editor over standard input and output until it says exit."""
    server.start_io()
