"""Clarify jobs and models started from Python scripts and notebooks, judged by every rule.

The fixtures in tests/fixtures/python are written in the SDK's documented style; they run in the
network of tests/fixtures/python/network (an EC2 inventory: two subnets in two AZs, a group with
HTTPS egress only and a group that admits itself). ``judge`` reads them as the linter's pipeline
does: the inventory and SDK defaults with their readers, the code with ``read_python`` given the
run's SDK defaults, then ``build_subjects`` and every rule of the catalogue.
"""

from __future__ import annotations

import ast
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
from clarify_vpc_lint.readers.python_sdk.reader import MAX_UNROLLED_NODES, MAX_VALUE_LENGTH, Reader
from clarify_vpc_lint.readers.sagemaker_api import read_analysis_config
from clarify_vpc_lint.readers.workflows import read_sdk_defaults
from clarify_vpc_lint.resolve import build_subjects
from clarify_vpc_lint.values import Unknown

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


# -- issue 23: pipelines, kwargs, notebooks as IPython writes them, naming, v3, fixes ---------------


def rules_at(findings: List[Finding], name: str) -> Set[tuple]:
    return {(f.rule, f.severity, f.resource) for f in findings if Path(f.file).name == name}


@pytest.mark.parametrize("script", ["bias_pipeline_v2.py", "bias_pipeline_v3.py"])
def test_a_pipeline_processing_step_running_the_clarify_processor_is_a_clarify_job(
    script: str,
) -> None:
    """v2 ProcessingStep(processor=, inputs=[analysis_config]); v3 ProcessingStep(step_args=
    processor.run_bias(...)) under a PipelineSession: one job each, named <pipeline>/<step>."""
    findings = judge(PYTHON / "pipelines" / script, NETWORK)
    pipeline = "churn-clarify" if script.endswith("v2.py") else "churn-clarify-v3"
    assert ("CVL102", "warning", f"{pipeline}/BiasReport") in rules_at(findings, script)
    jobs = read(PYTHON / "pipelines" / script).jobs
    assert [j.loc.resource for j in jobs if j.kind == "processing"] == [f"{pipeline}/BiasReport"]
    if script.endswith("v3.py"):  # the ClarifyCheckStep of the same pipeline, named the same way
        assert ("CVL102", "warning", f"{pipeline}/DataBiasCheck") in rules_at(findings, script)


def test_a_step_of_a_pipeline_whose_name_is_not_literal_is_named_by_the_step_alone() -> None:
    text = (PYTHON / "pipelines" / "bias_pipeline_v3.py").read_text()
    script = text.replace('name="churn-clarify-v3"', 'name=os.environ["PIPELINE"]')
    names = {j.loc.resource for j in read_python("p.py", "import os\n" + script).jobs}
    assert names == {"BiasReport", "DataBiasCheck"}
    unnamed = script.replace('ProcessingStep(name="BiasReport", ', "ProcessingStep(")
    names = {j.loc.resource for j in read_python("p.py", "import os\n" + unnamed).jobs}
    assert names == {"clarify_processor.run_bias", "DataBiasCheck"}  # else the call


@pytest.mark.parametrize("script", ["bias_monitor_v2.py", "bias_monitor_v3.py"])
def test_arguments_that_may_come_from_an_unknown_mapping_are_unknown_never_absent(
    script: str,
) -> None:
    findings = judge(PYTHON / "kwargs" / script, NETWORK)
    assert definite(findings, script) == set()  # no warning from a guess
    spread = "**param['class_args']" if script.endswith("v2.py") else "*settings['positional']"
    infos = [f for f in findings if f.rule == "CVL102" and Path(f.file).name == script]
    assert [f.severity for f in infos] == ["info"]
    assert f"network_config may be given by {spread}" in infos[0].message


def test_a_spread_of_a_known_mapping_is_read_and_what_it_lacks_is_absent() -> None:
    script = (
        "from sagemaker.model_monitor import ModelBiasMonitor\n"
        "from sagemaker.clarify import DataConfig, BiasConfig, ModelConfig\n"
        "args = {'role': 'r', 'instance_count': 1}\n"
        "m = ModelBiasMonitor(**args)\n"
        "m.suggest_baseline(DataConfig(), BiasConfig(), ModelConfig(model_name='m'))\n"
    )
    findings = judge_network(read_python("m.py", script))
    assert ("CVL102", "warning", "m.suggest_baseline") in rules_at(findings, "m.py")


