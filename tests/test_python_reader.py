"""Clarify jobs and models started from Python scripts and notebooks, judged by every rule.

The fixtures in tests/fixtures/python are written in the SDK's documented style; they run in the
network of tests/fixtures/python/network (an EC2 inventory: two subnets in two AZs, a group with
HTTPS egress only and a group that admits itself). ``judge`` reads them as the linter's pipeline
does: the inventory and SDK defaults with their readers, the code with ``read_python`` given the
run's SDK defaults, then ``build_subjects`` and every rule of the catalogue.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import List, Optional, Set

import pytest
from conftest import FIXTURES, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from clarify_vpc_lint.catalogue import load_rules
from clarify_vpc_lint.config import load_config
from clarify_vpc_lint.documents import Document, ParseError
from clarify_vpc_lint.engine import Finding, evaluate
from clarify_vpc_lint.linter import Options, run
from clarify_vpc_lint.model import Network
from clarify_vpc_lint.readers import format_of, load
from clarify_vpc_lint.readers.inventory import read_inventory
from clarify_vpc_lint.readers.python_sdk import (
    SdkDefaults,
    defaults_for,
    is_python_source,
    read_python,
    sdk_defaults,
)
from clarify_vpc_lint.readers.sagemaker_api import read_analysis_config
from clarify_vpc_lint.readers.workflows import read_sdk_defaults
from clarify_vpc_lint.resolve import build_subjects

PYTHON = FIXTURES / "python"
NETWORK = PYTHON / "network"


def _files(paths: List[Path]) -> List[Path]:
    found: List[Path] = []
    for path in paths:
        found.extend(sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path])
    return found


def read(*paths: Path) -> Network:
    """The run's network: inventories and SDK defaults first, then the code with those defaults."""
    network = Network()
    defaults: Optional[SdkDefaults] = None
    files = _files(list(paths))
    for path in files:
        if is_python_source(str(path)):
            continue
        document = load(str(path))
        kind = format_of(document) if isinstance(document, Document) else None
        if kind == "inventory":
            network.extend(read_inventory(document))
        elif kind == "sdk-defaults":
            network.extend(read_sdk_defaults(document))
            defaults = sdk_defaults(document.data)
    for path in files:
        if is_python_source(str(path)):
            network.extend(read_python(str(path), path.read_text(encoding="utf-8"), defaults))
    return network


def judge_network(network: Network) -> List[Finding]:
    subjects = build_subjects(network, "us-east-1")
    return [f for rule in load_rules() for f in evaluate(rule, subjects, rule.severity)]


def judge(*paths: Path) -> List[Finding]:
    return judge_network(read(*paths))


# What a script starts: these tests judge its jobs and models (the VPC's findings: snapshots).
SCRIPT_SUBJECTS = ("jobs", "models", "requests")


def definite(findings: List[Finding], name: str) -> Set[str]:
    script_rules = {r.id for r in load_rules() if r.subject in SCRIPT_SUBJECTS}
    return {
        f.rule
        for f in findings
        if Path(f.file).name == name and f.severity != "info" and f.rule in script_rules
    }


def at(findings: List[Finding], rule: str) -> Set[tuple]:
    return {(Path(f.file).name, f.line, f.resource) for f in findings if f.rule == rule}


def test_isolation_through_network_config_breaks_the_shadow_endpoint() -> None:
    findings = judge(PYTHON / "isolation_network_config.py", NETWORK)
    assert at(findings, "CVL101") == {
        ("isolation_network_config.py", 36, "clarify_processor.run_bias")
    }
    assert definite(findings, "isolation_network_config.py") == {"CVL101"}


def test_isolation_from_the_sdk_defaults_applies_field_by_field() -> None:
    alone = judge(PYTHON / "isolation_defaults" / "explain.py", NETWORK)
    assert "CVL101" not in {f.rule for f in alone}
    findings = judge(PYTHON / "isolation_defaults", NETWORK)
    assert at(findings, "CVL101") == {
        ("explain.py", 18, "processor.run_explainability"),
        ("config.yaml", 3, "SageMaker.ProcessingJob"),  # the defaults file itself
    }


def test_a_one_subnet_model_has_one_availability_zone() -> None:
    findings = judge(PYTHON / "one_subnet_model.py", NETWORK)
    assert at(findings, "CVL201") == {("one_subnet_model.py", 4, "churn-xgboost")}


