"""The Language Server: pygls wiring over ``judging`` (what is shown, what the actions edit).

Scheduling: each open, change or save asks for its project to be judged again, after
``DEBOUNCE_SECONDS`` for a change (typing goes on) and at once for an open or save. A judgement
runs on a daemon thread, never on the event loop, so the editor's requests are answered while a
slow file is read; a newer request for the same project makes an older judgement's result
obsolete (it is dropped, not published). The documents a project's last judgement parsed are
kept for its next: only the files whose text changed are parsed again. Requests (code actions,
hover) read the last result published for the document.
"""

from __future__ import annotations

import asyncio
import os
import threading
from typing import Any, Callable, Dict, List, Optional, TypeVar

from lsprotocol import types
from msgspec import Struct, field
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from .. import __version__
from ..catalogue import explain, rules_by_id
from ..findings import Result
from . import judging
from .judging import Project, Shown

DEBOUNCE_SECONDS = 0.3
SOURCE = "clarify-vpc-lint"
_SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "info": types.DiagnosticSeverity.Hint,  # unknown is not a problem found: a hint
}
T = TypeVar("T")


class _Published(Struct):
    """What a document shows now: its text then, the project's result, and the findings."""

    text: str
    result: Result
    shown: List[Shown]
    diagnostics: List[types.Diagnostic]


class _State(Struct):
    pending: Dict[Project, asyncio.Task] = field(default_factory=dict)
    generation: Dict[Project, int] = field(default_factory=dict)
    published: Dict[str, _Published] = field(default_factory=dict)  # by URI
    kept: Dict[Project, judging.Kept] = field(default_factory=dict)  # parsed, by project
    lock: Optional[asyncio.Lock] = None  # one judgement at a time: they share the CPU


class Server(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            SOURCE, __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental
        )
        self.state = _State()

    # -- scheduling ------------------------------------------------------------------------

    def folders(self) -> List[str]:
        folders = [to_fs_path(f.uri) for f in self.workspace.folders.values()]
        root = self.workspace.root_path
        return [f for f in (*folders, root) if f]

    def schedule(self, uri: str, delay: float) -> None:
        path = _path_of(uri)
        if path is None or not path.endswith((*judging.SHOWN, "pyproject.toml")):
            return  # a file no judgement reads (a README): nothing to judge again
        project = judging.project_of(path, self.folders())
        state = self.state
        earlier = state.pending.get(project)
        if earlier is not None and not earlier.done():
            earlier.cancel()  # still waiting out its delay: this request replaces it
        state.generation[project] = state.generation.get(project, 0) + 1
        state.pending[project] = asyncio.ensure_future(
            self._judge_later(project, state.generation[project], delay)
        )

    async def _judge_later(self, project: Project, generation: int, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        state = self.state
        if state.lock is None:
            state.lock = asyncio.Lock()
        async with state.lock:
            if state.generation.get(project) != generation:
                return  # a newer request for the project came while this one waited
            texts = self._texts()
            kept = state.kept.setdefault(project, {})
            result, uses = await off_loop(
                lambda: (
                    judging.judge(project, texts, kept),
                    judging.declared_uses(project, texts),
                )
            )
        if state.generation.get(project) != generation:
            return  # obsolete: the documents changed while it was judged
        self._publish(project, result, texts, uses)

    def _texts(self) -> Dict[str, str]:
        """The open documents' texts by real path: the buffers that stand for their files."""
        texts = {}
        for uri, document in self.workspace.text_documents.items():
            path = _path_of(uri)
            if path is not None:
                texts[os.path.realpath(path)] = document.source
        return texts

    def _publish(
        self,
        project: Project,
        result: Result,
        texts: Dict[str, str],
        uses: Dict[str, List[str]],
    ) -> None:
        for uri in list(self.workspace.text_documents):
            path = _path_of(uri)
            if path is None or not path.endswith(judging.SHOWN):
                continue
            real = os.path.realpath(path)
            if judging.project_of(path, self.folders()) != project or real not in texts:
                continue
            text = texts[real]
            shown = judging.shown_in(path, text, result, project, uses)
            diagnostics = [_diagnostic(s, text) for s in shown]
            diagnostics += [_error(e, text) for e in judging.errors_in(path, result, project)]
            self.state.published[uri] = _Published(text, result, shown, diagnostics)
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics)
            )

    def forget(self, uri: str) -> None:
        self.state.published.pop(uri, None)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
        )

    # -- requests ----------------------------------------------------------------------------

    async def code_actions(self, params: types.CodeActionParams) -> List[types.CodeAction]:
        uri = params.text_document.uri
        published = self.state.published.get(uri)
        path = _path_of(uri)
        if published is None or path is None:
            return []
        document = self.workspace.get_text_document(uri)
        if document.source != published.text:
            return []  # edited since it was judged: the next publication brings fresh actions
        text = published.text
        actions: List[types.CodeAction] = []
        for shown, diagnostic in zip(published.shown, published.diagnostics, strict=True):
            if not _overlaps(diagnostic.range, params.range):
                continue
            rule = shown.finding.rule
            kind = published.result.linted.get(shown.finding.file)
            if shown.here:
                fix = await off_loop(
                    lambda s=shown, k=kind: judging.fix_edit(path, text, s.finding, k)
                )
                if fix is not None:
                    actions.append(
                        _action(
                            f"Fix {rule}: {shown.finding.name}",
                            uri,
                            text,
                            fix,
                            diagnostic,
                            types.CodeActionKind.QuickFix,
                            preferred=True,
                        )  # fmt: skip
                    )
            # only in an input the run read as one (not the config file's declared jobs)
            ignore = judging.ignore_edit(path, text, shown) if kind else None
            if ignore is not None:
                actions.append(
                    _action(
                        f"Ignore {rule} here",
                        uri,
                        text,
                        ignore,
                        diagnostic,
                        types.CodeActionKind.QuickFix,
                    )  # fmt: skip
                )
        return actions

    def hover(self, params: types.HoverParams) -> Optional[types.Hover]:
        published = self.state.published.get(params.text_document.uri)
        if published is None:
            return None
        rules = rules_by_id()
        for diagnostic in published.diagnostics:
            if _contains(diagnostic.range, params.position) and diagnostic.code in rules:
                return types.Hover(
                    contents=types.MarkupContent(
                        kind=types.MarkupKind.Markdown, value=explain(rules[str(diagnostic.code)])
                    ),
                    range=diagnostic.range,
                )
        return None