def test_a_notebook_as_ipython_writes_it_is_read_without_input_errors() -> None:
    """%pip, !pip (indented under an if), files = !ls, %env, obj?, %%html and %%bash cells, a raw
    cell, outputs of hundreds of KB: the job is found at its cell and file line."""
    notebook = PYTHON / "magics.ipynb"
    network = read(notebook)
    assert network.input_errors == []
    (job,) = network.jobs
    assert job.loc.resource == "churn-explain-weekly (cell 7, line 10)"
    line = notebook.read_text().splitlines()[job.loc.line - 1]
    assert line[job.loc.column - 1 :].startswith("processor.run_explainability(")
    completed = run_cli(str(notebook), "--context", str(NETWORK), "--format", "json")
    assert completed.returncode == 1, completed.stderr  # the CVL101 error; exit 2 = input error
    assert json.loads(completed.stdout)["errors"] == []


def test_ipython_lines_are_blanked_only_where_a_statement_begins() -> None:
    from clarify_vpc_lint.readers.python_sdk.notebooks import python_of_cell

    cell = (
        "x = (1,\n"
        "     % 2)\n"  # inside brackets: Python's modulo, kept
        'doc = """\n'
        "!not shell inside a string\n"
        '"""\n'
        "if x:\n"
        "    !echo one \\\n"
        "        two\n"
        "out = !ls\n"
        "x?\n"
    )
    assert python_of_cell(cell).split("\n") == [
        "x = (1,",
        "     % 2)",
        'doc = """',
        "!not shell inside a string",
        '"""',
        "if x:",
        "    pass",
        "",
        "out = get_ipython()",
        "pass",
        "",
    ]


def test_a_notebook_cell_with_a_cell_magic_is_skipped_even_when_indented() -> None:
    cells = [
        {"cell_type": "code", "source": ["  %%bash\n", "  echo (\n"]},
        {"cell_type": "code", "source": ["import sagemaker\n", "x = (\n"]},
    ]
    network = read_python("nb.ipynb", json.dumps({"cells": cells, "nbformat": 4}, indent=1))
    assert [message for _, _, message in network.input_errors] == ["cell 2: '(' was never closed"]


@pytest.mark.parametrize("version", ["v2", "v3"])
def test_monitors_built_in_pytest_fixtures_are_treated_like_processors(version: str) -> None:
    """A test's parameter named after a fixture of the file is what that fixture returns: the
    monitor keeps the fixture's network, the processor built without one has none."""
    script = f"monitoring_{version}.py"
    findings = judge(PYTHON / "fixtures_built" / script, NETWORK)
    assert definite(findings, script) == {"CVL102"}
    assert at(findings, "CVL102") == {(script, 24, "clarify_processor.run_explainability")}
    jobs = {j.loc.resource: j for j in read(PYTHON / "fixtures_built" / script).jobs}
    assert jobs["explain_monitor.suggest_baseline"].subnets == ["subnet-0py1a", "subnet-0py1b"]


@pytest.mark.parametrize("version", ["v2", "v3"])
def test_monitors_from_fixtures_defined_elsewhere_are_unknown_like_processors(
    version: str,
) -> None:
    text = (PYTHON / "fixtures_built" / f"monitoring_{version}.py").read_text()
    elsewhere = text[text.index("def test_baseline_and_report") :]  # fixtures in a conftest.py
    header = text[: text.index("NETWORK =")]
    findings = judge_network(read_python("test_elsewhere.py", header + elsewhere))
    assert definite(findings, "test_elsewhere.py") == set()
    assert {f.resource for f in findings if f.rule == "CVL101"} == {
        "explain_monitor.suggest_baseline",
        "clarify_processor.run_explainability",
    }


def test_a_data_quality_baseline_of_an_unknown_monitor_is_no_clarify_job() -> None:
    script = (
        "import sagemaker\n"
        "def test_quality(monitor):\n"
        "    monitor.suggest_baseline(baseline_dataset='s3://b/d.csv', dataset_format={})\n"
    )
    assert read_python("t.py", script).jobs == []


def test_a_literal_job_name_names_the_job() -> None:
    text = (PYTHON / "isolation_network_config.py").read_text()
    named = text.replace(
        "    bias_config=bias_config,\n",
        '    bias_config=bias_config,\n    job_name="churn-bias-nightly",\n',
    )
    assert [j.loc.resource for j in read_python("j.py", named).jobs] == ["churn-bias-nightly"]
    computed = text.replace(
        "    bias_config=bias_config,\n",
        "    bias_config=bias_config,\n    job_name=f'bias-{name}',\n",
    )
    assert [j.loc.resource for j in read_python("j.py", computed).jobs] == [
        "clarify_processor.run_bias"
    ]