def test_a_model_created_by_an_estimator_keeps_its_one_subnet_and_is_the_jobs_model() -> None:
    findings = judge(PYTHON / "estimator_model.py", NETWORK)
    assert at(findings, "CVL201") == {("estimator_model.py", 15, "estimator.create_model")}
    job = read(PYTHON / "estimator_model.py").jobs[0]
    model = read(PYTHON / "estimator_model.py").models[0]
    assert job.model.key == model.keys[0]  # ModelConfig(model_name=model.name) links them
    assert definite(findings, "estimator_model.py") == {"CVL201"}  # same VPC: no CVL103


def test_a_two_instance_processor_needs_a_group_that_admits_itself() -> None:
    findings = judge(PYTHON / "two_instances.py", NETWORK)
    assert definite(findings, "two_instances.py") == {"CVL401", "CVL402"}
    assert at(findings, "CVL401") == {("two_instances.py", 15, "processor.run")}
    message = next(f.message for f in findings if f.rule == "CVL401")
    assert "sg-0pyjob" in message


def test_check_steps_take_monitoring_defaults_first_and_processing_defaults_after() -> None:
    findings = judge(PYTHON / "check_step_defaults", NETWORK)
    # isolation from the monitoring defaults breaks the step that needs inference only
    assert ("pipeline.py", 27, "ModelBiasCheck") in at(findings, "CVL101")
    assert not any(f.resource == "DataBiasCheck" and f.rule == "CVL101" for f in findings)
    # subnets and groups come from the processing-job defaults: the steps are in the VPC
    assert "CVL102" not in definite(findings, "pipeline.py")
    steps = [j for j in read(PYTHON / "check_step_defaults").jobs if j.kind == "clarify-check"]
    assert {tuple(j.subnets) for j in steps} == {("subnet-0py1a", "subnet-0py1b")}


def test_without_defaults_a_check_step_has_no_vpc_and_isolation_off() -> None:
    findings = judge(PYTHON / "check_step_defaults" / "pipeline.py")
    assert at(findings, "CVL102") == {
        ("pipeline.py", 21, "DataBiasCheck"),
        ("pipeline.py", 27, "ModelBiasCheck"),
    }
    assert "CVL101" not in {f.rule for f in findings}


def test_an_existing_endpoint_means_no_shadow_endpoint_so_no_model_rule() -> None:
    findings = judge(PYTHON / "endpoint_predictor.py", NETWORK)
    job = read(PYTHON / "endpoint_predictor.py").jobs[0]
    assert job.inference is True and job.model is None
    assert "CVL103" not in {f.rule for f in findings}
    # ModelConfig(endpoint_name=...) is recorded as the analysis config's endpoint_name is
    assert job.existing_endpoint is True
    assert _job_facts(read(PYTHON / "endpoint_predictor.py"))["shadow_endpoint"] is False
    # the same model used through model_config=ModelConfig(model_name=...) is flagged
    text = (PYTHON / "endpoint_predictor.py").read_text()
    linked = text.replace(
        "endpoint_name=predictor.endpoint_name", 'model_name="churn-xgboost"'
    ).replace('role="arn:aws:iam::111122223333:role/model",', 'name="churn-xgboost",')
    network = read_python("linked.py", linked)
    assert _job_facts(network)["shadow_endpoint"] is True
    subjects = build_subjects(network, "us-east-1")
    rule = next(r for r in load_rules() if r.id == "CVL103")
    assert [f.resource for f in evaluate(rule, subjects, "error")] == [
        "processor.run_explainability"
    ]


def _job_facts(network: Network) -> dict:
    (job,) = [s for s in build_subjects(network, "us-east-1") if s.kind == "jobs"]
    return job.facts


def test_values_from_the_environment_are_unknown_and_say_which_variable() -> None:
    findings = judge(PYTHON / "from_environment.py", NETWORK)
    assert definite(findings, "from_environment.py") == set()
    info = {f.rule: f.message for f in findings if f.severity == "info"}
    assert "CVL101" in info and "CVL403" in info
    job = read(PYTHON / "from_environment.py").jobs[0]
    assert "os.environ['SUBNET_A']" in job.subnets[0].reason
    assert "os.environ['ISOLATE']" in job.network_isolation.reason


