"""Benchmark clarify-vpc-lint on this machine and print one table (python bench/run.py).

Every row of the performance table is measured in one run, so the ratios hold on a busy machine:
each side of a ratio is measured in the same run, as CPU time (user + system) of whole processes
unless the row says in-process. The two sides of a ratio run in pairs, one right after the other,
and the row gives the median of the pairs' ratios with their range (the machine's noise); a ratio
within a tenth of its target is measured again with twice the pairs. Floors are processes too:
the same interpreter doing only the bare parse (PyYAML's C loader, ``json.load``, tree-sitter) of the same
files, or only ``import yaml, jmespath`` (the import floor). Targets are printed beside the
numbers; nothing here asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import yaml

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
SMALL = ROOT / "tests" / "fixtures" / "good" / "private-clarify-vpc.yaml"
API_JOB = ROOT / "tests" / "fixtures" / "good" / "api-private-clarify-vpc" / "job.json"
TF_SMALL = ROOT / "examples" / "terraform"
EXAMPLES = ROOT / "examples"
BIN = Path(sys.executable).parent
PYTHON = sys.executable
LINTER = [PYTHON, "-m", "clarify_vpc_lint"]
# This checkout's sources, compiled once as an installed package is (a run that compiles every
# module, as under PYTHONDONTWRITEBYTECODE, spends more on that than on linting a small file).
ENV = {
    **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    "PYTHONPATH": str(ROOT / "src"),
    "PYTHONPYCACHEPREFIX": str(Path.home() / ".cache" / "clarify-vpc-lint-bench" / "pycache"),
}
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "bench")]

# A process that does nothing but the bare parse of its arguments: the floor of each row.
FLOOR = """
import gc, json, sys, yaml
kind, paths = sys.argv[1], sys.argv[2:]
if kind.endswith("-gc-off"):  # the parse alone, without the collector's walks over its nodes
    gc.disable()
class Loader(yaml.CSafeLoader):
    pass
def tagged(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)
Loader.add_multi_constructor("!", tagged)
for path in paths:
    with open(path, "rb") as handle:
        json.load(handle) if kind.startswith("json") else yaml.load(handle, Loader=Loader)
"""


class Sample:
    """Medians of one whole process's CPU seconds, wall seconds and peak RSS (MB)."""

    def __init__(self, cpu: float, wall: float, peak: float) -> None:
        self.cpu, self.wall, self.peak = cpu, wall, peak


