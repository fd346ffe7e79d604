"""What the checkov plugin costs: checkov with our checks against checkov alone, same files.

    python bench/checkov_plugin.py [--pairs 8] [--only examples|templates] [--variant as-is ...]

CPU time (user + system) of checkov's whole process tree (its runner processes are waited for,
so their time is counted), the two commands run one right after the other in pairs, alternating
which goes first; each row gives both medians and the median of the pairs' ratios with their
range (the machine's noise). Inputs: ``examples/`` (CloudFormation, Terraform, plans, API JSON,
Python) and 200 templates (the rules' fixtures, cycled). Variants: checkov's command as is,
with ``--skip-framework yaml``, and with the frameworks the README names on both sides. Nothing
here asserts.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path
from typing import List, Sequence

from run import BIN, ENV, EXAMPLES, LINTER, ROOT, _load, measure

FRAMEWORKS = ["--framework", "cloudformation", "terraform", "terraform_plan", "json"]
VARIANTS = {
    "as-is": ([], []),
    "skip-yaml": (["--skip-framework", "yaml"], ["--skip-framework", "yaml"]),
    "frameworks": (FRAMEWORKS, FRAMEWORKS),  # the README's command, and checkov given the same
}


def templates(folder: Path, count: int = 200) -> Path:
    files = sorted(
        p
        for p in (ROOT / "tests" / "fixtures" / "rules").glob("*/*.yaml")
        if p.name != "expected-lines.yaml"
    )
    folder.mkdir(exist_ok=True)
    for number in range(count):
        path = files[number % len(files)]
        shutil.copy(path, folder / f"{number:03}-{path.parent.name}-{path.name}")
    return folder


def pairs(ours: Sequence[str], theirs: Sequence[str], count: int, cwd: Path) -> List[tuple]:
    """(ours, theirs) CPU seconds of ``count`` pairs; every other pair runs theirs first."""
    samples = []
    for number in range(count):
        if number % 2:
            theirs_cpu = measure(theirs, 1, cwd).cpu
            ours_cpu = measure(ours, 1, cwd).cpu
        else:
            ours_cpu = measure(ours, 1, cwd).cpu
            theirs_cpu = measure(theirs, 1, cwd).cpu
        samples.append((ours_cpu, theirs_cpu))
    return samples


def shown(samples: List[tuple]) -> str:
    ratios = sorted(a / b for a, b in samples)
    median = statistics.median
    ours, theirs = median(a for a, _ in samples), median(b for _, b in samples)
    return (
        f"{ours:.2f} s / {theirs:.2f} s = {(median(ratios) - 1) * 100:+.0f}% "
        f"({(ratios[0] - 1) * 100:+.0f}..{(ratios[-1] - 1) * 100:+.0f}), {len(samples)} pairs"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=8)
    parser.add_argument("--only", choices=("examples", "templates"), action="append")
    parser.add_argument("--variant", choices=list(VARIANTS), action="append")
    args = parser.parse_args()
    if not (BIN / "checkov").exists():
        raise SystemExit("checkov is not installed beside this interpreter")
    checks = subprocess.run(
        [*LINTER, "--checkov-dir"], capture_output=True, text=True, env=ENV, check=True
    ).stdout.strip()
    checkov = [str(BIN / "checkov"), "--skip-download", "--quiet", "-d", "."]
    print(f"checkov plugin overhead (CPU of the whole process tree); {_load()}")
    with tempfile.TemporaryDirectory() as directory:
        inputs = {"examples": EXAMPLES, "templates": templates(Path(directory) / "templates")}
        for name, folder in inputs.items():
            if args.only and name not in args.only:
                continue
            for variant, (plain_flags, our_flags) in VARIANTS.items():
                if args.variant and variant not in args.variant:
                    continue
                plain = [*checkov, *plain_flags]
                ours = [*checkov, *our_flags, "--external-checks-dir", checks]
                measure(ours, 1, folder)  # warm: byte-compiled, files in the page cache
                label = f"{name} ({'200 templates' if name == 'templates' else 'examples/'})"
                print(f"  {label:28} {variant:11} {shown(pairs(ours, plain, args.pairs, folder))}",
                      flush=True)  # fmt: skip
    print(f"At the end: {_load()}")


if __name__ == "__main__":
    main()
