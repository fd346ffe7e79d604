"""Every Python finding's fix, applied to its fixture, makes the finding disappear (issue 23,
SPEC sections 5 and 6).

Each Python bad fixture (``tests/fixtures/python/`` and the rules' ``py-bad`` cases) is fixed with
``--fix`` in a copy and linted again: the findings it wrote are gone, no error or warning is new,
the script parses, every other line is kept, and each finding left was listed as not applied with
what its fix needs (values the inputs do not hold, a group in AWS, a notebook cell).
"""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

import pytest
from conftest import FIXTURES

from clarify_vpc_lint.fixes import plan_fixes
from clarify_vpc_lint.linter import Options, run
from clarify_vpc_lint.readers.python_sdk.notebooks import notebook_cells

PYTHON = FIXTURES / "python"
NETWORK = PYTHON / "network"
RULES = FIXTURES / "rules"

# what a fix may change on a line it edits: the argument or member it writes
NAMES = (
    "enable_network_isolation",
    "EnableNetworkIsolation",
    "network_config",
    "subnets",
    "Subnets",
    "vpc_config",
)
NEEDS_VALUES = "aws ec2 describe-subnets lists your subnets"  # where to find what is missing
IN_AWS = "an AWS CLI command"  # a security group of the inventory: the command, run by a person

# case -> (the findings --fix writes, {rule: what the listing says its fix needs})
Case = Tuple[Set[Tuple[str, str]], Dict[str, str]]
CASES: Dict[str, Case] = {
    "rules/CVL101/py-bad": ({("CVL101", "processor.run_bias")}, {}),
    "rules/CVL102/py-bad": ({("CVL102", "processor.run_bias")}, {}),  # the model's network
    "python/isolation_network_config.py": ({("CVL101", "clarify_processor.run_bias")}, {}),
    "python/aliases.py": (
        {
            ("CVL101", "SageMakerClarifyProcessor.run_explainability"),
            ("CVL101", "SageMakerClarifyProcessor.run_bias"),
            ("CVL101", "SageMakerClarifyProcessor.run_bias_and_explainability"),
            ("CVL101", "v3.run_post_training_bias"),
        },
        {},
    ),
    "python/boto3_request.py": (
        {("CVL101", "churn-clarify-boto3"), ("CVL201", "churn-boto3-model")},
        {"CVL401": IN_AWS, "CVL402": IN_AWS},
    ),
    "python/bias_report.ipynb": ({("CVL101", "clarify_processor.run_bias (cell 6, line 9)")}, {}),
    "python/magics.ipynb": ({("CVL101", "churn-explain-weekly (cell 7, line 10)")}, {}),
    "python/check_step_defaults": (
        {("CVL101", "ModelBiasCheck")},  # network_config added to its CheckJobConfig
        {"CVL101": "not written automatically in this input format"},  # the defaults file
    ),
    "python/estimator_model.py": ({("CVL201", "estimator.create_model")}, {}),
    "python/fixtures_built": (set(), {"CVL102": NEEDS_VALUES}),
    "python/isolation_defaults": (
        {("CVL101", "processor.run_explainability")},
        {"CVL101": "not written automatically", "CVL102": "the subnets and security groups"},
    ),
    "python/loop.py": (
        {
            ("CVL101", "processor.run_post_training_bias [subnet-0py1a]"),
            ("CVL101", "processor.run_post_training_bias [subnet-0py1b]"),
        },
        {},
    ),
    "python/model_outside_vpc.py": ({("CVL103", "processor.run_explainability")}, {}),
    "python/model_outside_vpc_v3.py": ({("CVL103", "processor.run_explainability")}, {}),
    "python/monitors.py": (
        {
            ("CVL101", "bias_monitor.suggest_baseline"),
            ("CVL101", "explain_monitor.suggest_baseline"),
            ("CVL101", "explain_monitor.create_monitoring_schedule"),
        },
        {},
    ),
    "python/never_imported.py": (set(), {"CVL102": NEEDS_VALUES}),
    "python/one_subnet_model.py": ({("CVL201", "churn-xgboost")}, {}),
    "python/pipelines": (set(), {"CVL102": NEEDS_VALUES}),
    "python/two_instances.py": (set(), {"CVL401": IN_AWS, "CVL402": IN_AWS}),
    "python/v3_resources": (
        {
            ("CVL101", "churn-explain-defaults"),  # isolation from the v3 defaults
            ("CVL102", "churn-explain-nightly"),  # its model's network
            ("CVL201", "churn-v3-one-subnet"),
        },
        {},
    ),
}


