"""Benchmark: the HCL parsers considered for ``.tf`` files (issue 20), each in a fresh process.

    PYTHONPATH=src python bench/hcl_parsers.py [--blocks 1000] [--python-hcl2 DIR]

Then, for the linter on PYTHONPATH, the CPU of a whole ``clarify-vpc-lint`` process on a small
root module (the CVL201 Terraform fixture: 98 lines) against ``python -c "import yaml,
jmespath"`` (the start-up floor bench/run.py uses), median of five.

Generates one ``.tf`` file of N resource blocks and prints, per candidate, CPU seconds (best of
three fresh processes) for:
  import   - importing the parser and building it, before any text is read
  parse    - parsing the generated file once the parser is built
  hostile  - parsing an unclosed string of 14 characters (a grammar that backtracks hangs here)
Candidates: tree-sitter + tree-sitter-hcl (what readers/terraform/config uses), bc-python-hcl2 (the
fork checkov installs; its import builds a Lark parser and caches it as a pickle in the shared
temp directory), python-hcl2 (imports as ``hcl2`` too, so it clashes with bc-python-hcl2: give
a ``pip install --target DIR python-hcl2`` directory with --python-hcl2), and bare Lark with
bc-python-hcl2's packaged grammar and no cache (what a pickle-free Lark parser costs per run).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, Optional

_BLOCK = """resource "aws_security_group" "sg{i}" {{
  name   = "sg-${{var.env}}-{i}"
  vpc_id = aws_vpc.main.id
  ingress {{
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = [cidrsubnet(var.cidr, 8, {i} % 256)]
  }}
  tags = {{ Name = "sg{i}", Index = {i} * 2 }}
}}
"""

_CANDIDATES: Dict[str, Dict[str, str]] = {
    "tree-sitter-hcl": {
        "setup": "import tree_sitter, tree_sitter_hcl\n"
        "parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_hcl.language()))\n"
        "parse = lambda text: parser.parse(text.encode())",
    },
    "bc-python-hcl2": {"setup": "import hcl2\nparse = hcl2.loads"},
    "python-hcl2": {"setup": "import hcl2\nparse = hcl2.loads"},
    "lark + packaged grammar, no cache": {
        "setup": "import importlib.util, pathlib, lark\n"
        "spec = importlib.util.find_spec('hcl2')\n"
        "grammar = (pathlib.Path(spec.submodule_search_locations[0]) / 'hcl2.lark').read_text()\n"
        "parser = lark.Lark(grammar, parser='lalr')\n"
        "parse = parser.parse",
    },
}

_PROGRAM = """
import resource, sys, time
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
start = cpu()
{setup}
built = cpu()
text = open(sys.argv[1]).read()
parse(text)
parsed = cpu()
try:
    parse(open(sys.argv[2]).read())
except Exception:
    pass
print(built - start, parsed - built, cpu() - parsed)
"""


def _run(setup: str, files: tuple, path: Optional[str]) -> Optional[tuple]:
    env_path = f"{path}" if path else ""
    command = [sys.executable, "-c", _PROGRAM.format(setup=setup), *files]
    env = {"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"}
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    except subprocess.TimeoutExpired:
        return None
    if done.returncode != 0:
        return ()
    return tuple(float(x) for x in done.stdout.split())


def _process_cpu(command: list, env: dict) -> float:
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, capture_output=True, env=env, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def _small_root() -> None:
    import os
    import statistics

    fixture = Path(__file__).parent.parent / "tests/fixtures/rules/CVL201/tf-bad/main.tf"
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "main.tf").write_text(fixture.read_text())
        lint = [sys.executable, "-m", "clarify_vpc_lint", tmp, "--fail-on", "never"]
        floor = [sys.executable, "-c", "import yaml, jmespath"]
        linter = statistics.median(_process_cpu(lint, env) for _ in range(5))
        bare = statistics.median(_process_cpu(floor, env) for _ in range(5))
    print(
        f"small .tf root, whole process: {linter:.3f} s CPU; import floor {bare:.3f} s; "
        f"{linter / bare:.1f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--blocks", type=int, default=1000)
    parser.add_argument("--python-hcl2", help="a pip --target directory holding python-hcl2")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "main.tf"
        big.write_text("".join(_BLOCK.format(i=i) for i in range(args.blocks)))
        hostile = Path(tmp) / "hostile.tf"
        hostile.write_text('x = "' + "a" * 14 + "\n")
        print(f"{args.blocks} blocks, {big.stat().st_size:,} bytes; CPU s, best of 3")
        print(f"{'candidate':36} {'import':>8} {'parse':>8} {'hostile':>8}")
        for name, candidate in _CANDIDATES.items():
            path = args.python_hcl2 if name == "python-hcl2" else None
            if name == "python-hcl2" and not path:
                print(f"{name:36} (not measured: pass --python-hcl2 DIR)")
                continue
            runs = [_run(candidate["setup"], (str(big), str(hostile)), path) for _ in range(3)]
            if any(run is None for run in runs):
                print(f"{name:36} timed out (120 s)")
                continue
            if any(run == () for run in runs):
                print(f"{name:36} not installed or failed")
                continue
            best = [min(run[i] for run in runs) for i in range(3)]
            print(f"{name:36} {best[0]:8.3f} {best[1]:8.3f} {best[2]:8.3f}")
    _small_root()


if __name__ == "__main__":
    main()