def test_v3_resources_take_the_v3_defaults_whole_and_v3_processors_the_processing_ones() -> None:
    findings = judge(PYTHON / "v3_resources", NETWORK)
    assert rules_at(findings, "jobs.py") >= {
        ("CVL101", "error", "churn-explain-defaults"),  # network_config left out: filled whole
        ("CVL201", "error", "churn-v3-one-subnet"),
        ("CVL102", "warning", "churn-explain-nightly"),  # a processor: SageMaker.ProcessingJob
    }
    assert definite(findings, "jobs.py") == {"CVL101", "CVL201", "CVL102"}
    jobs = {j.loc.resource: j for j in read(PYTHON / "v3_resources").jobs}
    own = jobs["churn-explain-own-network"]  # its own network_config: isolation not defaulted
    assert own.network_isolation is False and own.subnets == ["subnet-0py1a", "subnet-0py1b"]
    models = {m.loc.resource: m for m in read(PYTHON / "v3_resources").models}
    assert models["churn-v3-defaults"].subnets == ["subnet-0py1a", "subnet-0py1b"]


def test_sagemaker_core_fills_defaults_as_its_create_does() -> None:
    """After filling an argument, sagemaker-core looks the next ones up under that argument's
    shape name; a plain value (a role ARN) it cannot build a shape from ends the filling."""
    from clarify_vpc_lint.readers.python_sdk.defaults import resource_defaults

    vpc = {"subnets": ["subnet-1"], "security_group_ids": ["sg-1"]}
    defaults = sdk_defaults(
        {
            "SageMaker": {
                "PythonSDK": {
                    "Resources": {
                        "GlobalDefaults": {"execution_role_arn": "arn:r", "vpc_config": vpc},
                        "ProcessingJob": {"processing_output_config": {"kms_key_id": "k"}},
                    }
                }
            }
        }
    )
    assert resource_defaults(defaults, "Model", ["model_name", "primary_container"]) == {}
    assert resource_defaults(defaults, "Model", ["execution_role_arn"]) == {"vpc_config": vpc}
    filled = resource_defaults(defaults, "ProcessingJob", [])
    assert filled == {"processing_output_config": {"kms_key_id": "k"}}  # then ends at role_arn


def test_v3_model_builder_networking_is_the_models_vpc() -> None:
    script = (
        "from sagemaker.serve import ModelBuilder\n"
        "from sagemaker.core.training.configs import Networking\n"
        "builder = ModelBuilder(model='m', role_arn='r',\n"
        "    network=Networking(subnets=['subnet-0py1a'], security_group_ids=['sg-0pyok']))\n"
    )
    (model,) = read_python("b.py", script).models
    assert (model.loc.resource, model.subnets) == ("builder", ["subnet-0py1a"])


def test_messages_name_what_the_script_wrote() -> None:
    script = (
        "from sagemaker.workflow.clarify_check_step import ClarifyCheckStep\n"
        "from sagemaker.workflow.check_job_config import CheckJobConfig\n"
        "from sagemaker.clarify import SageMakerClarifyProcessor\n"
        "from sagemaker.network import NetworkConfig\n"
        "isolated = NetworkConfig(enable_network_isolation=True)\n"
        "step = ClarifyCheckStep(name='Check', clarify_check_config=make_config(),\n"
        "    check_job_config=CheckJobConfig(role='r', network_config=isolated))\n"
        "p = SageMakerClarifyProcessor(role='r', instance_count=1, instance_type='t',\n"
        "    network_config={'subnets': ['subnet-0py1a']})\n"
        "p.run_explainability(None, None, None)\n"
    )
    findings = judge_network(read_python("m.py", script))
    text = " ".join(f.message for f in findings)
    assert "Unknown(" not in text and "not built in this file" not in text
    assert "make_config" in text  # the call the step's config comes from
    assert "network_config is the dict {'subnets': ['subnet-0py1a']}, not a NetworkConfig" in text


# -- fixes in the caller's terms, applied to the script: the finding disappears --------------------


def _fix_of(findings: List[Finding], rule: str, name: str) -> str:
    (fix,) = {f.remediation for f in findings if f.rule == rule and Path(f.file).name == name}
    return fix


