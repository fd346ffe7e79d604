"""Regenerate every generated test file with one command, from anywhere:

    python tests/regenerate.py              # fixtures from patches, Terraform plans, snapshots
    python tests/regenerate.py --snapshots  # only the snapshots (a rule's findings changed)
    python tests/regenerate.py --plans      # also re-plan every Terraform fixture, changed or not

1. Fixtures from patches over one correct network per language (``tests/fixtures/generate.py``).
2. Terraform plans: the ``plan.json`` beside a ``main.tf`` whose configuration step 1 changed (or
   that has none yet), made by real terraform through ``../shared/tools/tfplan`` (about 20 s
   each). Without that tool the step is skipped, saying so: the plans are committed, and the
   tests read them, so running the tests needs no terraform.
3. Snapshots: every fixture case's complete findings, ``tests/snapshots/<folder>.json``, one
   file per fixture folder (``rules/CVL201.json``, ``cli.json`` ...). Review their diff before
   committing it: it is every change in what the linter reports on the fixtures.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Iterable, List, Set

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests" / "fixtures")]

import cases  # noqa: E402  (tests/fixtures, put on the path above)
import generate  # noqa: E402

SNAPSHOTS = ROOT / "tests" / "snapshots"
TFPLAN = ROOT.parent / "shared" / "tools" / "tfplan"


def snapshot_text(snapshot: Dict[str, Any]) -> str:
    return json.dumps(snapshot, indent=2, ensure_ascii=False) + "\n"


def write_snapshots() -> None:
    written = cases.snapshots()
    for path in sorted(SNAPSHOTS.rglob("*.json")):
        if path not in written:
            path.unlink()
            print(f"removed {path.relative_to(ROOT)}")
    for path, snapshot in sorted(written.items()):
        text = snapshot_text(snapshot)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")


def _planned_roots() -> Set[Path]:
    """Every Terraform fixture that has a plan (a root module, not a module it calls)."""
    return {p.parent for p in cases.FIXTURES.rglob("plan.json") if (p.parent / "main.tf").is_file()}


def replan(folders: Iterable[Path]) -> None:
    folders = sorted(set(folders))
    if folders and not TFPLAN.is_file():
        print(f"plans: {TFPLAN} not found; {len(folders)} plan.json not remade:", file=sys.stderr)
        for folder in folders:
            print(f"  {folder.relative_to(ROOT)}", file=sys.stderr)
        return
    for folder in folders:
        subprocess.run([str(TFPLAN), str(folder), str(folder / "plan.json")], check=True)


def _configuration(text: str) -> str:
    """A .tf file without its comments and blank lines: what a plan depends on."""
    return "\n".join(
        line for line in text.splitlines() if line.strip() and not re.match(r"\s*#", line)
    )


def main(argv: List[str]) -> int:
    if "--snapshots" not in argv:
        before = {p: _configuration(p.read_text()) for p in cases.FIXTURES.rglob("*.tf")}
        try:
            written = generate.write_all()
        except generate.PatchError as error:
            print(error, file=sys.stderr)
            return 1
        for path in written:
            print(f"{'wrote' if path.exists() else 'removed'} {path.relative_to(ROOT)}")
        cases_of_patches = {generate.folder_of(p) for p in generate.folder_patches()}
        planned = _planned_roots() | {c for c in cases_of_patches if (c / "main.tf").is_file()}
        roots = {
            next(folder for folder in p.parents if folder in planned or folder == cases.FIXTURES)
            for p in written
            if p.suffix == ".tf"
            and (not p.exists() or _configuration(p.read_text()) != before.get(p))
        } - {cases.FIXTURES}
        # a new Terraform case has no plan yet
        roots |= {c for c in planned if not (c / "plan.json").is_file()}
        replan(_planned_roots() | roots if "--plans" in argv else roots)
    write_snapshots()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
