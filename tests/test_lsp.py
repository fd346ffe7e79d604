"""clarify-vpc-lint-lsp driven by a real LSP client (pygls's) over stdio, as an editor drives it."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List

from conftest import FIXTURES, ROOT
from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

from clarify_vpc_lint.findings import Finding, Result
from clarify_vpc_lint.lsp import judging

ONE_AZ = FIXTURES / "rules" / "CVL201" / "bad.yaml"
TIMEOUT = 60  # seconds: a loaded CI machine; the time to the first diagnostics is printed


class Editor:
    """A client that keeps what the server published, by URI, and wakes whoever waits for it."""

    def __init__(self) -> None:
        self.client = LanguageClient("test-editor", "1")
        self.published: Dict[str, List[types.Diagnostic]] = {}
        self.changed = asyncio.Event()

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def publish(params: types.PublishDiagnosticsParams) -> None:
            self.published[params.uri] = params.diagnostics
            self.changed.set()

    async def start(self, folder: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        guard = ROOT / "tests" / "offline_guard"
        env["PYTHONPATH"] = os.pathsep.join([str(guard), str(ROOT / "src")])
        await self.client.start_io(sys.executable, "-m", "clarify_vpc_lint.lsp", env=env)
        await self.client.initialize_async(
            types.InitializeParams(
                capabilities=types.ClientCapabilities(),
                workspace_folders=[types.WorkspaceFolder(uri=from_fs_path(str(folder)), name="p")],
            )
        )
        self.client.initialized(types.InitializedParams())

    async def diagnostics(self, uri: str, until) -> List[types.Diagnostic]:
        """The diagnostics of ``uri`` once ``until(diagnostics)`` holds."""

        async def wait() -> List[types.Diagnostic]:
            while uri not in self.published or not until(self.published[uri]):
                self.changed.clear()
                await self.changed.wait()
            return self.published[uri]

        return await asyncio.wait_for(wait(), TIMEOUT)

    async def stop(self) -> int:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        server = self.client._server
        assert server is not None
        code = await asyncio.wait_for(server.wait(), TIMEOUT)
        await self.client.stop()
        return code


def _rules(diagnostics: List[types.Diagnostic]) -> List[str]:
    return [str(d.code) for d in diagnostics]


def _offset(text: str, position: types.Position) -> int:
    lines = text.split("\n")
    return sum(len(line) + 1 for line in lines[: position.line]) + position.character


def _applied(text: str, edit: types.WorkspaceEdit, uri: str) -> str:
    assert edit.changes is not None and list(edit.changes) == [uri]
    for change in sorted(
        edit.changes[uri], key=lambda e: _offset(text, e.range.start), reverse=True
    ):
        start, end = _offset(text, change.range.start), _offset(text, change.range.end)
        text = text[:start] + change.new_text + text[end:]
    return text


def _change(editor: Editor, uri: str, version: int, text: str) -> None:
    editor.client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def test_one_az_model_is_shown_fixed_ignored_and_the_server_exits(tmp_path: Path) -> None:
    template = tmp_path / "ml.yaml"
    shutil.copy(ONE_AZ, template)
    text = template.read_text()
    model_line = text.splitlines().index("  Model:  # <- CVL201")
    uri = from_fs_path(str(template))

    async def scenario() -> None:
        editor = Editor()
        await editor.start(tmp_path)
        opened = time.perf_counter()
        editor.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id="yaml", version=1, text=text
                )
            )
        )
        shown = await editor.diagnostics(uri, lambda d: "CVL201" in _rules(d))
        print(f"CVL201 shown {time.perf_counter() - opened:.2f} s after opening")
        (diagnostic,) = [d for d in shown if d.code == "CVL201"]
        assert diagnostic.severity == types.DiagnosticSeverity.Error
        assert diagnostic.range.start.line >= model_line  # the model, or its wrong property
        assert diagnostic.source == "clarify-vpc-lint"
        assert diagnostic.code_description.href.endswith("CVL201.md")
        assert all(d.severity == types.DiagnosticSeverity.Hint for d in shown if d.code != "CVL201")

        hover = await editor.client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=diagnostic.range.start,
            )
        )
        assert hover is not None and "CVL201" in hover.contents.value
        assert "## Why is this bad?" in hover.contents.value  # --explain's text

        actions = await editor.client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=diagnostic.range,
                context=types.CodeActionContext(diagnostics=[diagnostic]),
            )
        )
        by_title = {a.title: a for a in actions}
        ignore = by_title["Ignore CVL201 here"]

        (fix,) = [a for a in actions if a.title.startswith("Fix CVL201")]

        # the fix, as --fix writes it, applied unsaved: the finding goes
        fixed = _applied(text, fix.edit, uri)
        changed = [
            (before, after)
            for before, after in zip(text.splitlines(), fixed.splitlines(), strict=True)
            if before != after
        ]  # the model's subnets gain SubnetB (another zone, same route table); nothing else
        assert changed == [
            ("        Subnets: [!Ref SubnetA]", "        Subnets: [!Ref SubnetA, !Ref SubnetB]")
        ]
        _change(editor, uri, 2, fixed)
        await editor.diagnostics(uri, lambda d: "CVL201" not in _rules(d))
        assert template.read_text() == text  # the server never writes the user's file

        # half-typed YAML: one error at its line, and the server goes on
        broken = text.replace("  Model:  # <- CVL201", "  Model: [", 1)
        _change(editor, uri, 3, broken)
        (error,) = await editor.diagnostics(uri, lambda d: "CVL201" not in _rules(d) and d)
        assert error.severity == types.DiagnosticSeverity.Error and error.code is None
        assert error.message.startswith("invalid YAML")

        # back to the one-AZ text: the finding comes back (a change re-judges)
        _change(editor, uri, 4, text)
        await editor.diagnostics(uri, lambda d: "CVL201" in _rules(d))

        # "ignore here": an unsaved inline suppression on the line above the model hides it
        ignored = _applied(text, ignore.edit, uri)
        assert ignored.splitlines()[model_line].startswith("  # clarify-vpc-lint: ignore[CVL201] ")
        _change(editor, uri, 5, ignored)
        await editor.diagnostics(uri, lambda d: "CVL201" not in _rules(d))

        # saved: the file on disk is what is judged, and a save publishes again
        template.write_text(ignored)
        editor.published.pop(uri)
        editor.client.text_document_did_save(
            types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        await editor.diagnostics(uri, lambda d: "CVL201" not in _rules(d))

        assert await editor.stop() == 0  # shutdown, then exit: a clean exit

    asyncio.run(scenario())


def test_a_buffer_stands_for_its_file_in_the_project(tmp_path: Path) -> None:
    """Unsaved text is judged, the file on disk is not, and another file of the project is read
    from disk: the project is judged as the editor shows it."""
    shutil.copy(ONE_AZ, tmp_path / "ml.yaml")
    shutil.copy(ONE_AZ, tmp_path / "other.yaml")
    project = judging.project_of(str(tmp_path / "ml.yaml"), [str(tmp_path)])
    assert project.root == os.path.realpath(tmp_path)

    def cvl201_files(result: Result) -> List[str]:
        return sorted(os.path.basename(f.file) for f in result.findings if f.rule == "CVL201")

    kept: judging.Kept = {}  # the server keeps the documents parsed by the last judgement
    assert cvl201_files(judging.judge(project, {}, kept)) == ["ml.yaml", "other.yaml"]
    assert len(kept) == 2
    two_azs = ONE_AZ.read_text().replace(
        "Subnets: [!Ref SubnetA]\n        SecurityGroupIds",
        "Subnets: [!Ref SubnetA, !Ref SubnetB]\n        SecurityGroupIds",
    )
    buffers = {str(tmp_path / "ml.yaml"): two_azs}
    assert cvl201_files(judging.judge(project, buffers, kept)) == ["other.yaml"]
    assert cvl201_files(judging.judge(project, {}, kept)) == ["ml.yaml", "other.yaml"]
    assert len(kept) == 2  # the buffer's document is dropped once its text is gone


def test_a_crash_is_an_error_on_the_project_not_a_dead_server(tmp_path, monkeypatch) -> None:
    shutil.copy(ONE_AZ, tmp_path / "ml.yaml")
    project = judging.project_of(str(tmp_path / "ml.yaml"), [str(tmp_path)])

    def crash(options):
        raise KeyError("a rule's bug")

    monkeypatch.setattr(judging, "run", crash)
    result = judging.judge(project, {})
    (error,) = judging.errors_in(str(tmp_path / "ml.yaml"), result, project)
    assert error.message == 'not judged: KeyError: "a rule\'s bug"'


def test_a_broken_config_file_is_shown_not_raised(tmp_path: Path) -> None:
    shutil.copy(ONE_AZ, tmp_path / "ml.yaml")
    (tmp_path / ".clarify-vpc-lint.yaml").write_text("bogus: 1\n")
    project = judging.project_of(str(tmp_path / "ml.yaml"), [str(tmp_path)])
    assert project.config_path == os.path.realpath(tmp_path / ".clarify-vpc-lint.yaml")
    result = judging.judge(project, {})
    (error,) = judging.errors_in(str(tmp_path / "ml.yaml"), result, project)
    assert "unknown configuration key(s): bogus" in error.message


def test_an_inventory_subject_is_shown_where_the_open_file_names_it(tmp_path: Path) -> None:
    """A VPC known from `describe-subnets` has no sagemaker.api endpoint: the job's request
    shows it at the line naming the VPC's subnets, saying where the subject is."""
    shutil.copytree(ROOT / "examples" / "api", tmp_path / "api")
    request = tmp_path / "api" / "create-processing-job.json"
    project = judging.project_of(str(request), [str(tmp_path)])
    result = judging.judge(project, {})
    text = request.read_text()
    shown = {s.finding.rule: s for s in judging.shown_in(str(request), text, result, project)}
    cvl302 = shown["CVL302"]
    assert not cvl302.here  # its subject is the VPC, in the inventory
    assert '"Subnets": ["subnet-0a1b2c3d4e5f60001"' in text.splitlines()[cvl302.line]
    assert cvl302.message.endswith(" (in api/describe-subnets.json:3)")
    assert judging.ignore_edit(str(request), text, cvl302) is None  # JSON holds no comment