def _after_statement(source: str, target: str, code: str) -> str:
    """The script with ``code`` right after the module statement that binds ``target``."""
    tree = ast.parse(source)
    (end,) = [
        node.end_lineno
        for node in tree.body
        if isinstance(node, ast.Assign)
        and any(getattr(t, "id", "") == target for t in node.targets)
    ]
    lines = source.split("\n")
    return "\n".join([*lines[:end], code, *lines[end:]])


def test_the_sdk_isolation_fix_keeps_the_subnets_and_makes_the_finding_disappear(
    tmp_path: Path,
) -> None:
    name = "isolation_network_config.py"
    fix = _fix_of(judge(PYTHON / name, NETWORK), "CVL101", name)
    assert 'subnets=["subnet-0py1a", "subnet-0py1b"], security_group_ids=["sg-0pyok"]' in fix
    fixed = tmp_path / name
    fixed.write_text(_after_statement((PYTHON / name).read_text(), "network_config", fix))
    after = judge(fixed, NETWORK)
    assert "CVL101" not in {f.rule for f in after}
    assert "CVL102" not in {f.rule for f in after}  # still in its VPC
    (job,) = read(fixed).jobs
    assert job.subnets == ["subnet-0py1a", "subnet-0py1b"]


def test_a_v3_fix_imports_the_v3_module() -> None:
    findings = judge(PYTHON / "aliases.py", NETWORK)
    fixes = {f.resource: f.remediation for f in findings if f.rule == "CVL101"}
    assert "from sagemaker.core.network import NetworkConfig" in fixes["v3.run_post_training_bias"]
    assert (
        "from sagemaker.network import NetworkConfig" in fixes["SageMakerClarifyProcessor.run_bias"]
    )


def test_the_boto3_fix_is_request_members_and_makes_the_finding_disappear(tmp_path: Path) -> None:
    script = (
        "import boto3\n"
        "sm = boto3.client('sagemaker')\n"
        "sm.create_processing_job(\n"
        "    ProcessingJobName='churn-clarify-boto3',\n"
        "    RoleArn='arn:aws:iam::111122223333:role/clarify',\n"
        "    AppSpecification={'ImageUri': '205585389593.dkr.ecr.us-east-1.amazonaws.com/"
        "sagemaker-clarify-processing:1.0'},\n"
        "    ProcessingResources={'ClusterConfig': {'InstanceCount': 1,"
        " 'InstanceType': 'ml.m5.xlarge', 'VolumeSizeInGB': 30}},\n"
        "    NetworkConfig={'EnableNetworkIsolation': True, 'VpcConfig': {'Subnets':"
        " ['subnet-0py1a', 'subnet-0py1b'], 'SecurityGroupIds': ['sg-0pyok']}},\n"
        ")\n"
    )
    source = tmp_path / "boto3_job.py"
    source.write_text(script)
    fix = _fix_of(judge(source, NETWORK), "CVL101", "boto3_job.py")
    assert "NetworkConfig(" not in fix and "from sagemaker" not in fix  # no SDK object
    members = "\n".join(line for line in fix.splitlines() if not line.startswith("#"))
    old = script[script.index("    NetworkConfig=") : script.index("\n)")]
    source.write_text(script.replace(old, members))
    after = judge(source, NETWORK)
    assert "CVL101" not in {f.rule for f in after} and "CVL102" not in {f.rule for f in after}
    request = next(r for r in read(source).requests if r.operation == "CreateProcessingJob")
    assert request.problems == []  # botocore's shape accepts it


PYTHON_FIXES = {rule.id for rule in load_rules() if "python" in rule.remediation}


def test_the_boto3_fix_of_a_request_built_as_a_dict_is_its_members(tmp_path: Path) -> None:
    name = "boto3_request.py"
    fix = _fix_of(judge(PYTHON / name, NETWORK), "CVL101", name)
    members = "\n".join(line for line in fix.splitlines() if not line.startswith("#"))
    assert members.startswith('"NetworkConfig": {')
    text = (PYTHON / name).read_text()
    old = text[text.index('    "NetworkConfig": {') : text.index('    "StoppingCondition"')]
    fixed = tmp_path / name
    fixed.write_text(
        text.replace(old, "\n".join("    " + line for line in members.splitlines()) + "\n")
    )
    after = judge(fixed, NETWORK)
    assert "CVL101" not in {f.rule for f in after}
    (job,) = read(fixed).jobs
    assert job.subnets == ["subnet-0py1a"]  # its VPC kept


