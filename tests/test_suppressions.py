"""Suppressions written in the inputs (SPEC section 6): inline comments in YAML, HCL and Python,
checkov's skip comments and metadata, CloudFormation resource and template Metadata; every ID
spelling in every place; unused, mistyped and reasonless suppressions reported as CVL002."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import List, Tuple

import pytest
from conftest import FIXTURES

from clarify_vpc_lint.linter import Options, run

ONE_ERROR = FIXTURES / "cli" / "one-error.yaml"  # CVL201 on `Model:` (line 69), nothing else
MODEL_LINE = 69
PYTHON = FIXTURES / "python" / "one_subnet_model.py"  # CVL201 on the Model( call, line 4
TERRAFORM = FIXTURES / "tfroot" / "nested-modules"  # CVL201 on aws_sagemaker_model.green
SPELLINGS = ["CVL201", "cvl201", "E9201", "w9201", "I9201", "CKV_CVL_201", "ckv_cvl_201"]


def _insert(path: Path, line: int, text: str) -> None:
    """Put ``text`` as line ``line`` (1-based) of ``path``, moving the rest down."""
    lines = path.read_text().split("\n")
    lines.insert(line - 1, text)
    path.write_text("\n".join(lines))


def _rules(folder: Path, *ignore: str) -> List[Tuple[str, str, int]]:
    result = run(Options(paths=[str(folder)], ignore=list(ignore)))
    assert result.errors == []
    return [
        (f.rule, Path(f.file).name, f.line) for f in result.findings if f.severity != "info"
    ] + [(f.rule, Path(f.file).name, f.line) for f in result.findings if f.rule == "CVL002"]


def _template(tmp_path: Path) -> Path:
    copy = tmp_path / "ml.yaml"
    shutil.copy(ONE_ERROR, copy)
    return copy


def test_the_templates_finding_without_a_suppression(tmp_path: Path) -> None:
    _template(tmp_path)
    assert _rules(tmp_path) == [("CVL201", "ml.yaml", MODEL_LINE)]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_a_yaml_comment_above_the_resource_in_every_spelling(tmp_path: Path, spelling) -> None:
    _insert(_template(tmp_path), MODEL_LINE, f"  # clarify-vpc-lint: ignore[{spelling}] batch only")
    assert _rules(tmp_path) == []


def test_a_yaml_comment_on_the_resource_line_and_stacked_comments(tmp_path: Path) -> None:
    template = _template(tmp_path)
    text = template.read_text().replace(
        "  Model:\n", "  Model:  # clarify-vpc-lint: ignore[CVL201] batch only\n"
    )
    template.write_text(text)
    assert _rules(tmp_path) == []
    template.write_text(
        text.replace(
            "  Model:  # clarify-vpc-lint: ignore[CVL201] batch only\n",
            "  # clarify-vpc-lint: ignore[CVL201] batch only\n  # owner: ml-team\n  Model:\n",
        )
    )
    assert _rules(tmp_path) == []


def test_a_comment_two_resources_away_suppresses_nothing(tmp_path: Path) -> None:
    template = _template(tmp_path)
    _insert(template, MODEL_LINE - 3, "  # clarify-vpc-lint: ignore[CVL201] batch only")
    assert _rules(tmp_path) == [
        ("CVL201", "ml.yaml", MODEL_LINE + 1),
        ("CVL002", "ml.yaml", MODEL_LINE - 3),
    ]


def test_checkov_skip_comment_in_yaml(tmp_path: Path) -> None:
    _insert(_template(tmp_path), MODEL_LINE, "  #checkov:skip=CKV_CVL_201:batch only")
    assert _rules(tmp_path) == []


@pytest.mark.parametrize(
    "metadata",
    [
        "    Metadata:\n      cfn-lint:\n        config:\n          ignore_checks: [E9201]",
        "    Metadata:\n      cfn-lint: {config: {ignore_checks: e9201}}",
        "    Metadata:\n      clarify-vpc-lint: {ignore: [cvl201]}",
        "    Metadata:\n      clarify-vpc-lint: {ignore: CKV_CVL_201}",
        "    Metadata:\n      checkov:\n        skip:\n          - id: CKV_CVL_201\n"
        "            comment: batch only",
    ],
)
def test_resource_metadata_in_every_form(tmp_path: Path, metadata: str) -> None:
    _insert(_template(tmp_path), MODEL_LINE + 2, metadata)
    assert _rules(tmp_path) == []


def test_template_metadata_covers_every_resource_of_the_file(tmp_path: Path) -> None:
    template = _template(tmp_path)
    _insert(template, 4, "Metadata:\n  clarify-vpc-lint:\n    ignore: [W9201]")
    assert _rules(tmp_path) == []


def test_metadata_in_a_json_template(tmp_path: Path) -> None:
    model = {
        "Type": "AWS::SageMaker::Model",
        "Metadata": {"cfn-lint": {"config": {"ignore_checks": ["E9201"]}}},
        "Properties": {
            "ExecutionRoleArn": "arn:aws:iam::111122223333:role/Model",
            "VpcConfig": {"Subnets": ["subnet-0aaa1111"], "SecurityGroupIds": ["sg-0clarify"]},
        },
    }
    path = tmp_path / "ml.json"
    path.write_text(json.dumps({"Resources": {"Model": model}}, indent=2))
    assert [r for r in _rules(tmp_path) if r[0] == "CVL201"] == []
    del model["Metadata"]
    path.write_text(json.dumps({"Resources": {"Model": model}}, indent=2))
    assert [r[0] for r in _rules(tmp_path) if r[0] == "CVL201"] == ["CVL201"]


def test_unused_mistyped_and_reasonless_suppressions_are_info(tmp_path: Path) -> None:
    template = _template(tmp_path)
    _insert(template, MODEL_LINE, "  # clarify-vpc-lint: ignore[CVL201, CVL304, CVL2O1]")
    result = run(Options(paths=[str(tmp_path)]))
    (problem,) = result.findings
    assert (problem.rule, problem.severity, problem.line) == ("CVL002", "info", MODEL_LINE)
    assert problem.resource == "Model"
    assert "CVL2O1 is no rule" in problem.message
    assert "CVL304 reports nothing here" in problem.message
    assert "no reason" in problem.message


def test_a_rule_switched_off_by_ignore_is_never_called_unused(tmp_path: Path) -> None:
    _insert(_template(tmp_path), MODEL_LINE, "  # clarify-vpc-lint: ignore[CVL304] shared hub")
    assert _rules(tmp_path, "CVL304") == [("CVL201", "ml.yaml", MODEL_LINE + 1)]
    assert _rules(tmp_path, "CVL304", "CVL002", "CVL201") == []


def test_a_suppressed_subject_is_not_judged_passed(tmp_path: Path) -> None:
    _insert(_template(tmp_path), MODEL_LINE, "  # clarify-vpc-lint: ignore[CVL201] batch only")
    result = run(Options(paths=[str(tmp_path)]))
    assert not any(resource == "Model" for _, _, resource in result.judged["CVL201"])


def test_python_comment_above_the_call(tmp_path: Path) -> None:
    script = tmp_path / "model.py"
    shutil.copy(PYTHON, script)
    assert _rules(tmp_path) == [("CVL201", "model.py", 4)]
    _insert(script, 4, "# clarify-vpc-lint: ignore[CVL201] a demo account with one AZ")
    assert _rules(tmp_path) == []


def test_python_comment_on_the_call_line(tmp_path: Path) -> None:
    script = tmp_path / "model.py"
    shutil.copy(PYTHON, script)
    script.write_text(
        script.read_text().replace("Model(\n", "Model(  # clarify-vpc-lint: ignore[E9201] demo\n")
    )
    assert _rules(tmp_path) == []


def _terraform(tmp_path: Path) -> Tuple[Path, int]:
    folder = tmp_path / "tf"
    shutil.copytree(TERRAFORM, folder)
    lines = (folder / "main.tf").read_text().split("\n")
    return folder / "main.tf", lines.index('resource "aws_sagemaker_model" "green" {') + 1


def test_hcl_comment_above_the_block_in_both_comment_styles(tmp_path: Path) -> None:
    main, line = _terraform(tmp_path)
    assert _rules(tmp_path) == [("CVL201", "main.tf", line)]
    _insert(main, line, "# clarify-vpc-lint: ignore[CKV_CVL_201] green is a canary")
    assert _rules(tmp_path) == []
    main.write_text(main.read_text().replace("# clarify-vpc-lint", "// clarify-vpc-lint"))
    assert _rules(tmp_path) == []


def test_checkov_skip_anywhere_inside_the_tf_block(tmp_path: Path) -> None:
    main, line = _terraform(tmp_path)
    _insert(main, line + 3, "  #checkov:skip=CKV_CVL_201:green is a canary")
    assert _rules(tmp_path) == []


def test_a_heredoc_above_does_not_move_the_tf_block_a_checkov_skip_is_in(tmp_path: Path) -> None:
    main, line = _terraform(tmp_path)
    script = [  # its text is not HCL: `/*` is a glob there, not a comment that never closes
        'resource "aws_ssm_parameter" "setup" {',
        '  name  = "setup"',
        "  value = <<-EOT",
        "    cp /tmp/* /opt/ && echo '{'",
        "  EOT",
        "}",
        "",
    ]
    _insert(main, line, "\n".join(script))
    line += len(script)
    assert _rules(tmp_path) == [("CVL201", "main.tf", line)]
    _insert(main, line + 3, "  #checkov:skip=CKV_CVL_201:green is a canary")
    assert _rules(tmp_path) == []


def test_checkov_skip_of_another_check_is_not_ours(tmp_path: Path) -> None:
    main, line = _terraform(tmp_path)
    _insert(main, line + 1, "  #checkov:skip=CKV_AWS_370:no KMS key here")
    assert _rules(tmp_path) == [("CVL201", "main.tf", line)]


def test_checkov_skip_after_the_block_suppresses_nothing(tmp_path: Path) -> None:
    main, line = _terraform(tmp_path)
    lines = main.read_text().split("\n")
    end = lines.index("}", line) + 1  # the block's closing brace
    _insert(main, end + 1, "#checkov:skip=CKV_CVL_201:misplaced")
    assert _rules(tmp_path) == [("CVL201", "main.tf", line), ("CVL002", "main.tf", end + 1)]


def test_a_comment_above_the_wrong_property_suppresses_too(tmp_path: Path) -> None:
    template = _template(tmp_path)
    lines = template.read_text().split("\n")
    subnets = lines.index("        Subnets: [!Ref SubnetA]") + 1
    _insert(template, subnets, "        # clarify-vpc-lint: ignore[CVL201] one AZ on purpose")
    assert _rules(tmp_path) == []


NOTEBOOK = FIXTURES / "python" / "bias_report.ipynb"  # CVL101 on run_bias( in its last cell
RUN_BIAS = "clarify_processor.run_bias(\n"


def _notebook(tmp_path: Path, comment: str, where: str = "above") -> Tuple[Path, int]:
    """The notebook with ``comment`` in its last code cell (on the line above the job's call, or
    on the call's line); returns it and the notebook file's line of the comment."""
    data = json.loads(NOTEBOOK.read_text())
    source = data["cells"][-1]["source"]
    call = source.index(RUN_BIAS)
    if where == "above":
        source.insert(call, comment + "\n")
    elif where == "on":
        source[call] = RUN_BIAS.rstrip("\n") + "  " + comment + "\n"
    else:  # the cell's source as one string: all of it on one line of the file
        data["cells"][-1]["source"] = (
            "".join(source[:call]) + comment + "\n" + "".join(source[call:])
        )
    notebook = tmp_path / "report.ipynb"
    text = json.dumps(data, indent=1)
    notebook.write_text(text)
    marker = comment.lstrip("# ").split("=")[0][:16]  # clarify-vpc-lint or checkov:skip
    line = next(n for n, row in enumerate(text.split("\n"), 1) if marker in row)
    return notebook, line


def _notebook_rules(tmp_path: Path) -> List[Tuple[str, str, int]]:
    result = run(Options(paths=[str(tmp_path / "report.ipynb")]))
    assert result.errors == []
    return [
        (f.rule, f.severity, f.line)
        for f in result.findings
        if f.severity != "info" or f.rule == "CVL002"
    ]


def test_the_notebooks_finding_without_a_suppression(tmp_path: Path) -> None:
    shutil.copy(NOTEBOOK, tmp_path / "report.ipynb")
    assert [rule for rule, _, _ in _notebook_rules(tmp_path)] == ["CVL101"]


@pytest.mark.parametrize("where", ["above", "on", "one string"])
@pytest.mark.parametrize(
    "comment",
    ["# clarify-vpc-lint: ignore[CVL101] isolation is the point", "#checkov:skip=CKV_CVL_101:demo"],
)
def test_a_comment_in_a_notebook_code_cell(tmp_path: Path, comment: str, where: str) -> None:
    _notebook(tmp_path, comment, where)
    assert _notebook_rules(tmp_path) == []


def test_unused_and_mistyped_notebook_suppressions_are_cvl002_at_their_line(
    tmp_path: Path,
) -> None:
    _, line = _notebook(tmp_path, "# clarify-vpc-lint: ignore[CVL304, CVL1O1] hub")
    result = run(Options(paths=[str(tmp_path / "report.ipynb")]))
    (problem,) = [f for f in result.findings if f.rule == "CVL002"]
    assert (problem.severity, problem.line) == ("info", line)
    assert "CVL1O1 is no rule" in problem.message
    assert "CVL304 reports nothing here" in problem.message
    assert "CVL101" in [f.rule for f in result.findings]  # suppressed by neither


def test_a_suppression_in_a_markdown_cell_suppresses_nothing(tmp_path: Path) -> None:
    data = json.loads(NOTEBOOK.read_text())
    data["cells"].append(
        {
            "cell_type": "markdown",
            "metadata": {},
            "source": ["# clarify-vpc-lint: ignore[CVL101] x"],
        }
    )
    (tmp_path / "report.ipynb").write_text(json.dumps(data, indent=1))
    assert [rule for rule, _, _ in _notebook_rules(tmp_path)] == ["CVL101"]