def test_a_finding_in_another_template_is_shown_where_the_open_one_imports_it(
    tmp_path: Path,
) -> None:
    """The network stack has no sagemaker.runtime endpoint: the ML stack open in the editor
    shows CVL303 at the line importing the network stack's subnets, saying where it is."""
    for name in ("network.yaml", "ml.yaml"):
        shutil.copy(FIXTURES / "hosts" / "two-stacks" / name, tmp_path / name)
    network = tmp_path / "network.yaml"
    text = network.read_text()
    start, end = text.index("  SageMakerRuntimeEndpoint:\n"), text.index("  LogsEndpoint:\n")
    network.write_text(text[:start] + text[end:])
    ml = tmp_path / "ml.yaml"
    project = judging.project_of(str(ml), [str(tmp_path)])
    result = judging.judge(project, {})
    lines = ml.read_text().splitlines()
    shown = {s.finding.rule: s for s in judging.shown_in(str(ml), ml.read_text(), result, project)}
    cvl303 = shown["CVL303"]
    assert not cvl303.here and "!ImportValue ml-network-subnets" in lines[cvl303.line]
    assert cvl303.message.endswith(" (in network.yaml:3)")
    assert judging.ignore_edit(str(ml), ml.read_text(), cvl303) is None  # not its subject