def test_a_python_fix_never_holds_an_empty_list() -> None:
    for path in [
        *sorted(PYTHON.glob("*.py")),
        *sorted(PYTHON.glob("*/*.py")),
        PYTHON / "magics.ipynb",
    ]:
        for finding in judge(path, NETWORK):
            if finding.rule in PYTHON_FIXES and Path(finding.file).suffix in (".py", ".ipynb"):
                assert "[]" not in finding.remediation, (path, finding.rule, finding.remediation)
                try:
                    ast.parse(finding.remediation)
                except SyntaxError:  # the members of a boto3 request built as a dict
                    ast.parse("{\n" + finding.remediation + "\n}")


# -- issue 27: hostile Python, read in bounded work -----------------------------------------------

_JOB = (
    "clarify.SageMakerClarifyProcessor(role='r', instance_count=1, instance_type='t')"
    ".run_pre_training_bias(None, None)\n"
)
_ITEMS = "[" + ", ".join(map(str, range(50))) + "]"


def _reader(text: str) -> Reader:
    reader = Reader("hostile.py", SdkDefaults())
    reader.run_module(ast.parse(text).body, text)
    reader.run_functions()
    return reader


def test_loops_that_would_unroll_into_150000_jobs_stay_within_the_budget() -> None:
    nest = f"for a in {_ITEMS}:\n    for b in {_ITEMS}:\n        " + _JOB
    text = "from sagemaker import clarify\n" + nest * 60  # 60 x 50 x 50 = 150,000 if unrolled
    reader = _reader(text)
    statements = sum(isinstance(n, ast.stmt) for n in ast.walk(ast.parse(text)))
    assert reader.statements_read <= statements + MAX_UNROLLED_NODES
    assert len(reader.network.jobs) < 5_000


def test_a_function_body_defined_in_a_loop_runs_once() -> None:
    text = (
        "from sagemaker import clarify\n"
        f"for a in {_ITEMS}:\n    for b in {_ITEMS}:\n"
        "        def start(x):\n            " + _JOB
    )
    reader = _reader(text)
    assert reader.statements_read < 3_000
    assert len(reader.network.jobs) == 1


def test_nested_functions_each_run_once() -> None:
    text = "from sagemaker import clarify\n" + "".join(
        "    " * depth + f"def f{depth}():\n" + "    " * (depth + 1) + _JOB for depth in range(50)
    )
    reader = _reader(text)
    assert len(reader.network.jobs) == 50 and reader.statements_read <= 2 * 50 + 1


def test_a_30000_line_script_with_10000_branches_is_read_in_linear_work() -> None:
    body = "".join(f"v{i} = {i}\nif v{i}:\n    w{i} = 'x'\n" for i in range(10_000))
    reader = _reader("from sagemaker import clarify\n" + body + _JOB)
    assert reader.statements_read == 1 + 3 * 10_000 + 1
    assert len(reader.network.jobs) == 1
    assert isinstance(reader.module.get("w9999"), Unknown)  # set under a condition


def test_strings_and_lists_doubled_forty_times_are_unknown_not_gigabytes() -> None:
    text = (
        "from sagemaker import clarify\n"
        "s = 'ab'\n"
        + "s = s + s\n" * 40
        + "l = [1]\n"
        + "l += l\n" * 40
        + "t = 'x'\n"
        + "t = f'{t}{t}'\n" * 40
        + "u = [0]\n"
        + "u = [*u, *u]\n" * 40
    )
    reader = _reader(text)
    for name in "sltu":
        value = reader.module.get(name)
        assert isinstance(value, Unknown) and f"{MAX_VALUE_LENGTH:,}" in value.reason


def test_range_of_a_hundred_million_is_never_built() -> None:
    text = (
        "from sagemaker import clarify\n"
        "for i in range(100000000):\n    "
        + _JOB
        + "x = list(range(100000000))\ny = [0] * 100000000\nz = 'a' * 10**10\n"
    )
    reader = _reader(text)
    assert len(reader.network.jobs) == 1
    assert all(isinstance(reader.module.get(name), Unknown) for name in "xyz")


@pytest.mark.parametrize(
    "nested", ["not " * 100_000 + "1", "lambda: " * 100_000 + "1"], ids=["not", "lambda"]
)
def test_code_too_deep_for_pythons_parser_is_an_input_error(nested: str) -> None:
    """ast.parse raises MemoryError (not SyntaxError) past its parser's stack: the file is one
    input error, and in a notebook only that cell is, the others still read (it was an internal
    error that lost the whole file)."""
    script = "from sagemaker import clarify\nx = " + nested + "\n" + _JOB
    with pytest.raises(ParseError, match="nests too deeply"):
        read_python("deep.py", script)
    cells = [script, "from sagemaker import clarify\n" + _JOB]
    notebook = {
        "nbformat": 4,
        "cells": [{"cell_type": "code", "source": cell, "metadata": {}} for cell in cells],
    }
    network = read_python("deep.ipynb", json.dumps(notebook))
    assert [message for _, _, message in network.input_errors] == [
        "cell 1: nests too deeply for Python's parser; not read"
    ]
    assert len(network.jobs) == 1


