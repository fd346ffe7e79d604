"""Benchmark clarify-vpc-lint on this machine and print one table (python bench/run.py).

Everything is measured in one run so the ratios hold on a noisy machine: whole-process time and
peak RSS against cfn-lint and checkov, throughput against a bare PyYAML C-loader parse, scaling
over generated templates and plans, --jobs speed-up, and the plugins' overhead inside cfn-lint and
checkov. Targets are printed beside the numbers; nothing here asserts.
"""

from __future__ import annotations

import argparse
import json
import os
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
BIN = Path(sys.executable).parent


def measure(command: Sequence[str], runs: int, cwd: Optional[Path] = None) -> Tuple[float, float]:
    """Median wall time (s) and median peak RSS (MB) of a whole process.

    GNU time reports the command's own peak; a child forked straight from this (large) process
    would count the parent's pages it held before exec.
    """
    times, peaks = [], []
    wrapper = ["/usr/bin/time", "-f", "%M"] if Path("/usr/bin/time").exists() else []
    for _ in range(runs):
        start = time.perf_counter()
        process = subprocess.Popen(
            [*wrapper, *command], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        _, stderr = process.communicate()
        times.append(time.perf_counter() - start)
        if wrapper:
            peaks.append(int(stderr.decode().strip().splitlines()[-1]) / 1024)
    return statistics.median(times), statistics.median(peaks) if peaks else float("nan")


def timed(function: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
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
    return json.dumps({"format_version": "1.2", "planned_values": {"root_module": {"resources": planned}},
                       "configuration": {"root_module": {"resources": config}}})  # fmt: skip


# -- sections ---------------------------------------------------------------------------------------------


def row(name: str, value: str, target: str = "") -> None:
    print(f"| {name:<62} | {value:>22} | {target:<16} |")


def section(title: str) -> None:
    print(f"\n{title}\n")
    print(f"| {'measure':<62} | {'result':>22} | {'target':<16} |")
    print(f"|{'-' * 64}|{'-' * 24}|{'-' * 18}|")


def single_template(runs: int) -> None:
    section(f"Single small template, whole process (median of {runs})")
    ours = measure([str(BIN / "clarify-vpc-lint"), str(SMALL)], runs)
    row("clarify-vpc-lint", f"{ours[0]:.3f} s, {ours[1]:.0f} MB", "< 0.25 s")
    for name, command in (
        ("cfn-lint", [str(BIN / "cfn-lint"), str(SMALL)]),
        ("checkov --framework cloudformation", [str(BIN / "checkov"), "--skip-download", "--quiet", "--framework", "cloudformation", "-f", str(SMALL)]),
    ):  # fmt: skip
        if not Path(command[0]).exists():
            row(name, "not installed")
            continue
        other = measure(command, runs)
        row(name, f"{other[0]:.3f} s, {other[1]:.0f} MB")
        target = "5x" if name == "cfn-lint" else "15x"
        row(
            f"  clarify-vpc-lint faster than {name.split()[0]} by",
            f"{other[0] / ours[0]:.1f}x",
            f">= {target}",
        )


class _FloorLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The bare C-loader parse, accepting CloudFormation's short-form tags as plain nodes."""


_FloorLoader.add_multi_constructor(
    "!",
    lambda loader, suffix, node: (
        loader.construct_scalar(node)
        if isinstance(node, yaml.ScalarNode)
        else loader.construct_sequence(node)
        if isinstance(node, yaml.SequenceNode)
        else loader.construct_mapping(node)
    ),
)


def throughput(workdir: Path, runs: int) -> None:
    from clarify_vpc_lint.linter import Options, run

    section("Throughput against a bare PyYAML C-loader parse of the same files")
    sets: List[Tuple[str, List[Path]]] = []
    if CORPUS.is_dir():
        corpus = [
            p
            for p in sorted(CORPUS.rglob("*"))
            if p.suffix in (".json", ".yaml", ".yml", ".template")
        ]
        sets.append(("corpus (../shared/corpus)", corpus))
    generated = workdir / "generated"
    generated.mkdir(exist_ok=True)
    for i in range(20):
        (generated / f"stack{i}.yaml").write_text(template(200))
    sets.append(("20 generated templates of 200 resources", sorted(generated.iterdir())))
    for name, files in sets:
        size = sum(p.stat().st_size for p in files) / 2**20
        texts = [p.read_text() for p in files]
        floor = timed(lambda texts=texts: [yaml.load(t, Loader=_FloorLoader) for t in texts], runs)
        lint = timed(lambda files=files: run(Options(paths=[str(p) for p in files])), runs)
        parsed = [yaml.load(t, Loader=_FloorLoader) for t in texts]
        resources = sum(
            len(d.get("Resources") or {})
            for d in parsed
            if isinstance(d, dict) and isinstance(d.get("Resources"), dict)
        )
        row(f"{name}: lint", f"{lint:.3f} s ({size / lint:.1f} MB/s)")
        row(f"{name}: PyYAML C parse", f"{floor:.3f} s")
        row(f"{name}: ratio lint / parse", f"{lint / floor:.2f}x", "<= 3x")
        if resources:
            row(f"{name}: resources per second", f"{resources / lint:,.0f}")


def scaling(workdir: Path, runs: int) -> None:
    section("Scaling (whole process, median)")
    for kind, make, suffix in (("template", template, ".yaml"), ("plan", plan, ".json")):
        timings = {}
        for size in (100, 1000, 10000):
            path = workdir / f"{kind}-{size}{suffix}"
            path.write_text(make(size))
            seconds, peak = measure(
                [str(BIN / "clarify-vpc-lint"), str(path), "--fail-on", "never"], runs
            )
            timings[size] = seconds
            row(
                f"{kind} with {size:,} resources",
                f"{seconds:.3f} s, {peak:.0f} MB",
                "< 300 MB" if size == 10000 else "",
            )
        row(
            f"{kind}: time ratio 10k / 1k",
            f"{timings[10000] / timings[1000]:.1f}",
            "<= 12 (linear)",
        )


def parallel(workdir: Path, runs: int) -> None:
    section("--jobs over many files (2 cores here)")
    many = workdir / "many"
    many.mkdir(exist_ok=True)
    for i in range(60):
        (many / f"stack{i}.yaml").write_text(template(100))
    outputs = {}
    for jobs in ("1", "2"):
        command = [
            str(BIN / "clarify-vpc-lint"),
            str(many),
            "--format",
            "json",
            "--fail-on",
            "never",
            "--jobs",
            jobs,
        ]
        seconds, _ = measure(command, runs)
        outputs[jobs] = subprocess.run(command, capture_output=True).stdout
        row(f"60 templates, --jobs {jobs}", f"{seconds:.3f} s")
    row("output of --jobs 2 byte-identical to --jobs 1", str(outputs["1"] == outputs["2"]), "True")


def plugins(workdir: Path, runs: int) -> None:
    section(f"Plugin overhead, same files, same run (median of {runs})")
    files = sorted(str(p) for p in (ROOT / "tests" / "fixtures" / "rules").glob("*/*.yaml"))
    if (BIN / "cfn-lint").exists():
        plain, _ = measure([str(BIN / "cfn-lint"), "--", *files], runs)
        ours, _ = measure(
            [str(BIN / "cfn-lint"), "--append-rules=clarify_vpc_lint.cfn_lint", "--", *files], runs
        )
        row(f"cfn-lint on {len(files)} templates", f"{plain:.2f} s")
        row(
            "cfn-lint + clarify_vpc_lint.cfn_lint",
            f"{ours:.2f} s ({(ours / plain - 1) * 100:+.0f}%)",
            "<= +10%",
        )
    if (BIN / "checkov").exists():
        copy = workdir / "checkov"
        copy.mkdir(exist_ok=True)
        for path in files:
            shutil.copy(path, copy / (Path(path).parent.name + "-" + Path(path).name))
        base = [
            str(BIN / "checkov"),
            "--skip-download",
            "--quiet",
            "--framework",
            "cloudformation",
            "-d",
            ".",
        ]
        checks = subprocess.run(
            [str(BIN / "clarify-vpc-lint"), "--checkov-dir"], capture_output=True, text=True
        ).stdout.strip()
        plain, _ = measure(base, runs, cwd=copy)
        ours, _ = measure([*base, "--external-checks-dir", checks], runs, cwd=copy)
        row(f"checkov on {len(files)} templates", f"{plain:.2f} s")
        row(
            "checkov + clarify-vpc-lint checks",
            f"{ours:.2f} s ({(ours / plain - 1) * 100:+.0f}%)",
            "<= +10%",
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="repetitions per measure (median)")
    parser.add_argument(
        "--only", choices=["single", "throughput", "scaling", "parallel", "plugins"]
    )
    args = parser.parse_args()
    print(f"clarify-vpc-lint benchmark: Python {sys.version.split()[0]}, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as directory:
        workdir = Path(directory)
        sections = {
            "single": lambda: single_template(args.runs),
            "throughput": lambda: throughput(workdir, args.runs),
            "scaling": lambda: scaling(workdir, max(1, args.runs // 2)),
            "parallel": lambda: parallel(workdir, args.runs),
            "plugins": lambda: plugins(workdir, max(1, args.runs // 2)),
        }
        for name, run_section in sections.items():
            if args.only in (None, name):
                run_section()


if __name__ == "__main__":
    main()