def test_every_import_style_and_sdk_version_is_recognised() -> None:
    findings = judge(PYTHON / "aliases.py", NETWORK)
    assert {(line, resource) for _, line, resource in at(findings, "CVL101")} == {
        (13, "SageMakerClarifyProcessor.run_explainability"),
        (14, "SageMakerClarifyProcessor.run_bias"),
        (15, "SageMakerClarifyProcessor.run_bias_and_explainability"),
        (27, "v3.run_post_training_bias"),
    }


def test_a_notebook_job_split_across_cells_points_at_the_cell_and_the_file_line() -> None:
    notebook = PYTHON / "bias_report.ipynb"
    findings = judge(notebook, NETWORK)
    assert at(findings, "CVL101") == {
        ("bias_report.ipynb", 87, "clarify_processor.run_bias (cell 6, line 9)")
    }
    finding = next(f for f in findings if f.rule == "CVL101")
    line = notebook.read_text().splitlines()[finding.line - 1]
    assert line[finding.column - 1 :].startswith("clarify_processor.run_bias(")


def test_a_notebook_cell_that_is_not_python_is_one_error_and_the_rest_is_read() -> None:
    text = (PYTHON / "bias_report.ipynb").read_text()
    broken = text.replace("subnets=subnets,", "subnets=subnets,,", 1)
    network = read_python("broken.ipynb", broken)
    assert [(line, message[:7]) for _, line, message in network.input_errors] == [(44, "cell 3:")]
    assert [j.loc.resource for j in network.jobs] == ["clarify_processor.run_bias (cell 6, line 9)"]


