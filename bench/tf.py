"""Benchmark: evaluating a Terraform tree as written vs its bare HCL parse and vs ``checkov -d``.

    PYTHONPATH=src python bench/tf.py [--checkov] [--resources 1000]

Generates a root module calling ten local modules (1,000 resource blocks in all: VPCs,
subnets with cidrsubnet, security groups, endpoints with for_each, SageMaker models wired
through module outputs), then times (CPU seconds), best of three:
  parse     - the bare HCL parse of every file (tree-sitter-hcl, as readers/terraform/config parses)
  hcl2      - python-hcl2's ``hcl2.loads`` of every file (checkov's parse), where installed
  tfparse   - Trivy's evaluator (the alternative considered), where installed
  evaluate  - readers.terraform.config.read_configuration (parse + evaluation)
  linter    - ``clarify-vpc-lint TREE`` as a whole process (start-up, walk, rules, report)
  checkov   - ``checkov -d TREE --framework terraform --quiet`` (with --checkov; one run)
Targets (issue 13): linter <= 3x parse; checkov >= 10x the linter.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

MODULES = 10


def _module_text(index: int, blocks: int) -> str:
    per_kind = max(1, (blocks - 1) // 3)
    parts = [
        'variable "cidr" {\n  type = string\n}\n',
        'variable "zones" {\n  type    = list(string)\n  default = ["a", "b", "c"]\n}\n',
        f'locals {{\n  name = "net{index}"\n  region = "us-east-1"\n}}\n',
        'resource "aws_vpc" "this" {\n  cidr_block           = var.cidr\n'
        "  enable_dns_support   = true\n  enable_dns_hostnames = true\n"
        "  tags                 = { Name = local.name }\n}\n",
    ]
    for n in range(per_kind):
        parts.append(
            f'resource "aws_subnet" "s{n}" {{\n'
            "  count             = 1\n"
            "  vpc_id            = aws_vpc.this.id\n"
            f"  cidr_block        = cidrsubnet(var.cidr, 8, {n} + count.index)\n"
            f'  availability_zone = "${{local.region}}${{element(var.zones, {n})}}"\n'
            f'  tags              = merge({{ Name = "${{local.name}}-{n}" }}, {{ Tier = "private" }})\n'
            "}\n"
        )
        parts.append(
            f'resource "aws_security_group" "g{n}" {{\n'
            f'  name   = "${{local.name}}-g{n}"\n'
            "  vpc_id = aws_vpc.this.id\n"
            "  ingress {\n    from_port   = 443\n    to_port     = 443\n"
            '    protocol    = "tcp"\n    cidr_blocks = [var.cidr]\n  }\n'
            "  egress {\n    from_port   = 0\n    to_port     = 0\n"
            '    protocol    = "-1"\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n'
            "}\n"
        )
        parts.append(
            f'resource "aws_vpc_endpoint" "e{n}" {{\n'
            '  for_each            = toset(["sagemaker.api"])\n'
            "  vpc_id              = aws_vpc.this.id\n"
            '  service_name        = format("com.amazonaws.%s.%s", local.region, each.key)\n'
            '  vpc_endpoint_type   = "Interface"\n'
            "  private_dns_enabled = true\n"
            f"  subnet_ids          = aws_subnet.s{n}[*].id\n"
            f"  security_group_ids  = [aws_security_group.g{n}.id]\n"
            "}\n"
        )
    parts.append(
        'output "subnet_ids" {\n'
        f"  value = [{', '.join(f'aws_subnet.s{n}[0].id' for n in range(per_kind))}]\n"
        "}\n"
        'output "group_id" {\n  value = aws_security_group.g0.id\n}\n'
    )
    return "\n".join(parts)


def _root_text(models: int) -> str:
    parts = ['provider "aws" {\n  region = "us-east-1"\n}\n']
    for index in range(MODULES):
        parts.append(
            f'module "net{index}" {{\n  source = "./modules/net{index}"\n'
            f'  cidr   = "10.{index}.0.0/16"\n}}\n'
        )
    for n in range(models):
        net = n % MODULES
        parts.append(
            f'resource "aws_sagemaker_model" "m{n}" {{\n'
            f'  name               = "model-{n}"\n'
            '  execution_role_arn = "arn:aws:iam::111122223333:role/Model"\n'
            "  vpc_config {\n"
            f"    subnets            = slice(module.net{net}.subnet_ids, 0, 2)\n"
            f"    security_group_ids = [module.net{net}.group_id]\n"
            "  }\n}\n"
        )
    return "\n".join(parts)


def generate(root: Path, resources: int) -> int:
    """Write the tree; returns the number of resource blocks."""
    models = resources // 10
    per_module = (resources - models) // MODULES
    for index in range(MODULES):
        directory = root / "modules" / f"net{index}"
        directory.mkdir(parents=True)
        (directory / "main.tf").write_text(_module_text(index, per_module))
    (root / "main.tf").write_text(_root_text(models))
    return sum(
        path.read_text().count('\nresource "') + path.read_text().startswith("resource ")
        for path in root.rglob("*.tf")
    )


def _best(function: Callable[[], object], runs: int = 3) -> float:
    """Best CPU seconds of three runs: the machine may be shared, CPU time is what we spend."""
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        function()
        best = min(best, time.process_time() - start)
    return best


def _process(command: list, runs: int = 3) -> float:
    """Best CPU seconds (user + system) of a whole process, start-up included."""
    best = float("inf")
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        best = min(best, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--resources", type=int, default=1000)
    parser.add_argument("--checkov", action="store_true")
    args = parser.parse_args()

    from clarify_vpc_lint.readers.terraform.config import hcl, read_configuration

    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        blocks = generate(root, args.resources)
        files = sorted(root.rglob("*.tf"))
        texts = [path.read_text() for path in files]
        hcl._parser()  # import the parser once, as every later call is

        parse = _best(lambda: [hcl._parser().parse((text + "\n").encode()) for text in texts])
        evaluation = read_configuration(root)
        evaluate = _best(lambda: read_configuration(root))
        print(
            f"{blocks} resource blocks, {len(evaluation.instances)} instances, {len(files)} files"
        )
        print(f"parse     {parse:7.3f} s  (tree-sitter, bare)")
        try:
            import hcl2

            loads = _best(lambda: [hcl2.loads(text) for text in texts])
            print(f"hcl2      {loads:7.3f} s  (python-hcl2 loads, checkov's parse)")
        except ImportError:
            pass
        try:  # Trivy's evaluator, for the library choice (not a dependency)
            import tfparse

            go = _best(lambda: tfparse.load_from_path(root))
            print(f"tfparse   {go:7.3f} s  (parse + evaluation in Go, where installed)")
        except ImportError:
            pass
        print(f"evaluate  {evaluate:7.3f} s  = {evaluate / parse:.2f}x parse (target <= 3x)")
        linter = [sys.executable, "-m", "clarify_vpc_lint", str(root), "--format", "json"]
        whole = _process(linter)
        print(f"linter    {whole:7.3f} s  = {whole / parse:.2f}x parse (the whole process)")
        if args.checkov:
            checkov = shutil.which("checkov") or str(Path(sys.executable).parent / "checkov")
            command = [checkov, "-d", str(root), "--framework", "terraform", "--quiet", "--compact"]
            elapsed = _process(command, runs=1)
            print(
                f"checkov   {elapsed:7.3f} s  = {elapsed / whole:.1f}x the linter's whole process"
                f" (target >= 10x), {elapsed / evaluate:.1f}x evaluate"
            )


if __name__ == "__main__":
    main()
