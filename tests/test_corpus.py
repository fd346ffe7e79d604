"""The real-world corpus in ../shared/corpus (present on the project's machines and CI).

Every file must read without a parse error and without a traceback; every error-level finding must
be one we defend (the list below, with the reason).
"""

from __future__ import annotations

import pytest
from conftest import CORPUS

from clarify_vpc_lint.linter import Options, run

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")

# (file, rule, resource): why the error is true
DEFENDED_ERRORS = {
    (
        "securedpress-sm-secure-pipeline/endpoint_main.tf",
        "CVL201",
        "aws_sagemaker_model.demo",
    ): "vpc_config { subnets = [var.subnet_id] }: exactly one subnet, so one Availability Zone, "
    "whatever the variable holds (MANIFEST: YES, single subnet)",
}


def test_corpus_reads_without_errors_and_reports_only_defended_errors() -> None:
    result = run(Options(paths=[str(CORPUS)]))
    # the provider's documentation samples sit in one folder, each declaring
    # data "aws_caller_identity" "current": as one module, terraform refuses them
    assert [(e.file.split("corpus/")[-1], e.message.split(":")[0]) for e in result.errors] == [
        (
            "tf-provider-awscc/awscc_sagemaker_model_explainability_job_definition.tf",
            'duplicate data "aws_caller_identity" "current"',
        )
    ]
    errors = {
        (f.file.split("corpus/")[-1], f.rule, f.resource)
        for f in result.findings
        if f.severity == "error"
    }
    assert errors == set(DEFENDED_ERRORS)
    assert result.files >= 15