def off_loop(work: Callable[[], T]) -> asyncio.Future[T]:
    """``work`` on a daemon thread (the editor is answered meanwhile; an exit never waits for
    it), its result on the event loop."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(method: str, value: Any) -> None:
        if not future.done():
            getattr(future, method)(value)

    def target() -> None:
        try:
            value = work()
        except BaseException as error:  # noqa: BLE001 - delivered to the awaiting coroutine
            loop.call_soon_threadsafe(settle, "set_exception", error)
        else:
            loop.call_soon_threadsafe(settle, "set_result", value)

    threading.Thread(target=target, name=SOURCE, daemon=True).start()
    return future


def _path_of(uri: str) -> Optional[str]:
    return to_fs_path(uri) if uri.startswith("file:") else None


def client_position(text: str, line: int, column: int) -> types.Position:
    """An LSP position (UTF-16 units) of a 0-based line and character column; -1 is the end of
    the line's text."""
    lines = text.split("\n")
    if line >= len(lines):
        return types.Position(line=max(len(lines) - 1, 0), character=0)
    content = lines[line].rstrip("\r")
    if column < 0:
        column = len(content.rstrip())
    before = content[: max(column, 0)]
    return types.Position(line=line, character=len(before.encode("utf-16-le")) // 2)


def _range(text: str, line: int, column: int, end_line: int, end_column: int) -> types.Range:
    start = client_position(text, line, column)
    end = client_position(text, end_line, end_column)
    if (end.line, end.character) <= (start.line, start.character):
        end = client_position(text, line, -1)  # a key at the end of its line: its line, at least
    return types.Range(start=start, end=end)


def _diagnostic(shown: Shown, text: str) -> types.Diagnostic:
    finding = shown.finding
    rule = rules_by_id().get(finding.rule)
    return types.Diagnostic(
        range=_range(text, shown.line, shown.column, shown.end_line, shown.end_column),
        message=f"{shown.message}\n{finding.remediation}".rstrip(),
        severity=_SEVERITY.get(finding.severity, types.DiagnosticSeverity.Warning),
        code=finding.rule,
        code_description=types.CodeDescription(href=rule.doc_url) if rule else None,
        source=SOURCE,
    )


def _error(error: Any, text: str) -> types.Diagnostic:
    line = (error.line or 1) - 1
    return types.Diagnostic(
        range=_range(text, line, 0, line, -1),
        message=error.message,
        severity=types.DiagnosticSeverity.Error,
        source=SOURCE,
    )


def _action(
    title: str,
    uri: str,
    text: str,
    edit: judging.Edit,
    diagnostic: types.Diagnostic,
    kind: types.CodeActionKind,
    preferred: bool = False,
) -> types.CodeAction:
    start, end, new_text = edit
    edit_range = types.Range(
        start=client_position(text, *judging.position_of(text, start)),
        end=client_position(text, *judging.position_of(text, end)),
    )
    return types.CodeAction(
        title=title,
        kind=kind,
        diagnostics=[diagnostic],
        is_preferred=preferred or None,
        edit=types.WorkspaceEdit(
            changes={uri: [types.TextEdit(range=edit_range, new_text=new_text)]}
        ),
    )


def _overlaps(a: types.Range, b: types.Range) -> bool:
    return (a.start.line, a.start.character) <= (b.end.line, b.end.character) and (
        b.start.line,
        b.start.character,
    ) <= (a.end.line, a.end.character)


def _contains(a: types.Range, position: types.Position) -> bool:
    return _overlaps(a, types.Range(start=position, end=position))


def build() -> Server:
    """The server with its features registered."""
    server = Server()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: Server, params: types.DidOpenTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: Server, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, DEBOUNCE_SECONDS)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: Server, params: types.DidSaveTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: Server, params: types.DidCloseTextDocumentParams) -> None:
        ls.forget(params.text_document.uri)
        ls.schedule(params.text_document.uri, 0)  # its file, not its buffer, counts again

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    async def code_action(ls: Server, params: types.CodeActionParams) -> List[types.CodeAction]:
        return await ls.code_actions(params)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: Server, params: types.HoverParams) -> Optional[types.Hover]:
        return ls.hover(params)

    return server