def _copy(case: str, into: Path) -> Tuple[Path, List[str]]:
    """The case in ``into``, and the context it is linted with (a rule case holds its own)."""
    source = FIXTURES / case
    target = into / source.name
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        shutil.copy(source, target)
    return target, [] if case.startswith("rules/") else [str(NETWORK)]


def _decided(result) -> Set[Tuple[str, str]]:
    return {(f.rule, f.resource) for f in result.findings if f.severity != "info"}


def _scripts(path: Path) -> List[Path]:
    return [path] if path.is_file() else sorted(path.rglob("*.py"))


def _parses(script: Path) -> None:
    """A script parses; a notebook is JSON whose code cells parse as IPython runs them."""
    if script.suffix == ".ipynb":
        for _, code, _ in notebook_cells(str(script), script.read_text()):
            ast.parse(code)
    else:
        ast.parse(script.read_text())


def _kept(old: str, new: str) -> List[str]:
    """The lines of ``old`` a fix changed other than by writing one of NAMES or by adding an
    argument at the end of the line's call."""
    lines = new.splitlines()
    changed = []
    for line in set(old.splitlines()) - set(lines):
        head = line.rstrip().rstrip(",").rstrip(")")
        if not any(name in line for name in NAMES) and not any(
            other.startswith(head) for other in lines
        ):
            changed.append(line)
    return changed


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_python_fix_applied_makes_its_finding_disappear(case: str, tmp_path: Path) -> None:
    path, context = _copy(case, tmp_path)
    options = Options(paths=[str(path)], context=context)
    before = run(options)
    assert before.errors == []
    texts = {script: script.read_text() for script in _scripts(path)}
    fixes = plan_fixes(before)
    written, needs = CASES[case]
    assert {(f.rule, f.resource) for f in fixes.applied} == written
    for rule, need in needs.items():
        reasons = [n.reason for n in fixes.not_applied if n.finding.rule == rule]
        assert reasons and all(need in reason for reason in reasons), (rule, reasons)
    fixes.write()
    after = run(options)
    assert after.errors == []
    for script, old in texts.items():
        _parses(script)
        assert _kept(old, script.read_text()) == [], script
    left = _decided(after)
    assert not left & written  # each fix made its finding disappear
    assert left <= _decided(before)  # and nothing new is an error or a warning
    listed = {(n.finding.rule, n.finding.resource) for n in fixes.not_applied}
    assert left <= listed  # what is left was listed, with what its fix needs


def _fixed(case: str, tmp_path: Path, name: Optional[str] = None) -> str:
    path, context = _copy(case, tmp_path)
    plan_fixes(run(Options(paths=[str(path)], context=context))).write()
    return ((path / name) if name else path).read_text()


def test_a_network_config_fix_keeps_every_argument_already_written(tmp_path: Path) -> None:
    """Isolation from the defaults file: the argument is added to the NetworkConfig the
    processor has, whose subnets (a name) and groups stay as written."""
    text = _fixed("python/isolation_defaults", tmp_path, "explain.py")
    assert (
        'network_config=NetworkConfig(subnets=SUBNETS, security_group_ids=["sg-0pyok"], '
        "enable_network_isolation=False)," in text
    )


def test_a_sagemaker_core_call_gets_the_defaults_network_with_isolation_off(
    tmp_path: Path,
) -> None:
    """ProcessingJob.create that leaves network_config out takes the v3 defaults' whole: the fix
    gives it its own, with the defaults' subnets and groups, so the VPC is kept."""
    text = _fixed("python/v3_resources", tmp_path, "jobs.py")
    tree = ast.parse(text)
    created = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and ast.unparse(node.func) == "ProcessingJob.create"
        and "churn-explain-defaults" in ast.unparse(node)
    ]
    (call,) = created
    (network,) = [k.value for k in call.keywords if k.arg == "network_config"]
    assert ast.unparse(network) == (
        "shapes.NetworkConfig(enable_network_isolation=False, vpc_config=shapes.VpcConfig("
        "subnets=['subnet-0py1a', 'subnet-0py1b'], security_group_ids=['sg-0pyok']))"
    )
    # the v3 processor's NetworkConfig is imported from the v3 module
    assert "from sagemaker.core.network import NetworkConfig\n" in text