def test_the_cli_never_imports_the_language_server(tmp_path: Path) -> None:
    shutil.copy(ONE_AZ, tmp_path / "ml.yaml")
    code = (
        "import sys\nfrom clarify_vpc_lint.cli import main\n"
        f"main([{str(tmp_path)!r}, '--format', 'json'])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pygls', 'lsprotocol')"
        " or m.startswith('clarify_vpc_lint.lsp')))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    completed = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert completed.stdout.splitlines()[-1] == "[]", completed.stderr


def test_ignore_here_is_a_comment_above_the_subject_at_its_indentation() -> None:
    """YAML, HCL and Python take `#`; the file's line endings are kept."""

    def shown_at(line: int) -> judging.Shown:
        finding = Finding("CVL101", "n", "error", "f", line, 5, "r", "m", "")
        return judging.Shown(finding, line - 1, 4, line - 1, -1, "m", True)

    hcl = 'resource "aws_sagemaker_model" "m" {\r\n  vpc_config {\r\n  }\r\n}\r\n'
    start, end, text = judging.ignore_edit("main.tf", hcl, shown_at(2))
    assert start == end == hcl.index("  vpc_config")
    assert text == "  # clarify-vpc-lint: ignore[CVL101] TODO: say why\r\n"
    python = "def run():\n    processor.run_bias(\n        data_config=data,\n    )\n"
    start, _, text = judging.ignore_edit("job.py", python, shown_at(2))
    assert python[:start] + text + python[start:] == (
        "def run():\n    # clarify-vpc-lint: ignore[CVL101] TODO: say why\n"
        "    processor.run_bias(\n        data_config=data,\n    )\n"
    )
    assert judging.ignore_edit("job.json", python, shown_at(2)) is None


def test_a_declared_jobs_finding_is_shown_where_the_open_file_defines_its_network(
    tmp_path: Path,
) -> None:
    """A job declared in the config file with isolation on (CVL101) runs in a template's subnets
    (logical IDs) or a .tf's (addresses): each shows it at the first resource the job names."""
    for case, opened, defines in (
        (FIXTURES / "config" / "declared", "network.yaml", "  SubnetA:"),
        (FIXTURES / "rules" / "CVL101" / "tf-bad", "main.tf", 'resource "aws_subnet" "private" {'),
    ):
        folder = tmp_path / case.name
        shutil.copytree(case, folder)
        (folder / "clarify-vpc-lint.yaml").rename(folder / ".clarify-vpc-lint.yaml")
        path = str(folder / opened)
        project = judging.project_of(path, [str(tmp_path)])
        assert project.root == os.path.realpath(folder)  # the config's folder
        result = judging.judge(project, {})
        text = (folder / opened).read_text()
        uses = judging.declared_uses(project, {})
        (shown,) = [
            s
            for s in judging.shown_in(path, text, result, project, uses)
            if s.finding.rule == "CVL101"
        ]
        assert text.splitlines()[shown.line] == defines
        assert shown.message.endswith(f" (in .clarify-vpc-lint.yaml:{shown.finding.line})")


def test_positions_are_counted_in_utf16_units_as_lsp_wants() -> None:
    from clarify_vpc_lint.lsp.server import client_position

    text = "Description: café 🚀 stack\n  Model:\n"
    # after "é" (one unit) and the rocket (two units: a surrogate pair)
    assert (
        client_position(text, 0, len("Description: café 🚀")).character
        == len("Description: café ") + 2
    )
    assert (
        client_position(text, 0, -1).character == len("Description: café  stack") + 2
    )  # line's end
    assert client_position(text, 1, 2) == types.Position(line=1, character=2)