def measure(command: Sequence[str], runs: int, cwd: Optional[Path] = None) -> Sample:
    """Median CPU (user + system of the child), wall time and peak RSS of a whole process.

    GNU time reports the command's own peak; a child forked straight from this (large) process
    would count the parent's pages it held before exec.
    """
    cpus, walls, peaks = [], [], []
    wrapper = ["/usr/bin/time", "-f", "%M"] if Path("/usr/bin/time").exists() else []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        process = subprocess.Popen(
            [*wrapper, *command],
            cwd=cwd,
            env=ENV,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        _, stderr = process.communicate()
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        if wrapper:
            peaks.append(int(stderr.decode().strip().splitlines()[-1]) / 1024)
    median = statistics.median
    return Sample(median(cpus), median(walls), median(peaks) if peaks else float("nan"))


def floor(kind: str, paths: Sequence[Path], runs: int) -> Sample:
    return measure([PYTHON, "-c", FLOOR, kind, *map(str, paths)], runs)


class Pair:
    """Paired runs of two commands: each side's median CPU, and the pairs' ratios."""

    def __init__(self, ours: List[Sample], theirs: List[Sample]) -> None:
        self.ours = statistics.median(s.cpu for s in ours)
        self.theirs = statistics.median(s.cpu for s in theirs)
        self.peak = statistics.median(s.peak for s in ours)
        self.ratios = sorted(a.cpu / b.cpu for a, b in zip(ours, theirs, strict=False))
        self.ratio = statistics.median(self.ratios)

    def shown(self, unit: str = "s", percent: bool = False) -> str:
        scale, fmt = (1000, ".0f") if unit == "ms" else (1, ".2f")
        low, high = self.ratios[0], self.ratios[-1]
        if percent:
            ratio = (
                f"{(self.ratio - 1) * 100:+.0f}% ({(low - 1) * 100:+.0f}..{(high - 1) * 100:+.0f})"
            )
        else:
            ratio = f"{self.ratio:.2f}x ({low:.2f}..{high:.2f})"
        return f"{self.ours * scale:{fmt}} {unit} / {self.theirs * scale:{fmt}} {unit} = {ratio}"


def paired(
    ours: Sequence[str],
    theirs: Sequence[str],
    runs: int,
    target: Optional[float] = None,
    cwd: Optional[Path] = None,
) -> Pair:
    """``ours`` and ``theirs`` run alternately ``runs`` times; again as many where the median
    ratio lies within a tenth of ``target`` (close calls deserve more samples)."""
    mine: List[Sample] = []
    other: List[Sample] = []
    for _ in range(runs):
        mine.append(measure(ours, 1, cwd))
        other.append(measure(theirs, 1, cwd))
    pair = Pair(mine, other)
    if target is not None and abs(pair.ratio / target - 1) < 0.1:
        for _ in range(runs):
            mine.append(measure(ours, 1, cwd))
            other.append(measure(theirs, 1, cwd))
        pair = Pair(mine, other)
    return pair


IMPORT_FLOOR = [PYTHON, "-c", "import yaml, jmespath"]


def in_process(function: Callable[[], object], runs: int) -> float:
    """Median CPU seconds of ``function`` in this process."""
    samples = []
    for _ in range(runs):
        start = time.process_time()
        function()
        samples.append(time.process_time() - start)
    return statistics.median(samples)


# -- generated inputs ---------------------------------------------------------------------------------


def unit(i: int) -> Dict[str, dict]:
    """Ten resources: a VPC with two subnets, routes, a group, an endpoint, a model and a job."""
    ref = lambda name: {"Ref": f"{name}{i}"}  # noqa: E731
    return {
        f"Vpc{i}": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16", "EnableDnsHostnames": True}},
        f"SubnetA{i}": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": ref("Vpc"), "CidrBlock": "10.0.1.0/24",
                        "AvailabilityZone": {"Fn::Select": [0, {"Fn::GetAZs": ""}]}}},
        f"SubnetB{i}": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": ref("Vpc"), "CidrBlock": "10.0.2.0/24",
                        "AvailabilityZone": {"Fn::Select": [1, {"Fn::GetAZs": ""}]}}},
        f"Routes{i}": {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": ref("Vpc")}},
        f"AssocA{i}": {"Type": "AWS::EC2::SubnetRouteTableAssociation", "Properties": {"SubnetId": ref("SubnetA"), "RouteTableId": ref("Routes")}},
        f"Group{i}": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "g", "VpcId": ref("Vpc")}},
        f"SelfIngress{i}": {"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {"GroupId": ref("Group"), "SourceSecurityGroupId": ref("Group"), "IpProtocol": "-1"}},
        f"S3{i}": {"Type": "AWS::EC2::VPCEndpoint", "Properties": {"VpcId": ref("Vpc"), "ServiceName": {"Fn::Sub": "com.amazonaws.${AWS::Region}.s3"}, "RouteTableIds": [ref("Routes")]}},
        f"Model{i}": {"Type": "AWS::SageMaker::Model", "Properties": {"ExecutionRoleArn": "arn:aws:iam::1:role/m",
                      "PrimaryContainer": {"Image": "i", "ModelDataUrl": "s3://b/m.tar.gz"},
                      "VpcConfig": {"Subnets": [ref("SubnetA"), ref("SubnetB")], "SecurityGroupIds": [ref("Group")]}}},
        f"Job{i}": {"Type": "AWS::SageMaker::ProcessingJob", "Properties": {"RoleArn": "arn:aws:iam::1:role/c",
                    "AppSpecification": {"ImageUri": "205585389593.dkr.ecr.us-east-1.amazonaws.com/sagemaker-clarify-processing:1.0"},
                    "ProcessingResources": {"ClusterConfig": {"InstanceCount": 2, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 30}},
                    "NetworkConfig": {"VpcConfig": {"Subnets": [ref("SubnetA"), ref("SubnetB")], "SecurityGroupIds": [ref("Group")]}}}},
    }  # fmt: skip