def test_a_notebook_with_a_5000_digit_number_is_read_and_one_too_deep_is_an_input_error() -> None:
    """Its JSON decoded as every input's is: a number past Python's 4,300 digits (in metadata,
    say) was an internal error that lost the notebook; nesting past the limit is said so."""
    cell = {"cell_type": "code", "source": "from sagemaker import clarify\n" + _JOB, "metadata": {}}
    text = json.dumps({"nbformat": 4, "cells": [cell], "metadata": {"n": 0}})
    network = read_python("big.ipynb", text.replace('"n": 0', '"n": ' + "9" * 5000))
    assert len(network.jobs) == 1 and network.input_errors == []
    deep = text.replace('"n": 0', '"n": ' + "[" * 100_000 + "]" * 100_000)
    with pytest.raises(ParseError, match="not a Jupyter notebook: nesting deeper than"):
        read_python("deep.ipynb", deep)


def test_notebook_lines_are_counted_once_however_many_cells_and_outputs() -> None:
    from clarify_vpc_lint.readers.python_sdk import notebooks

    counted = []

    class Counting(notebooks._LineCounter):
        def at(self, offset: int) -> tuple:
            counted.append(offset)
            return super().at(offset)

    cells = [
        {"cell_type": "code", "outputs": [{"text": ["x\n"] * 50}], "source": ["a = 1\n", "b = 2\n"]}
        for _ in range(5_000)
    ]
    text = json.dumps({"cells": cells, "nbformat": 4}, indent=1)
    original = notebooks._LineCounter
    notebooks._LineCounter = Counting  # type: ignore[misc]
    try:
        parsed = list(notebooks.notebook_cells("nb.ipynb", text))
    finally:
        notebooks._LineCounter = original  # type: ignore[misc]
    assert len(parsed) == 5_000 and counted == sorted(counted)  # one pass forward
    last_line = parsed[-1][2][-1][0]
    assert text.splitlines()[last_line - 1].strip() == '"b = 2\\n"'


