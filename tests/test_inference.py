"""Whether a Clarify job calls a model, and where its network comes from (SPEC section 4).

An analysis config's predictor and methods decide inference the way the SDK's ``_add_predictor``
does; a predictor ``endpoint_name`` calls an existing endpoint (no shadow endpoint, so the model's
network is not the job's concern); the SDK's ``config.yaml`` monitoring-schedule defaults apply to
ClarifyCheck steps and monitors first, then the processing-job defaults, field by field.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import List

import pytest
from conftest import FIXTURES

from clarify_vpc_lint.linter import Options, run
from clarify_vpc_lint.readers.sagemaker_api import analysis_needs_inference

CVL103 = FIXTURES / "rules" / "CVL103"
CHECK_STEP_DEFAULTS = FIXTURES / "python" / "check_step_defaults" / "config.yaml"


def _lint(*paths: Path) -> List:
    result = run(Options(paths=[str(p) for p in paths]))
    assert result.errors == [], result.errors
    return result.findings


@pytest.mark.parametrize(
    "config, inference",
    [
        ({"methods": {"shap": {}}}, False),  # no predictor: the SDK would refuse SHAP
        ({"methods": {"post_training_bias": {}}, "predictor": {"model_name": "m"}}, True),
        ({"methods": {"pdp": {}}, "predictor": {"model_name": "m"}}, True),
        ({"methods": {"asymmetric_shapley_value": {}}, "predictor": {"model_name": "m"}}, True),
        ({"methods": {"pre_training_bias": {}}, "predictor": {"model_name": "m"}}, False),
        (
            {
                "methods": {"post_training_bias": {}},
                "predicted_label": "prediction",
                "predictor": {"model_name": "m"},
            },
            False,
        ),
        (
            {
                "methods": {"post_training_bias": {}},
                "predicted_label_dataset_uri": "s3://bucket/predictions.csv",
                "predictor": {"model_name": "m"},
            },
            False,
        ),
        (
            {
                "methods": {"post_training_bias": {}, "shap": {}},
                "predicted_label": "prediction",
                "predictor": {"model_name": "m"},
            },
            True,
        ),
    ],
)
def test_the_methods_decide_whether_the_model_is_called(config: dict, inference: bool) -> None:
    assert analysis_needs_inference(config) is inference


def test_an_endpoint_name_predictor_still_needs_the_sagemaker_endpoints(tmp_path: Path) -> None:
    case = tmp_path / "case"
    shutil.copytree(CVL103 / "api-good-endpoint-name", case)
    endpoints = json.loads((case / "vpc-endpoints.json").read_text())
    endpoints["VpcEndpoints"] = [
        e
        for e in endpoints["VpcEndpoints"]
        if not e["ServiceName"].startswith("com.amazonaws.") or e["ServiceName"].endswith(".s3")
    ]
    (case / "vpc-endpoints.json").write_text(json.dumps(endpoints))
    rules = {f.rule for f in _lint(case) if f.severity != "info"}
    # the job calls the existing endpoint through sagemaker.runtime and needs sagemaker.api
    assert {"CVL302", "CVL303"} <= rules
    assert "CVL103" not in rules


def test_a_post_training_bias_config_with_predicted_labels_needs_no_model(
    tmp_path: Path,
) -> None:
    case = tmp_path / "case"
    shutil.copytree(CVL103 / "api-bad", case)
    config = json.loads((case / "analysis_config.json").read_text())
    config["methods"] = {"post_training_bias": {"methods": "all"}}
    config["predicted_label"] = "prediction"
    (case / "analysis_config.json").write_text(json.dumps(config))
    assert "CVL103" not in {f.rule for f in _lint(case)}


def test_monitoring_isolation_in_the_sdk_defaults_is_cvl101_on_the_defaults_file() -> None:
    findings = _lint(CHECK_STEP_DEFAULTS)
    assert {(f.rule, f.line, f.resource) for f in findings if f.severity == "error"} == {
        ("CVL101", 8, "SageMaker.MonitoringSchedule")
    }


def test_monitoring_defaults_take_the_vpc_of_the_processing_job_defaults() -> None:
    # the monitoring defaults set isolation only: the Clarify processor the step starts takes
    # the processing-job VpcConfig, so the job is in the VPC (no CVL102)
    assert "CVL102" not in {f.rule for f in _lint(CHECK_STEP_DEFAULTS)}


def test_monitoring_defaults_without_any_vpc_run_outside_the_vpc(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        "SchemaVersion: '1.0'\n"
        "SageMaker:\n"
        "  MonitoringSchedule:\n"
        "    MonitoringScheduleConfig:\n"
        "      MonitoringJobDefinition:\n"
        "        NetworkConfig:\n"
        "          EnableNetworkIsolation: true\n"
    )
    findings = {(f.rule, f.line) for f in _lint(config)}
    assert findings == {("CVL101", 3), ("CVL102", 3)}


def test_monitoring_defaults_without_a_network_config_add_no_job(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        "SchemaVersion: '1.0'\n"
        "SageMaker:\n"
        "  MonitoringSchedule:\n"
        "    MonitoringScheduleConfig:\n"
        "      MonitoringJobDefinition:\n"
        "        RoleArn: arn:aws:iam::111122223333:role/Monitor\n"
    )
    assert _lint(config) == []