def template(resources: int) -> str:
    body: Dict[str, dict] = {}
    for i in range(max(1, resources // 10)):
        body.update(unit(i))
    return yaml.safe_dump(
        {"AWSTemplateFormatVersion": "2010-09-09", "Resources": body}, sort_keys=False
    )


def plan(resources: int) -> str:
    """A plan of the same shape: subnets known, the model's subnets through configuration references."""
    planned, config = [], []
    for i in range(max(1, resources // 5)):
        planned += [
            {
                "address": f"aws_vpc.v{i}",
                "mode": "managed",
                "type": "aws_vpc",
                "name": f"v{i}",
                "values": {"cidr_block": "10.0.0.0/16"},
            },
            {
                "address": f"aws_subnet.a{i}",
                "mode": "managed",
                "type": "aws_subnet",
                "name": f"a{i}",
                "values": {"availability_zone": "us-east-1a", "cidr_block": "10.0.1.0/24"},
            },
            {
                "address": f"aws_subnet.b{i}",
                "mode": "managed",
                "type": "aws_subnet",
                "name": f"b{i}",
                "values": {"availability_zone": "us-east-1b", "cidr_block": "10.0.2.0/24"},
            },
            {
                "address": f"aws_vpc_endpoint.s{i}",
                "mode": "managed",
                "type": "aws_vpc_endpoint",
                "name": f"s{i}",
                "values": {
                    "service_name": "com.amazonaws.us-east-1.s3",
                    "vpc_endpoint_type": "Gateway",
                },
            },
            {
                "address": f"aws_sagemaker_model.m{i}",
                "mode": "managed",
                "type": "aws_sagemaker_model",
                "name": f"m{i}",
                "values": {
                    "name": f"m{i}",
                    "primary_container": [{"model_data_url": "s3://b/m"}],
                    "vpc_config": [{}],
                },
            },
        ]
        config += [
            {
                "address": f"aws_subnet.a{i}",
                "expressions": {"vpc_id": {"references": [f"aws_vpc.v{i}.id", f"aws_vpc.v{i}"]}},
            },
            {
                "address": f"aws_subnet.b{i}",
                "expressions": {"vpc_id": {"references": [f"aws_vpc.v{i}.id", f"aws_vpc.v{i}"]}},
            },
            {
                "address": f"aws_vpc_endpoint.s{i}",
                "expressions": {"vpc_id": {"references": [f"aws_vpc.v{i}.id", f"aws_vpc.v{i}"]}},
            },
            {
                "address": f"aws_sagemaker_model.m{i}",
                "expressions": {
                    "vpc_config": [
                        {
                            "subnets": {
                                "references": [
                                    f"aws_subnet.a{i}.id",
                                    f"aws_subnet.a{i}",
                                    f"aws_subnet.b{i}.id",
                                    f"aws_subnet.b{i}",
                                ]
                            }
                        }
                    ]
                },
            },
        ]
    for entry in planned:  # what `terraform show -json` also writes: about 1.5 KB a resource
        values = entry["values"]
        values.update({"tags": {"Name": entry["name"], "team": "ml-platform"}, "timeouts": None})
        values.update(
            {f"{attribute}_{n}": None for n in range(6) for attribute in ("ipv6", "owner")}
        )
        entry.update(
            {
                "provider_name": "registry.terraform.io/hashicorp/aws",
                "schema_version": 1,
                "sensitive_values": {"tags": {}, "tags_all": {}},
            }
        )
    changes = [
        {
            **{k: r[k] for k in ("address", "mode", "type", "name", "provider_name")},
            "change": {
                "actions": ["create"],
                "before": None,
                "after": r["values"],
                "after_unknown": {"arn": True, "id": True, "owner_id": True, "tags_all": True},
                "before_sensitive": False,
                "after_sensitive": {"tags": {}, "tags_all": {}},
            },
        }
        for r in planned
    ]
    return json.dumps({"format_version": "1.2", "terraform_version": "1.9.8",
                       "planned_values": {"root_module": {"resources": planned}},
                       "resource_changes": changes,
                       "configuration": {"provider_config": {"aws": {"name": "aws"}},
                                         "root_module": {"resources": config}}})  # fmt: skip


# -- the table --------------------------------------------------------------------------------------


def row(name: str, value: str, target: str = "") -> None:
    print(f"| {name:<58} | {value:>40} | {target:<16} |")


def section(title: str) -> None:
    print(f"\n{title}\n")
    print(f"| {'measure':<58} | {'result':>40} | {'target':<16} |")
    print(f"|{'-' * 60}|{'-' * 42}|{'-' * 18}|")


def startup(runs: int) -> None:
    section(f"Start-up and one file, whole process, CPU against the import floor ({runs} pairs)")
    for name, arguments, target in (
        ("`--version`", ["--version"], 1.3),
        ("`--help`", ["--help"], 1.3),
        ("one API JSON file (job.json)", [str(API_JOB), "--fail-on", "never"], 3.5),
        ("a small .tf folder (examples/terraform)", [str(TF_SMALL), "--fail-on", "never"], 3.0),
    ):
        pair = paired([*LINTER, *arguments], IMPORT_FLOOR, runs, target)
        row(f"{name} / import yaml, jmespath", pair.shown("ms"), f"<= {target}x")
        if name.startswith("one API"):
            row("  one API JSON file, CPU and peak memory", f"{pair.ours:.3f} s, {pair.peak:.0f} MB",
                "<= 0.15 s")  # fmt: skip
    ours = measure([*LINTER, str(SMALL), "--fail-on", "never"], runs)
    row("one small template", f"{ours.cpu:.3f} s, {ours.peak:.0f} MB", "< 0.25 s")
    for name, command, target in (
        ("cfn-lint", [str(BIN / "cfn-lint"), str(SMALL)], ">= 5x"),
        ("checkov", [str(BIN / "checkov"), "--skip-download", "--quiet", "--framework",
                     "cloudformation", "-f", str(SMALL)], ">= 15x"),
    ):  # fmt: skip
        if not Path(command[0]).exists():
            row(name, "not installed")
            continue
        other = measure(command, runs)
        row(
            f"  {name} on the same file",
            f"{other.cpu:.3f} s: {other.cpu / ours.cpu:.1f}x more",
            target,
        )


def throughput(workdir: Path, runs: int) -> None:
    section("Throughput, whole process, CPU against a bare PyYAML C-loader parse process")
    sets: List[Tuple[str, List[Path]]] = []
    if CORPUS.is_dir():
        corpus = [
            p
            for p in sorted(CORPUS.rglob("*"))
            if p.suffix in (".json", ".yaml", ".yml", ".template") and p.is_file()
        ]
        sets.append(("corpus (../shared/corpus)", corpus))
    generated = workdir / "generated"
    generated.mkdir(exist_ok=True)
    for i in range(20):
        (generated / f"stack{i}.yaml").write_text(template(200))
    sets.append(("20 generated templates of 200 resources", sorted(generated.iterdir())))
    for name, files in sets:
        lint = measure([*LINTER, *map(str, files), "--fail-on", "never"], runs)
        bare = floor("yaml", files, runs)
        row(
            f"{name}: lint / parse",
            f"{lint.cpu:.2f} s / {bare.cpu:.2f} s = {lint.cpu / bare.cpu:.2f}x",
            "<= 3x",
        )


def many_files(workdir: Path, runs: int) -> None:
    section(f"1,000 small templates in one directory (median of {runs})")
    many = workdir / "many"
    many.mkdir(exist_ok=True)
    text = SMALL.read_text()
    for i in range(1000):
        (many / f"stack{i:04}.yaml").write_text(text)
    files = sorted(many.iterdir())
    lint = measure([*LINTER, str(many), "--fail-on", "never"], runs)
    bare = floor("yaml", files, runs)
    row(
        "lint / bare parse (CPU)",
        f"{lint.cpu:.2f} s / {bare.cpu:.2f} s = {lint.cpu / bare.cpu:.2f}x",
        "<= 2x",
    )
    quiet = floor("yaml-gc-off", files, runs)
    row("  parse with the collector off", f"{quiet.cpu:.2f} s: {lint.cpu / quiet.cpu:.2f}x")


def scaling(workdir: Path, runs: int) -> None:
    section(f"Large templates, whole process, CPU against the bare parse process ({runs} pairs)")
    for size in (1000, 10000):
        path = workdir / f"template-{size}.yaml"
        path.write_text(template(size))
        lint = [*LINTER, str(path), "--fail-on", "never"]
        pair = paired(lint, [PYTHON, "-c", FLOOR, "yaml", str(path)], runs)
        row(
            f"template of {size:,} resources / parse",
            pair.shown(),
            "<= 1.2x" if size == 10000 else "",
        )
        if size == 10000:
            quiet = paired(lint, [PYTHON, "-c", FLOOR, "yaml-gc-off", str(path)], runs)
            row("  / the parse with the collector off", quiet.shown())
            row("  peak memory", f"{pair.peak:.0f} MB", "< 300 MB")
            tree_share(path, runs)


def plans(workdir: Path, runs: int) -> None:
    section(f"Terraform plans, whole process, CPU against a bare json.load process ({runs} pairs)")
    plans: Dict[int, Pair] = {}
    for size in (1000, 10000, 30000):
        path = workdir / f"plan-{size}.json"
        path.write_text(plan(size))
        lint = [*LINTER, str(path), "--fail-on", "never"]
        plans[size] = pair = paired(lint, [PYTHON, "-c", FLOOR, "json", str(path)], runs, 2.0)
        row(
            f"plan of {size:,} resources ({path.stat().st_size / 2**20:.0f} MiB) / json.load",
            pair.shown(),
            "<= 2x" if size >= 10000 else "",
        )
        if size == 10000:
            plan_phases(path, runs)
    row(
        "plan: CPU 30k / 10k, peak memory at 30k",
        f"{plans[30000].ours / plans[10000].ours:.2f}, {plans[30000].peak:.0f} MB",
        "<= 3.6 (linear)",
    )
    tiny = workdir / "plan-5.json"  # what every plan's run pays before its first resource
    tiny.write_text(plan(5))
    start = paired([*LINTER, str(tiny), "--fail-on", "never"], [PYTHON, "-c", FLOOR, "json"], runs)
    row("plan of 5 resources (start-up: imports, rules) / json floor", start.shown("ms"))


def tree_share(path: Path, runs: int) -> None:
    """In-process: the positioned tree built from libyaml's events against the C loader's parse,
    both with the collector off (as the linter runs)."""
    import gc

    from clarify_vpc_lint.documents import parse_yaml

    text = path.read_text()
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    gc.disable()
    try:
        ours = in_process(lambda: parse_yaml(text), runs)
        bare = in_process(lambda: yaml.load(text, Loader=loader), runs)
    finally:
        gc.enable()
    row(
        "  positioned tree / C loader, in-process, collector off",
        f"{ours:.2f} s / {bare:.2f} s = {ours / bare:.2f}x",
    )


def plan_phases(path: Path, runs: int) -> None:
    """In-process, collector off as the linter runs: where a plan's run goes past the parse."""
    import gc

    from clarify_vpc_lint.catalogue import load_rules
    from clarify_vpc_lint.engine import evaluate
    from clarify_vpc_lint.readers import load
    from clarify_vpc_lint.readers.terraform.handlers import read_plan
    from clarify_vpc_lint.resolve import build_subjects

    rules = load_rules()
    timings: Dict[str, List[float]] = {"read and parse": [], "plan to model": [], "subjects": [],
                                       "rules": []}  # fmt: skip
    gc.disable()
    try:
        for _ in range(runs):
            start = time.process_time()
            document = load(str(path))
            parsed = time.process_time()
            network = read_plan(document)  # type: ignore[arg-type]
            read = time.process_time()
            subjects = build_subjects(network, "us-east-1")
            built = time.process_time()
            for rule in rules:
                evaluate(rule, subjects, rule.severity)
            done = time.process_time()
            for name, seconds in zip(
                timings, (parsed - start, read - parsed, built - read, done - built), strict=False
            ):
                timings[name].append(seconds)
    finally:
        gc.enable()
    medians = {name: statistics.median(values) for name, values in timings.items()}
    total = sum(medians.values())
    for name, seconds in medians.items():
        row(
            f"  10k plan in-process, collector off: {name}",
            f"{seconds:.2f} s = {seconds / total:.0%}",
        )


def terraform_tree(workdir: Path, runs: int, checkov: bool) -> None:
    import tf  # bench/tf.py: the generated tree of modules

    from clarify_vpc_lint.readers.terraform.config import read_configuration

    section(f"Terraform as written (.tf), CPU (median of {runs})")
    trees = [("examples/terraform", TF_SMALL)]
    for size in (100, 1000):
        root = workdir / f"tf-{size}"
        root.mkdir()
        tf.generate(root, size)
        trees.append((f"a tree of {size:,} resource blocks", root))
    for name, root in trees:
        lint = measure([*LINTER, str(root), "--fail-on", "never"], runs)
        evaluate = in_process(lambda: read_configuration(root), runs)  # noqa: B023
        row(f"{name}: whole process, read_configuration in-process",
            f"{lint.cpu:.2f} s, {evaluate:.2f} s")  # fmt: skip
        if checkov and (BIN / "checkov").exists():
            command = [str(BIN / "checkov"), "-d", str(root), "--framework", "terraform",
                       "--quiet", "--compact", "--skip-download"]  # fmt: skip
            other = measure(command, 1)
            row(
                "  checkov -d on the same tree (one run) / ours",
                f"{other.cpu:.2f} s = {other.cpu / lint.cpu:.1f}x",
                ">= 10x",
            )


def python_script(runs: int) -> None:
    import ast

    import python_reader  # bench/python_reader.py: the 2,000-line script

    from clarify_vpc_lint.readers.python_sdk import read_python

    section(f"Python SDK reader, in-process (median of {max(runs, 10)})")
    text = python_reader.script()
    read = in_process(lambda: read_python("bench.py", text), max(runs, 10))
    parse = in_process(lambda: ast.parse(text), max(runs, 10))
    row(
        f"{text.count(chr(10)):,}-line script: read / ast.parse",
        f"{read * 1000:.0f} ms / {parse * 1000:.0f} ms = {read / parse:.1f}x",
        "well under 100 ms",
    )


def plugins(workdir: Path, runs: int) -> None:
    section(f"Plugin overhead, same files, CPU ({runs} pairs)")
    files = sorted(
        str(p)
        for p in (ROOT / "tests" / "fixtures" / "rules").glob("*/*.yaml")
        if p.name != "expected-lines.yaml"
    )
    if (BIN / "cfn-lint").exists():
        plain = [str(BIN / "cfn-lint"), "--", *files]
        ours = [str(BIN / "cfn-lint"), "--append-rules=clarify_vpc_lint.cfn_lint", "--", *files]
        pair = paired(ours, plain, runs, 1.1)
        row(f"cfn-lint + plugin / cfn-lint, {len(files)} templates", pair.shown(percent=True),
            "<= +10%")  # fmt: skip
    if not (BIN / "checkov").exists():
        return
    templates = workdir / "checkov"
    templates.mkdir(exist_ok=True)
    for number in range(200):  # 200 templates: the rules' fixtures, cycled
        path = Path(files[number % len(files)])
        shutil.copy(path, templates / f"{number:03}-{path.parent.name}-{path.name}")
    checks = subprocess.run(
        [*LINTER, "--checkov-dir"], capture_output=True, text=True, env=ENV
    ).stdout.strip()
    checkov = [str(BIN / "checkov"), "--skip-download", "--quiet", "-d", "."]
    frameworks = ["--framework", "cloudformation", "terraform", "terraform_plan", "json"]
    for name, folder in (("examples/", EXAMPLES), ("200 templates", templates)):
        for flags, said in (
            ([], "as is"),
            (["--skip-framework", "yaml"], "--skip-framework yaml"),
            (frameworks, "--framework (SPEC's four)"),
        ):
            plain = [*checkov, *(flags if flags is frameworks else [])]
            ours = [*checkov, *flags, "--external-checks-dir", checks]
            pair = paired(ours, plain, runs, 1.1, cwd=folder)
            row(f"checkov + our checks ({said}) / checkov, {name}", pair.shown(percent=True),
                "<= +10%")  # fmt: skip


SECTIONS = ("startup", "throughput", "many", "scaling", "plans", "tf", "python", "plugins")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="repetitions per measure (median)")
    parser.add_argument(
        "--only", choices=SECTIONS, action="append", help="these sections only (repeat)"
    )
    parser.add_argument(
        "--checkov-tf", action="store_true", help="also time checkov -d on the .tf trees (slow)"
    )
    args = parser.parse_args()
    print(
        f"clarify-vpc-lint benchmark {time.strftime('%Y-%m-%d')}: Python {platform.python_version()},"
        f" {os.cpu_count()} cores, {platform.machine()}; {_load()}"
    )
    heavy = max(3, args.runs // 2)
    for warm_up in ([*LINTER, str(SMALL.parent)], [PYTHON, "-c", FLOOR, "json"]):
        subprocess.run(warm_up, env=ENV, capture_output=True)  # byte-compiles every module once
    with tempfile.TemporaryDirectory() as directory:
        workdir = Path(directory)
        sections = {
            "startup": lambda: startup(args.runs),
            "throughput": lambda: throughput(workdir, args.runs),
            "many": lambda: many_files(workdir, heavy),
            "scaling": lambda: scaling(workdir, heavy),
            "plans": lambda: plans(workdir, heavy),
            "tf": lambda: terraform_tree(workdir, heavy, args.checkov_tf),
            "python": lambda: python_script(args.runs),
            "plugins": lambda: plugins(workdir, heavy),
        }
        for name, run_section in sections.items():
            if not args.only or name in args.only:
                run_section()
    print(f"\nAt the end: {_load()}")


def _load() -> str:
    """The machine's load: the noise every number above carries (a ratio's range shows it)."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


if __name__ == "__main__":
    main()
