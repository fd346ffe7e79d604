"""Write the per-rule documentation (``docs/rules/CVLxxx.md``) from the catalogue.

Usage: ``python -m clarify_vpc_lint.docs [DIRECTORY]`` (default ``docs/rules``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from .catalogue import explain, load_rules


def render_index() -> str:
    lines = [
        "# Rules",
        "",
        "| ID | name | severity | cfn-lint | checkov |",
        "|---|---|---|---|---|",
    ]
    for rule in load_rules():
        lines.append(
            f"| [{rule.id}]({rule.id}.md) | {rule.name} | {rule.severity} | "
            f"{rule.cfn_lint_id} | {rule.checkov_id} |"
        )
    return "\n".join(lines) + "\n"


def write_docs(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for rule in load_rules():
        (directory / f"{rule.id}.md").write_text(explain(rule), encoding="utf-8")
    (directory / "README.md").write_text(render_index(), encoding="utf-8")


if __name__ == "__main__":
    write_docs(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/rules"))