def test_too_much_code_is_refused_in_one_line_and_fifos_are_never_opened(tmp_path: Path) -> None:
    from clarify_vpc_lint.readers.python_sdk import MAX_CODE_BYTES, read_python_file

    big = tmp_path / "big.py"
    big.write_text("import sagemaker\n" + "x = 1\n" * (MAX_CODE_BYTES // 6 + 1))
    with pytest.raises(ParseError, match="larger than 1 MiB"):
        read_python_file(str(big))
    fifo = tmp_path / "swapped.py"
    os.mkfifo(fifo)
    with pytest.raises(ParseError, match="not a regular file"):
        read_python_file(str(fifo))  # would block forever if opened for reading


_MODEL_AND_PROCESSOR = {
    "v2": (
        "from sagemaker import clarify\n"
        "from sagemaker.model import Model\n"
        "from sagemaker.network import NetworkConfig\n"
        "model = Model(image_uri='xgboost', model_data='s3://b/model.tar.gz', role='r',\n"
        "    name='churn-xgboost', {model_vpc})\n"
        "processor = clarify.SageMakerClarifyProcessor(role='r', instance_count=1,\n"
        "    instance_type='ml.m5.xlarge', {job_network})\n"
    ),
    "v3": (
        "from sagemaker.core import clarify, shapes\n"
        "from sagemaker.core.network import NetworkConfig\n"
        "from sagemaker.core.resources import Model\n"
        "model = Model.create(model_name='churn-xgboost',\n"
        "    primary_container=shapes.ContainerDefinition(image='xgboost'), {model_vpc})\n"
        "processor = clarify.SageMakerClarifyProcessor(role='r', instance_count=1,\n"
        "    instance_type='ml.m5.xlarge', {job_network})\n"
    ),
}
_RUN = (
    "processor.run_explainability(clarify.DataConfig(s3_data_input_path='s3://b/in.csv',\n"
    "    s3_output_path='s3://b/out'), clarify.ModelConfig(model_name='churn-xgboost',\n"
    "    instance_count=1, instance_type='ml.m5.xlarge'), clarify.SHAPConfig())\n"
)
_SUBNETS = "['subnet-0py1a', 'subnet-0py1b']"


def _script(version: str, model_vpc: str, job_network: str) -> str:
    text = _MODEL_AND_PROCESSOR[version].replace("{model_vpc}", model_vpc)
    return text.replace("{job_network}", job_network) + _RUN


def _before(source: str, statement: str, code: str) -> str:
    return source.replace(statement, code + "\n" + statement, 1)


@pytest.mark.parametrize("version", ["v2", "v3"])
def test_the_sdk_fix_for_a_job_without_vpc_gives_it_the_models_network(
    version: str, tmp_path: Path
) -> None:
    model_vpc = (
        f"vpc_config={{'Subnets': {_SUBNETS}, 'SecurityGroupIds': ['sg-0pyok']}}"
        if version == "v2"
        else f"vpc_config=shapes.VpcConfig(subnets={_SUBNETS}, security_group_ids=['sg-0pyok'])"
    )
    source = tmp_path / "job.py"
    source.write_text(_script(version, model_vpc, ""))
    fix = _fix_of(judge(source, NETWORK), "CVL102", "job.py")
    assert ("sagemaker.core.network" in fix) == (version == "v3")
    fixed = _before(source.read_text(), "processor = ", fix).replace(
        "instance_type='ml.m5.xlarge', )",
        "instance_type='ml.m5.xlarge', network_config=network_config)",
    )
    source.write_text(fixed)
    after = {f.rule for f in judge(source, NETWORK)}
    assert "CVL102" not in after and "CVL103" not in after


@pytest.mark.parametrize("version", ["v2", "v3"])
def test_the_sdk_fix_for_a_model_outside_the_jobs_vpc_gives_it_the_jobs_network(
    version: str, tmp_path: Path
) -> None:
    network = f"network_config=NetworkConfig(subnets={_SUBNETS}, security_group_ids=['sg-0pyok'])"
    source = tmp_path / "job.py"
    source.write_text(_script(version, "", network))
    fix = _fix_of(judge(source, NETWORK), "CVL103", "job.py")
    fixed = _before(source.read_text(), "model = ", fix).replace(
        ", )\nprocessor", ", vpc_config=vpc_config)\nprocessor"
    )
    source.write_text(fixed)
    after = {f.rule for f in judge(source, NETWORK)}
    assert "CVL103" not in after and "CVL201" not in after


def test_cell_lines_are_found_whatever_the_escapes_and_metadata_keys() -> None:
    """A notebook written by another tool: escapes Jupyter would not write (\\u0070), a "source"
    key inside a cell's metadata: the job is still at its own line."""
    cells = [
        {"cell_type": "markdown", "metadata": {"source": ["not the cell's"]}, "source": ["# T\n"]},
        {
            "cell_type": "code",
            "metadata": {"source": "neither"},
            "outputs": [],
            "source": [
                "from sagemaker import clarify\n",
                "p = clarify.SageMakerClarifyProcessor(role='r', instance_count=1,\n",
                "    instance_type='t')\n",
                "p.run_pre_training_bias(None, None)\n",
            ],
        },
    ]
    text = json.dumps({"cells": cells, "nbformat": 4}, indent=1).replace(
        '"p.run_pre', '"\\u0070.run_pre'
    )
    (job,) = read_python("nb.ipynb", text).jobs
    assert job.loc.resource == "p.run_pre_training_bias (cell 2, line 4)"
    assert "run_pre_training_bias(None, None)" in text.splitlines()[job.loc.line - 1]


def test_a_finding_decided_by_the_v3_defaults_file_says_where_the_value_comes_from() -> None:
    """ProcessingJob.create without network_config takes it whole from the defaults: its fixes
    name that section and file; a call with its own network_config, or a v3 processor, does not."""
    findings = run(Options(paths=[str(PYTHON / "v3_resources")], context=[str(NETWORK)])).findings
    notes = {
        f.resource: f.remediation.splitlines()[0] for f in findings if f.file.endswith("jobs.py")
    }
    config = str(PYTHON / "v3_resources" / "config.yaml")
    assert notes["churn-explain-defaults"] == (
        "# network_config is not written in this call: it comes whole from "
        f"SageMaker.PythonSDK.Resources.ProcessingJob.network_config of the SDK defaults file {config}"
    )
    assert "defaults file" not in notes["churn-explain-nightly"]
    script = (
        "from sagemaker.core import shapes\n"
        "from sagemaker.core.resources import Model\n"
        "Model.create(model_name='one', primary_container=shapes.ContainerDefinition(image='x'))\n"
    )
    defaults = sdk_defaults(
        {
            "SageMaker": {
                "PythonSDK": {
                    "Resources": {
                        "GlobalDefaults": {
                            "vpc_config": {"subnets": ["subnet-0py1a"], "security_group_ids": []}
                        }
                    }
                }
            }
        }
    )
    (model,) = read_python("m.py", script, defaults).models
    assert model.subnets == ["subnet-0py1a"]
    assert "SageMaker.PythonSDK.Resources.GlobalDefaults.vpc_config" in model.loc.origin


def test_a_function_of_a_later_cell_is_read_whatever_the_earlier_cells_held() -> None:
    """The reader knows a function it has seen by its node: every cell's nodes live until the
    notebook is read, so a later cell's function is never taken for an earlier one's (whose
    freed node's id Python may give to the new one)."""
    body = "    p = SageMakerClarifyProcessor(role='r', instance_count=1, instance_type='t')\n"
    cells = [
        {"cell_type": "code", "source": "from sagemaker.clarify import SageMakerClarifyProcessor\n"}
    ]
    cells += [{"cell_type": "code", "source": "def other():\n    x = 1\n"} for _ in range(50)]
    cells.append(
        {
            "cell_type": "code",
            "source": f"def start():\n{body}    p.run_pre_training_bias(None, None)\n",
        }
    )
    for _ in range(5):  # whether Python reuses an id varies from read to read
        network = read_python("nb.ipynb", json.dumps({"cells": cells, "nbformat": 4}))
        assert [j.loc.resource for j in network.jobs] == [
            "p.run_pre_training_bias (cell 52, line 3)"
        ]


@pytest.mark.parametrize("version", ["", "_v3"])
def test_a_model_built_in_the_script_is_judged_with_its_job(version: str) -> None:
    """CVL103 on a script that builds the job's model: outside the job's VPC (bad), given the
    job's network (good), or given subnets from the environment (unknown: info)."""
    path = PYTHON / f"model_outside_vpc{version}.py"
    text = path.read_text()

    def cvl103(script: str) -> Set[str]:
        network = read(NETWORK)
        network.extend(read_python(path.name, script))
        return {f.severity for f in judge_network(network) if f.rule == "CVL103"}

    assert cvl103(text) == {"warning"}
    subnets = '["subnet-0py1a", "subnet-0py1b"]'
    written, given = {
        "": (
            'name="churn-model")',
            f'name="churn-model", vpc_config={{"Subnets": {subnets}, "SecurityGroupIds": ["sg-0pyok"]}})',
        ),
        "_v3": (
            'execution_role_arn="r",',
            f'execution_role_arn="r", vpc_config=shapes.VpcConfig(subnets={subnets}, security_group_ids=["sg-0pyok"]),',
        ),
    }[version]
    good = text.replace(written, given, 1)
    assert good != text and cvl103(good) == set()
    unknown = "import os\n" + good.replace(f"{subnets}, ", '[os.environ["SUBNET"]], ', 1)
    assert 'os.environ["SUBNET"]' in unknown and cvl103(unknown) == {"info"}


def test_a_finding_decided_by_the_v2_defaults_names_the_fields_it_takes_from_them() -> None:
    """The SDK's classes take the defaults field by field: the fix names each field a call takes
    from the defaults file, and the section it comes from; fields the call writes are not named."""
    paths = [str(PYTHON / "isolation_defaults"), str(PYTHON / "check_step_defaults")]
    findings = run(Options(paths=paths, context=[str(NETWORK)])).findings
    first = {
        (Path(f.file).name, f.resource): f.remediation.splitlines()[0]
        for f in findings
        if f.rule == "CVL101" and f.file.endswith(".py")
    }
    explain = first[("explain.py", "processor.run_explainability")]
    assert explain.startswith("# not written in this call, taken from the SDK defaults file ")
    assert explain.endswith(
        "isolation_defaults/config.yaml: enable_network_isolation from "
        "SageMaker.ProcessingJob.NetworkConfig.EnableNetworkIsolation"
    )  # its subnets and groups are written in the script
    check = first[("pipeline.py", "ModelBiasCheck")]
    assert (
        "enable_network_isolation from SageMaker.MonitoringSchedule.MonitoringScheduleConfig."
        "MonitoringJobDefinition.NetworkConfig.EnableNetworkIsolation; subnets from "
        "SageMaker.ProcessingJob.NetworkConfig.VpcConfig.Subnets" in check
    )