def test_a_boto3_fix_changes_the_request_member_only(tmp_path: Path) -> None:
    path, context = _copy("python/boto3_request.py", tmp_path)
    fixes = plan_fixes(run(Options(paths=[str(path)], context=context)))
    assert {f.rule for f in fixes.applied} == {"CVL101", "CVL201"}, fixes.not_applied
    fixes.write()
    text = path.read_text()
    assert '"EnableNetworkIsolation": False,' in text
    assert 'VpcConfig={"Subnets": ["subnet-0py1b", "subnet-0py1a"],' in text
    assert "NetworkConfig(" not in text  # no SDK object in a boto3 request


def test_a_fix_beside_spread_arguments_is_listed_with_why(tmp_path: Path) -> None:
    """``NetworkConfig(**SETTINGS)``: an argument added beside the mapping could be given twice
    (a TypeError when the script runs), so the fix is listed, not written."""
    script = tmp_path / "spread.py"
    text = (RULES / "CVL101" / "py-bad" / "job.py").read_text()
    written = "    network_config=NetworkConfig(\n        enable_network_isolation=True,\n"
    assert written in text
    script.write_text(
        text.replace(written, "    network_config=NetworkConfig(**SETTINGS,\n", 1).replace(
            "processor = clarify",
            'SETTINGS = {"enable_network_isolation": True}\nprocessor = clarify',
            1,
        )
    )
    before = run(Options(paths=[str(script)], context=[str(RULES / "CVL101" / "py-bad")]))
    assert ("CVL101", "error") in {(f.rule, f.severity) for f in before.findings}
    fixes = plan_fixes(before)
    assert fixes.applied == []
    (listed,) = [n for n in fixes.not_applied if n.finding.rule == "CVL101"]
    assert "spread from a mapping: set enable_network_isolation in it by hand" in listed.reason


def test_an_incomplete_fix_is_not_written_and_says_where_to_find_the_values(
    tmp_path: Path,
) -> None:
    path, context = _copy("python/never_imported.py", tmp_path)
    before = run(Options(paths=[str(path)], context=context))
    fixes = plan_fixes(before)
    (listed,) = fixes.not_applied
    assert "private subnets for" in listed.reason and NEEDS_VALUES in listed.reason
    assert fixes.fixed == {}


def _notebook(cells: List[Tuple[str, str]]) -> str:
    """A notebook as Jupyter writes it: one JSON string per source line, indent 1."""
    written = [
        {
            "cell_type": kind,
            "metadata": {},
            "source": [line for line in text.splitlines(keepends=True)],
            **({"execution_count": None, "outputs": []} if kind == "code" else {}),
        }
        for kind, text in cells
    ]
    return json.dumps({"cells": written, "nbformat": 4, "nbformat_minor": 5}, indent=1) + "\n"


def test_a_notebook_with_a_cell_too_deep_for_python_is_not_fixed_and_says_why(
    tmp_path: Path,
) -> None:
    """A cell nested past CPython's parser stack is an input error of its cell; the fix of the
    job in another cell, which must parse the cells as one script, says why it is not made."""
    case = RULES / "CVL102" / "py-bad"
    notebook = tmp_path / "job.ipynb"
    deep = "x = " + "not " * 5000 + "1\n"
    notebook.write_text(_notebook([("code", (case / "job.py").read_text()), ("code", deep)]))
    for name in ("model.json", "subnets.json", "security-groups.json", "route-tables.json"):
        shutil.copy(case / name, tmp_path / name)
    result = run(Options(paths=[str(tmp_path)]))
    assert [e.message for e in result.errors] == [
        "cell 2: nests too deeply for Python's parser; not read"
    ]
    fixes = plan_fixes(result)
    (left,) = [n for n in fixes.not_applied if n.finding.rule == "CVL102"]
    assert (
        left.reason
        == "the notebook no longer parses (nests too deeply for Python's parser; not read)"
    )
    assert fixes.applied == []


