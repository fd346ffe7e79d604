"""What the checkov plugin costs: checkov with our checks against checkov alone, same files.

    python bench/checkov_plugin.py [--pairs 8] [--only examples|templates] [--variant as-is ...]

CPU time (user + system) of checkov's whole process tree (its runner processes are waited for,
so their time is counted), the two commands run one right after the other in pairs, alternating
which goes first; each row gives both medians and the median of the pairs' ratios with their
range (the machine's noise). Inputs: ``examples/`` (CloudFormation, Terraform, plans, API JSON,
Python) and 200 templates (the rules' fixtures, cycled). Variants: checkov's command as is,
with ``--skip-framework yaml``, and with the frameworks the README names on both sides.

``--floor`` adds a row for the 200 templates: checkov with stand-in checks, one per rule, asked
about the very resource types our checks are (the types each rule judged there), that answer
PASSED at once. It is what checkov itself charges for asking a plugin about those resources and
recording the answers: no plugin that reports per resource can cost less. Nothing here asserts.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path
from typing import List, Sequence

from run import BIN, ENV, EXAMPLES, LINTER, PYTHON, ROOT, _load, measure

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


# The stand-ins: registered where our CloudFormation checks are, and only there, as ours are.
STAND_INS = """
from clarify_vpc_lint.checkov import loading_into

TYPES = {types}

if loading_into("checkov.cloudformation.checks.resource.registry", "cfn_registry"):
    from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
    from checkov.common.models.enums import CheckCategories, CheckResult

    class StandIn(BaseResourceCheck):
        def scan_resource_conf(self, conf):
            return CheckResult.PASSED

    for check_id, types in TYPES.items():
        StandIn(name=check_id, id=check_id, categories=[CheckCategories.NETWORKING],
                supported_resources=types)
"""
# The types each rule judged in a folder, as the plugin works them out when checkov loads it.
JUDGED_TYPES = (
    "import json, sys; sys.argv = ['checkov', '-d', '.']; "
    "from clarify_vpc_lint.checkov import _summary; print(json.dumps(_summary()['types']))"
)


def stand_ins(folder: Path, directory: Path) -> Path:
    """A checks directory of stand-ins for our CloudFormation checks in ``folder``."""
    judged = json.loads(
        subprocess.run(
            [PYTHON, "-c", JUDGED_TYPES], cwd=folder, env=ENV, capture_output=True, text=True,
            check=True,
        ).stdout
    )  # fmt: skip
    types = {
        f"CKV_CVL_{rule[3:]}": cfn
        for rule, kinds in judged.items()
        if (cfn := [t for t in kinds if t.startswith("AWS::")])
    }
    directory.mkdir()
    (directory / "__init__.py").write_text("")  # checkov loads checks only from a package
    (directory / "stand_ins.py").write_text(STAND_INS.format(types=repr(types)))
    return directory


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
    parser.add_argument("--floor", action="store_true", help="the stand-in row (see above)")
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
        if args.floor and (not args.only or "templates" in args.only):
            folder = inputs["templates"]
            plain = [*checkov, *FRAMEWORKS]
            standing = stand_ins(folder, Path(directory) / "stand-ins")
            floor = [*plain, "--external-checks-dir", str(standing)]
            measure(floor, 1, folder)
            print(f"  {'stand-ins (200 templates)':28} {'frameworks':11} "
                  f"{shown(pairs(floor, plain, args.pairs, folder))}", flush=True)  # fmt: skip
    print(f"At the end: {_load()}")


if __name__ == "__main__":
    main()
