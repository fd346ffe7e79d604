"""``clarify-vpc-lint-lsp``: the linter in an editor, as a Language Server over stdio (SPEC 7).

Install with the ``[lsp]`` extra (pygls and lsprotocol); the CLI never imports this package.
A thin host over ``clarify_vpc_lint.linter.run``, like the cfn-lint and checkov plugins:

- each open CloudFormation, Terraform, Python/notebook or API JSON file is judged in its project
  (its workspace folder, or the folder of a nearer config file; the config's inventories,
  parameters, declared jobs and ``projects:``; the project's other files read from disk), with
  the editor's unsaved buffers read in place of their files (``documents.reading_buffers``);
  nothing is ever written to disk by the server;
- diagnostics: each finding at its region, ``info`` as a hint, the rule ID as the code with its
  documentation as ``codeDescription``; a finding about an inventory subject or a declared job
  at the line of the open file naming it; an input error or a run that failed as an error;
- code actions: the finding's fix as ``--fix`` writes it, and "ignore here" (the inline
  suppression comment on the line above the subject); hover on a finding shows ``--explain``.

``judging`` holds what is shown and edited (no protocol); ``server`` the pygls wiring.
"""

from __future__ import annotations

import sys
from typing import List, Optional


def main(argv: Optional[List[str]] = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in ("-h", "--help"):
        sys.stdout.write(
            "usage: clarify-vpc-lint-lsp\n\nA Language Server over stdio: start it from an "
            "editor's LSP client (see the README, Editors).\n"
        )
        return 0
    try:
        from .server import build
    except ImportError as error:  # pygls is an extra
        sys.stderr.write(
            f"clarify-vpc-lint-lsp: error: {error.name or error} is not installed; "
            "pip install 'clarify-vpc-lint[lsp]'\n"
        )
        return 2
    build().start_io()
    return 0