def test_a_notebook_fix_goes_into_the_cells_that_hold_the_call_and_the_imports(
    tmp_path: Path,
) -> None:
    """The processor is built in one cell and run in another: the argument goes into the cell
    that builds it, the import after the imports of the first cell, and every other cell, the
    magics and the markdown stay byte for byte."""
    case = RULES / "CVL102" / "py-bad"
    script = (case / "job.py").read_text()
    imports, rest = script.split("\n\nprocessor = ", 1)
    build, start = rest.split("\nprocessor.run_bias(", 1)
    notebook = tmp_path / "job.ipynb"
    notebook.write_text(
        _notebook(
            [
                ("code", "%pip install sagemaker\n" + imports + "\n"),
                ("markdown", "The processor runs in the VPC.\n"),
                ("code", "processor = " + build),
                ("code", "processor.run_bias(" + start),
            ]
        )
    )
    for name in ("model.json", "subnets.json", "security-groups.json", "route-tables.json"):
        shutil.copy(case / name, tmp_path / name)
    options = Options(paths=[str(tmp_path)])  # the notebook, the model and the network
    before = run(options)
    fixes = plan_fixes(before)
    assert [(f.rule, f.resource) for f in fixes.applied] == [
        ("CVL102", "processor.run_bias (cell 4, line 1)")
    ]
    old = json.loads(notebook.read_text())["cells"]
    fixes.write()
    new = json.loads(notebook.read_text())["cells"]
    assert new[0]["source"][-1] == "from sagemaker.network import NetworkConfig\n"
    assert new[0]["source"][:-1] == old[0]["source"]
    assert new[1] == old[1] and new[3] == old[3]
    assert any(
        line.strip().startswith("network_config=NetworkConfig(") for line in new[2]["source"]
    )
    after = run(options)
    assert after.errors == [] and "CVL102" not in {f.rule for f in after.findings}


@pytest.mark.parametrize("script", ["model_outside_vpc.py", "model_outside_vpc_v3.py"])
def test_a_model_outside_the_jobs_vpc_gets_the_jobs_network_in_its_own_terms(
    script: str, tmp_path: Path
) -> None:
    """CVL103: the model built in the same script takes the job's subnets and groups, as its
    class takes them (v2 Model: a VpcConfig dict; v3 Model.create: shapes' VpcConfig)."""
    text = _fixed(f"python/{script}", tmp_path)
    (model,) = [
        node
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.Call) and ast.unparse(node.func) in ("Model", "Model.create")
    ]
    (vpc,) = [k.value for k in model.keywords if k.arg == "vpc_config"]
    expected = {
        "model_outside_vpc.py": "{'Subnets': ['subnet-0py1a', 'subnet-0py1b'], "
        "'SecurityGroupIds': ['sg-0pyok']}",
        "model_outside_vpc_v3.py": "VpcConfig(subnets=['subnet-0py1a', 'subnet-0py1b'], "
        "security_group_ids=['sg-0pyok'])",
    }
    assert ast.unparse(vpc) == expected[script]


def test_an_argument_is_added_after_the_last_one_and_its_comments_stay(tmp_path: Path) -> None:
    """The last argument has no trailing comma and comments follow it: the comma goes after it,
    the new argument on a line of its own below its comment, and the comments stay as they were."""
    case = tmp_path / "case"
    shutil.copytree(RULES / "CVL102" / "py-bad", case)
    script = case / "job.py"
    written = '    instance_type="ml.m5.xlarge",\n)\n'
    assert written in script.read_text()
    script.write_text(
        script.read_text().replace(
            written,
            '    instance_type="ml.m5.xlarge"  # the smallest\n    # more instances later\n)\n',
            1,
        )
    )
    fixes = plan_fixes(run(Options(paths=[str(case)])))
    assert [f.rule for f in fixes.applied] == ["CVL102"]
    fixes.write()
    text = script.read_text()
    assert (
        '    instance_type="ml.m5.xlarge",  # the smallest\n'
        "    network_config=NetworkConfig(subnets="
    ) in text
    assert '"sg-0job"])\n    # more instances later\n)\n' in text
    assert "CVL102" not in {f.rule for f in run(Options(paths=[str(case)])).findings}