def test_the_linted_script_is_never_imported_or_run(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    modules = set(sys.modules)
    network = read_python(
        str(PYTHON / "never_imported.py"), (PYTHON / "never_imported.py").read_text()
    )
    assert os.listdir(tmp_path) == []  # the script writes IMPORTED_MARKER.txt when run
    assert set(sys.modules) == modules
    assert [(j.loc.line, j.inference) for j in network.jobs] == [(9, False)]


def test_boto3_requests_are_the_same_jobs_and_models_and_are_checked_against_the_api() -> None:
    findings = judge(PYTHON / "boto3_request.py", NETWORK)
    # the job (isolated, two instances, no self-ingress) and the one-subnet model
    assert definite(findings, "boto3_request.py") == {"CVL101", "CVL401", "CVL402", "CVL201"}
    assert ("boto3_request.py", 20, "churn-clarify-boto3") in at(findings, "CVL101")
    bad = (
        (PYTHON / "boto3_request.py")
        .read_text()
        .replace('"InstanceCount": 2', '"InstanceCount": "2"')
    )
    network = read_python("bad.py", bad)
    assert [r.operation for r in network.requests if r.problems] == ["CreateProcessingJob"]


def test_jobs_started_in_a_loop_over_a_literal_list_are_each_a_job() -> None:
    jobs = read(PYTHON / "loop.py").jobs
    assert [(j.loc.resource, j.subnets) for j in jobs] == [
        ("processor.run_post_training_bias [subnet-0py1a]", ["subnet-0py1a"]),
        ("processor.run_post_training_bias [subnet-0py1b]", ["subnet-0py1b"]),
    ]


def test_monitors_baselines_need_inference_and_only_the_bias_schedule_does_not() -> None:
    findings = judge(PYTHON / "monitors.py", NETWORK)
    assert {resource for _, _, resource in at(findings, "CVL101")} == {
        "bias_monitor.suggest_baseline",
        "explain_monitor.suggest_baseline",
        "explain_monitor.create_monitoring_schedule",
    }


def test_function_parameters_are_unknown_and_name_the_function() -> None:
    script = (
        "from sagemaker.clarify import SageMakerClarifyProcessor\n"
        "from sagemaker.network import NetworkConfig\n"
        "def explain(subnets):\n"
        "    p = SageMakerClarifyProcessor(role='r', instance_count=1, instance_type='t',\n"
        "        network_config=NetworkConfig(subnets=subnets, security_group_ids=['sg-1']))\n"
        "    p.run_pre_training_bias(None, None)\n"
    )
    job = read_python("job.py", script).jobs[0]
    assert "parameter subnets of explain()" in job.subnets.reason


def test_names_set_under_a_condition_are_unknown_after_it() -> None:
    script = (
        "import sys\n"
        "from sagemaker.clarify import SageMakerClarifyProcessor\n"
        "from sagemaker.network import NetworkConfig\n"
        "isolate = False\n"
        "if sys.argv[1:]:\n"
        "    isolate = True\n"
        "p = SageMakerClarifyProcessor(role='r', instance_count=1, instance_type='t',\n"
        "    network_config=NetworkConfig(enable_network_isolation=isolate))\n"
        "p.run_explainability(None, None, None)\n"
    )
    job = read_python("job.py", script).jobs[0]
    assert "isolate is set under the condition at line 5" in job.network_isolation.reason


def test_files_that_never_mention_sagemaker_are_not_parsed() -> None:
    assert read_python("other.py", "this is not ( python").jobs == []
    with pytest.raises(ParseError) as error:
        read_python("broken.py", "import sagemaker\nx = (\n")
    assert error.value.line == 2


def test_the_cli_lints_scripts_and_notebooks_with_the_defaults_of_the_run() -> None:
    completed = run_cli(
        str(PYTHON / "bias_report.ipynb"),
        str(PYTHON / "isolation_defaults"),
        "--context",
        str(NETWORK),
        "--format",
        "json",
    )
    assert completed.returncode == 1, completed.stderr
    report = json.loads(completed.stdout)
    errors = {
        (Path(f["file"]).name, f["line"], f["resource"])
        for f in report["findings"]
        if f["rule"] == "CVL101"
    }
    assert errors == {
        ("bias_report.ipynb", 87, "clarify_processor.run_bias (cell 6, line 9)"),
        ("explain.py", 18, "processor.run_explainability"),
        ("config.yaml", 3, "SageMaker.ProcessingJob"),
    }


def test_scripts_that_start_no_clarify_job_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text("import sagemaker\nsession = sagemaker.Session()\n")
    (tmp_path / "util.py").write_text("print('no SDK here')\n")
    result = run(Options(paths=[str(tmp_path)]))
    assert result.findings == [] and result.errors == [] and result.linted == {}
    assert [Path(p).name for p in result.skipped] == ["train.py", "util.py"]


SOURCE_LINES = [
    line
    for path in sorted(PYTHON.glob("*.py"))
    for line in path.read_text().splitlines()
    if "IMPORTED_MARKER" not in line  # never write files, even as a fragment
]


@given(st.lists(st.sampled_from(SOURCE_LINES), max_size=40), st.booleans())
@settings(max_examples=150, deadline=None)
def test_any_mix_of_sdk_lines_is_read_or_refused_in_one_line(
    lines: List[str], notebook: bool
) -> None:
    text = "import sagemaker\n" + "\n".join(lines)
    if notebook:
        cells = [{"cell_type": "code", "source": [line + "\n" for line in lines], "outputs": []}]
        text = json.dumps({"cells": cells, "nbformat": 4, "sagemaker": True}, indent=1)
    try:
        network = read_python("mix.ipynb" if notebook else "mix.py", text)
    except ParseError as error:
        assert not notebook and error.message.startswith("not valid Python")
        return
    for job in network.jobs:
        assert job.loc.line >= 1 and job.loc.language == "python"


def test_a_declared_job_with_the_script_jobs_name_replaces_it(tmp_path: Path) -> None:
    config = tmp_path / ".clarify-vpc-lint.yaml"
    config.write_text(
        "jobs:\n"
        "  - name: processor.run_post_training_bias\n"
        "    subnets: [subnet-0py1a]\n"
        "    security-groups: [sg-0pyok]\n"
        "    network-isolation: true\n"
    )
    options = Options(
        paths=[str(PYTHON / "from_environment.py")],
        context=[str(NETWORK)],
        config=load_config(config),
    )
    jobs = {(Path(f.file).name, f.severity) for f in run(options).findings if f.rule == "CVL101"}
    assert jobs == {(".clarify-vpc-lint.yaml", "error")}  # not also an info on the script


def test_the_sessions_sagemaker_client_is_boto3s_client() -> None:
    script = (
        "import sagemaker\n"
        "session = sagemaker.Session()\n"
        "session.sagemaker_client.create_model(ModelName='m', PrimaryContainer={'Image': 'i'},\n"
        "    ExecutionRoleArn='arn:aws:iam::111122223333:role/r',\n"
        "    VpcConfig={'Subnets': ['subnet-0py1a'], 'SecurityGroupIds': ['sg-0pyok']})\n"
    )
    models = read_python("deploy.py", script).models
    assert [(m.loc.resource, m.subnets) for m in models] == [("m", ["subnet-0py1a"])]


def test_hostile_nesting_and_huge_loops_are_bounded() -> None:
    deep = "import sagemaker\nx = " + "(" * 5000 + "1" + ")" * 5000 + "\n"
    with pytest.raises(ParseError):
        read_python("deep.py", deep)
    loops = (
        "from sagemaker import clarify\n"
        f"for a in [{'1, ' * 1000}]:\n"
        "    for b in [1, 2]:\n"
        "        for c in [1, 2]:\n"
        "            clarify.SageMakerClarifyProcessor(role='r', instance_count=1,\n"
        "                instance_type='t').run_pre_training_bias(None, None)\n"
    )
    # 1,000 items are too many to unroll: read once; the two loops inside give 2 x 2 jobs
    assert len(read_python("loops.py", loops).jobs) == 4


def test_a_processor_run_reads_the_analysis_config_given_in_the_same_run(tmp_path: Path) -> None:
    config = tmp_path / "analysis_config.json"
    config.write_text(json.dumps({"methods": {"pre_training_bias": {"methods": "all"}}}))
    network = read(PYTHON / "two_instances.py")
    network.extend(read_analysis_config(load(str(config))))
    build_subjects(network, "us-east-1")
    assert [job.inference for job in network.jobs] == [False]  # no predictor: no inference


def test_a_v3_model_resource_with_one_subnet() -> None:
    script = (
        "from sagemaker.core.resources import Model\n"
        "from sagemaker.core.shapes import ContainerDefinition, VpcConfig\n"
        "model = Model.create(\n"
        "    model_name='churn-v3',\n"
        "    primary_container=ContainerDefinition(image='i', model_data_url='s3://b/m.tar.gz'),\n"
        "    vpc_config=VpcConfig(subnets=['subnet-0py1a'], security_group_ids=['sg-0pyok']),\n"
        ")\n"
    )
    models = read_python("v3.py", script).models
    assert [(m.loc.resource, m.keys[-1], m.subnets) for m in models] == [
        ("churn-v3", "model-name:churn-v3", ["subnet-0py1a"])
    ]


def test_a_processor_given_by_a_caller_is_a_job_whose_network_is_unknown() -> None:
    script = (
        "from sagemaker.clarify import ModelConfig\n"
        "def explain(processor, data):\n"
        "    processor.run_explainability(data, ModelConfig(model_name='m'), None)\n"
    )
    findings = judge_network(read_python("explain.py", script))
    assert {(f.rule, f.severity, f.resource) for f in findings if f.rule == "CVL101"} == {
        ("CVL101", "info", "processor.run_explainability")
    }
    message = next(f.message for f in findings if f.rule == "CVL101")
    assert "parameter processor of explain()" in message


def test_a_notebook_function_reports_the_cell_it_was_defined_in() -> None:
    cells = [
        {"cell_type": "code", "source": ["from sagemaker import clarify\n"]},
        {
            "cell_type": "code",
            "source": [
                "def explain(data):\n",
                "    p = clarify.SageMakerClarifyProcessor(role='r', instance_count=1,\n",
                "        instance_type='t')\n",
                "    p.run_pre_training_bias(data, None)\n",
            ],
        },
        {"cell_type": "code", "source": ["explain('s3://b/in.csv')\n"]},
    ]
    text = json.dumps({"cells": cells, "nbformat": 4}, indent=1)
    job = read_python("nb.ipynb", text).jobs[0]
    assert job.loc.resource == "p.run_pre_training_bias (cell 2, line 4)"
    assert "p.run_pre_training_bias(" in text.splitlines()[job.loc.line - 1]


def test_each_script_takes_the_defaults_file_nearest_above_it() -> None:
    result = run(
        Options(
            paths=[str(PYTHON / "isolation_defaults"), str(PYTHON / "check_step_defaults")],
            context=[str(NETWORK)],
        )
    )
    isolated = {(Path(f.file).name, f.resource) for f in result.findings if f.rule == "CVL101"}
    assert ("explain.py", "processor.run_explainability") in isolated  # its ProcessingJob defaults
    assert ("pipeline.py", "ModelBiasCheck") in isolated  # its monitoring defaults
    # the other directory's defaults do not leak: the steps get subnets only from their own
    assert not any(
        f.rule == "CVL102" and Path(f.file).name == "pipeline.py" for f in result.findings
    )
    assert (
        defaults_for("a/b/job.py", {"c/config.yaml": SdkDefaults(), "d/config.yaml": SdkDefaults()})
        is None
    )
