"""Benchmark: clarify-vpc-lint-lsp on a project of N CloudFormation templates, driven over stdio.

    PYTHONPATH=src python bench/lsp.py [--templates 100] [--changes 10]

Writes N templates (copies of the private-VPC fixture; the first has a one-AZ model) into a
temporary folder, starts the server as an editor does, opens the first template, then changes
it back and forth between the one-AZ text and its fix (unsaved). Prints, in seconds:
  first      - from opening the template to its diagnostics (the workspace's first lint)
  change     - from each change to its diagnostics: median and worst, with the debounce
               (DEBOUNCE_SECONDS) the server waits for typing to stop
  judge      - the same judgement in this process, without the protocol: wall and CPU (median),
               each file parsed afresh, and with the last judgement's parsed documents kept (as
               the server does: only the changed template is parsed again)
CPU is what a judgement costs; wall time includes what other processes on the machine take.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

from clarify_vpc_lint.lsp import judging
from clarify_vpc_lint.lsp.server import DEBOUNCE_SECONDS

ROOT = Path(__file__).resolve().parents[1]
GOOD = ROOT / "tests" / "fixtures" / "good" / "private-clarify-vpc.yaml"
ONE_AZ = ROOT / "tests" / "fixtures" / "rules" / "CVL201" / "bad.yaml"
FIXED = ONE_AZ.read_text().replace(
    "Subnets: [!Ref SubnetA]\n        SecurityGroupIds",
    "Subnets: [!Ref SubnetA, !Ref SubnetB]\n        SecurityGroupIds",
)


async def drive(folder: Path, changes: int) -> None:
    client = LanguageClient("bench", "1")
    published: dict = {}
    arrived = asyncio.Event()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def publish(params: types.PublishDiagnosticsParams) -> None:
        published[params.uri] = [str(d.code) for d in params.diagnostics]
        arrived.set()

    async def shown(uri: str, wanted: bool) -> None:
        while ("CVL201" in published.get(uri, [])) != wanted or uri not in published:
            arrived.clear()
            await arrived.wait()

    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    await client.start_io(sys.executable, "-m", "clarify_vpc_lint.lsp", env=env)
    await client.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            workspace_folders=[types.WorkspaceFolder(uri=from_fs_path(str(folder)), name="b")],
        )
    )
    client.initialized(types.InitializedParams())
    uri = from_fs_path(str(folder / "t000.yaml"))
    start = time.perf_counter()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="yaml", version=1, text=ONE_AZ.read_text()
            )
        )
    )
    await shown(uri, True)
    print(f"first   {time.perf_counter() - start:.2f}")
    times = []
    for version in range(2, changes + 2):
        fixed = version % 2 == 0
        start = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[
                    types.TextDocumentContentChangeWholeDocument(
                        text=FIXED if fixed else ONE_AZ.read_text()
                    )
                ],
            )
        )
        await shown(uri, not fixed)
        times.append(time.perf_counter() - start)
    print(
        f"change  median {statistics.median(times):.2f}  worst {max(times):.2f}  "
        f"(of which debounce {DEBOUNCE_SECONDS:.2f})"
    )
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()


def judge_in_process(folder: Path, changes: int) -> None:
    project = judging.project_of(str(folder / "t000.yaml"), [str(folder)])
    for label, kept in (("fresh", None), ("kept", {})):
        walls, cpus = [], []
        for version in range(changes + 1):
            text = FIXED if version % 2 else ONE_AZ.read_text()
            wall, cpu = time.perf_counter(), time.process_time()
            judging.judge(project, {str(folder / "t000.yaml"): text}, kept)
            if version:  # the first fills ``kept``
                walls.append(time.perf_counter() - wall)
                cpus.append(time.process_time() - cpu)
        print(
            f"judge   {label:5}  wall {statistics.median(walls):.2f}  "
            f"cpu {statistics.median(cpus):.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--templates", type=int, default=100)
    parser.add_argument("--changes", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        for index in range(args.templates):
            source = ONE_AZ if index == 0 else GOOD
            (folder / f"t{index:03}.yaml").write_text(source.read_text())
        print(f"{args.templates} templates, {args.changes} changes; seconds:")
        asyncio.run(drive(folder, args.changes))
        judge_in_process(folder, args.changes)


if __name__ == "__main__":
    main()
