"""Hostile inputs, by class: paths that lead outside the inputs, files that are no regular files,
bugs that must stay one input error, file names no report may choke on, rule links, and an
installed service model older than the values it judges. Every input is generated here; every
run is bounded in time (``_within``)."""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import unquote, urlparse
from xml.etree import ElementTree

import pytest
from conftest import ROOT, line_of, rules_of, run_cli, run_json

from clarify_vpc_lint.iam import wildcard
from clarify_vpc_lint.linter import Options, run

BAD = ROOT / "tests/fixtures/cli/one-error.yaml"  # one CVL201 error, on its Model
MODEL_LINE = line_of("tests/fixtures/cli/one-error.yaml", "  Model:")
NETWORK = ROOT / "examples/cloudformation/network.yaml"
SUBNETS = ROOT / "tests/fixtures/multi/inventory/subnets.json"
API = ROOT / "examples/api/create-processing-job.json"
ACL = ROOT / "tests/fixtures/rules/CVL309/bad.yaml"
SECRET = "AKIAHOSTILESECRET"  # what a file outside the inputs holds: never in any output


class _Hung(BaseException):  # not an Exception: the linter's guards must not swallow it
    pass


@contextmanager
def _within(seconds: int) -> Iterator[None]:
    """Fail instead of hanging: a FIFO opened for reading blocks until a writer comes."""

    def expired(signum: int, frame: Any) -> None:
        raise _Hung(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _outside(tmp_path: Path) -> Path:
    """A folder beside the project holding a template with a finding and a credentials file."""
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(BAD, outside / "model.yaml")
    (outside / "credentials").write_text(f"[default]\naws_access_key_id = {SECRET}\n")
    (outside / "secret.json").write_text(json.dumps({"Parameters": {"Key": SECRET}}))
    return outside


# --- paths outside the inputs ------------------------------------------------------------------


def test_a_walk_follows_no_symlink_out_of_the_folder(tmp_path: Path) -> None:
    outside = _outside(tmp_path)
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(NETWORK, project / "network.yaml")
    os.symlink(outside / "model.yaml", project / "model.yaml")
    os.symlink(outside / "credentials", project / "credentials.yaml")
    os.symlink(outside, project / "stacks")
    completed = run_cli(".", "--verbose", "--format", "json", cwd=project)
    report = json.loads(completed.stdout)
    assert rules_of(report) == [] and report["errors"] == []  # the CVL201 outside is not seen
    assert SECRET not in completed.stdout + completed.stderr
    for link in ("credentials.yaml", "model.yaml", "stacks"):
        assert f"./{link}: skipped: a symbolic link inside a folder; not followed" in (
            completed.stderr
        )


def test_a_file_named_on_the_command_line_is_read_even_as_a_symlink(tmp_path: Path) -> None:
    # whoever runs the linter chose it: a named path is used as named (README "Inputs")
    outside = _outside(tmp_path)
    os.symlink(outside / "model.yaml", tmp_path / "model.yaml")
    assert rules_of(run_json("model.yaml", cwd=tmp_path)) == ["CVL201"]


@pytest.mark.parametrize(
    "config",
    [
        "context: [../outside/secret.json]\n",
        "parameters: [secret.json]\n",  # a symlink inside the folder to a file outside it
        "context: [stacks]\n",  # a symlinked folder
        "parameters: [{absolute}]\n",
    ],
)
def test_a_config_file_names_nothing_outside_its_folder(tmp_path: Path, config: str) -> None:
    outside = _outside(tmp_path)
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(BAD, project / "model.yaml")
    os.symlink(outside / "secret.json", project / "secret.json")
    os.symlink(outside, project / "stacks")
    text = config.format(absolute=outside / "secret.json")
    (project / ".clarify-vpc-lint.yaml").write_text(text)
    completed = run_cli("model.yaml", cwd=project)
    assert completed.returncode == 2 and completed.stdout == ""
    key, _, name = text.strip()[:-1].partition(": [")
    assert completed.stderr == (
        f".clarify-vpc-lint.yaml: error: {key}: {name} leads outside the configuration's folder\n"
    )


def test_a_config_file_that_is_a_symlink_out_of_its_folder_is_not_read(tmp_path: Path) -> None:
    outside = _outside(tmp_path)
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(BAD, project / "model.yaml")
    # a credentials file read as a config would be quoted in the error about its first key
    os.symlink(outside / "credentials", project / ".clarify-vpc-lint.yaml")
    completed = run_cli("model.yaml", cwd=project)
    assert (completed.returncode, completed.stdout) == (2, "")
    assert completed.stderr == (
        ".clarify-vpc-lint.yaml: error: a symbolic link to a file outside its folder; "
        "name that file itself\n"
    )
    assert SECRET not in completed.stderr


def test_a_context_folder_means_its_json_inventories_only(tmp_path: Path) -> None:
    inventory = tmp_path / "inventory"
    inventory.mkdir()
    shutil.copy(SUBNETS, inventory / "subnets.json")
    marker = tmp_path / "ran"
    (inventory / "collect.py").write_text(
        f"import pathlib\npathlib.Path({str(marker)!r}).touch()\n"
    )
    (inventory / "collect.yaml").write_text("not: [valid\n")  # would be an error if read
    shutil.copy(BAD, inventory / "model.yaml")  # a template is no inventory: not read either
    (inventory / "notes.json").write_text('{"owner": "network team"}')
    completed = run_cli(str(BAD), "--context", str(inventory), "--verbose", "--format", "json")
    report = json.loads(completed.stdout)
    assert report["errors"] == [] and report["summary"]["files"] == 2
    assert [(f["rule"], f["severity"]) for f in report["findings"]] == [("CVL201", "error")]
    assert completed.stderr == f"{inventory / 'notes.json'}: skipped: not an input format\n"
    assert not marker.exists()


def test_a_template_given_as_context_says_to_pass_it_as_a_path(tmp_path: Path) -> None:
    report = run_json(str(BAD), "--context", str(NETWORK))
    (error,) = report["errors"]
    assert error["file"] == str(NETWORK)
    assert "it reads as CloudFormation: pass it as a PATH, without --context" in error["message"]


# --- only regular files ------------------------------------------------------------------------


def test_files_swapped_for_fifos_after_the_walk_are_refused_at_open(
    tmp_path: Path, monkeypatch
) -> None:
    import clarify_vpc_lint.readers as readers

    shutil.copy(BAD, tmp_path / "model.yaml")
    for name in ("swapped.yaml", "swapped.py", "swapped.ipynb"):
        (tmp_path / name).write_text("import sagemaker\n")
    walk = readers.discover

    def walk_then_swap(*arguments: Any, **keywords: Any) -> Any:
        found = walk(*arguments, **keywords)
        for name in ("swapped.yaml", "swapped.py", "swapped.ipynb"):
            if (tmp_path / name).exists():
                (tmp_path / name).unlink()
                os.mkfifo(tmp_path / name)
        return found

    monkeypatch.setattr(readers, "discover", walk_then_swap)
    with _within(20):
        result = run(Options(paths=[str(tmp_path)]))
    assert {(Path(e.file).name, e.message) for e in result.errors} == {
        (name, "not a regular file; not read")
        for name in ("swapped.yaml", "swapped.py", "swapped.ipynb")
    }
    assert [f.rule for f in result.findings] == ["CVL201"]


def test_a_script_swapped_for_a_fifo_after_reading_is_never_waited_on(
    tmp_path: Path, monkeypatch
) -> None:
    """A script's text is read again for its findings' regions: a FIFO swapped in after the
    readers is refused there as at the first open (it was opened blocking, and waited on)."""
    import clarify_vpc_lint.linter as linter

    script = tmp_path / "bias.py"
    shutil.copy(ROOT / "examples/python/bias_report.py", script)
    expected = sorted(f.rule for f in run(Options(paths=[str(script)])).findings)
    place = linter.with_regions

    def swap_then_place(*arguments: Any) -> Any:
        if not script.is_fifo():
            script.unlink()
            os.mkfifo(script)
        return place(*arguments)

    monkeypatch.setattr(linter, "with_regions", swap_then_place)
    with _within(20):
        result = run(Options(paths=[str(script)]))
    assert expected and sorted(f.rule for f in result.findings) == expected
    assert all(f.region for f in result.findings)


def test_the_plugins_read_no_fifo_swapped_in_for_a_linted_file(tmp_path: Path) -> None:
    """cfn-lint's plugin and the language server read a linted template again (the IDs and the
    exports it names): a FIFO swapped in meanwhile holds none, and is never waited on."""
    from clarify_vpc_lint.cfn_lint import _ids_in
    from clarify_vpc_lint.lsp.judging import _exports_of

    swapped = tmp_path / "network.yaml"
    os.mkfifo(swapped)
    with _within(20):
        assert _ids_in(str(swapped)) == frozenset()
        assert _exports_of(str(swapped)) == []


def test_a_baseline_that_is_no_regular_file_or_nests_too_deep_is_one_error_line(
    tmp_path: Path,
) -> None:
    """--baseline opened a FIFO and /dev/zero blocking (a hang, then gigabytes) and decoded JSON
    nested 100,000 deep into a RecursionError (an internal error)."""
    os.mkfifo(tmp_path / "fifo.json")
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    cases = {
        str(tmp_path / "fifo.json"): "cannot be read (not a regular file; not read)",
        "/dev/zero": "cannot be read (not a regular file; not read)",
        str(tmp_path / "deep.json"): "not valid JSON (nesting deeper than",
    }
    for baseline, words in cases.items():
        completed = run_cli(str(BAD), "--baseline", baseline)
        assert completed.returncode == 2, completed.stderr
        assert completed.stderr.startswith(f"clarify-vpc-lint: error: {baseline}: {words}")
        assert completed.stderr.count("\n") == 1, completed.stderr


def test_a_device_named_as_any_input_is_one_error(tmp_path: Path) -> None:
    shutil.copy(BAD, tmp_path / "model.yaml")
    for option in ([], ["--context"], ["--parameters"]):
        completed = run_cli("model.yaml", *option, "/dev/zero", "--format", "json", cwd=tmp_path)
        report = json.loads(completed.stdout)
        assert report["errors"] == [
            {"file": "/dev/zero", "line": None, "message": "not a regular file; not read"}
        ], option
        assert (completed.returncode, rules_of(report)) == (2, ["CVL201"])


def test_the_plugins_judgement_never_opens_a_fifo_given_as_context(tmp_path: Path) -> None:
    from clarify_vpc_lint.project import Settings, judge_file

    shutil.copy(BAD, tmp_path / "model.yaml")
    os.mkfifo(tmp_path / "inventory.json")
    with _within(20):
        result = judge_file(
            str(tmp_path / "model.yaml"), Settings(context=(str(tmp_path / "inventory.json"),))
        )
    assert [f.rule for f in result.findings] == ["CVL201"]
    assert [(Path(e.file).name, e.message) for e in result.errors] == [
        ("inventory.json", "not a regular file; not read")
    ]


# --- a bug is one input error, the other files are still linted --------------------------------


def test_a_rule_failing_on_one_subject_is_an_input_error_there(tmp_path: Path, monkeypatch) -> None:
    import clarify_vpc_lint.engine as engine

    shutil.copy(BAD, tmp_path / "broken.yaml")
    shutil.copy(BAD, tmp_path / "model.yaml")
    finding = engine._finding

    def fails_on_broken(rule: Any, subject: Any, *rest: Any) -> Any:
        if subject.loc.file.endswith("broken.yaml") and rule.id == "CVL201":
            raise KeyError("a bug")
        return finding(rule, subject, *rest)

    monkeypatch.setattr(engine, "_finding", fails_on_broken)
    result = run(Options(paths=[str(tmp_path)]))
    (error,) = result.errors
    assert error.file.endswith("broken.yaml") and error.line == MODEL_LINE
    assert error.message == "internal error in rule CVL201 at Model: KeyError: 'a bug'"
    assert [(Path(f.file).name, f.rule) for f in result.findings] == [("model.yaml", "CVL201")]
    # what the rule could not judge is not reported as judged (a host must not say PASSED)
    assert {Path(loc.file).name for loc in result.judged["CVL201"]} == {"model.yaml"}


def test_a_resolver_failing_on_one_model_is_an_input_error_there(
    tmp_path: Path, monkeypatch
) -> None:
    import clarify_vpc_lint.resolve.subjects as subjects

    shutil.copy(BAD, tmp_path / "broken.yaml")
    shutil.copy(BAD, tmp_path / "model.yaml")
    build = subjects.model_subject

    def fails_on_broken(model: Any, *rest: Any) -> Any:
        if model.loc.file.endswith("broken.yaml"):
            raise ValueError("a bug")
        return build(model, *rest)

    monkeypatch.setattr(subjects, "model_subject", fails_on_broken)
    result = run(Options(paths=[str(tmp_path)]))
    assert [(Path(e.file).name, e.line, e.message) for e in result.errors] == [
        ("broken.yaml", MODEL_LINE, "internal error while resolving Model: ValueError: a bug")
    ]
    assert [(Path(f.file).name, f.rule) for f in result.findings] == [("model.yaml", "CVL201")]


@pytest.mark.parametrize(
    "value",
    ['{"Fn::GetAtt": [1, SubnetId]}', "{Ref: 1}", '{"Fn::GetAtt": [[a], b]}', "{Ref: Unset}"],
)
def test_an_acl_rule_action_of_any_shape_is_never_an_internal_error(
    tmp_path: Path, value: str
) -> None:
    text = ACL.read_text().replace("RuleNumber: 90, Egress: true, Protocol: 6, RuleAction: deny",
                                   f"RuleNumber: 90, Egress: true, Protocol: 6, RuleAction: {value}")  # fmt: skip
    assert value in text
    (tmp_path / "acl.yaml").write_text(text + "Parameters: {Unset: {Type: String}}\n")
    result = run(Options(paths=[str(tmp_path / "acl.yaml")]))
    assert result.errors == []
    assert {(f.rule, f.severity) for f in result.findings if f.rule == "CVL309"} == {
        ("CVL309", "info")  # the deny may or may not apply: not known, never a guess
    }


def test_an_ipv6_block_among_ipv4_subnets_and_acl_rules_is_never_an_internal_error(
    tmp_path: Path,
) -> None:
    """An inventory whose ACL denies HTTPS to the job's subnets, one of which (and one ACL rule)
    is written with an IPv6 block: the deny is still found and its fix still written (comparing
    blocks of the two families was a TypeError, in the verdict and in the fix's covering block)."""
    shutil.copytree(ROOT / "tests/fixtures/hub/inventory", tmp_path / "inventory")
    acls_file, subnets_file = (
        tmp_path / "inventory/network-acls.json",
        tmp_path / "inventory/subnets.json",
    )
    acls, subnets = json.loads(acls_file.read_text()), json.loads(subnets_file.read_text())
    acls["NetworkAcls"][0]["Entries"][:0] = [
        {"RuleNumber": 40, "Protocol": "6", "PortRange": {"From": 443, "To": 443},
         "RuleAction": "deny", "Egress": True, "CidrBlock": "10.1.0.0/16"},
        {"RuleNumber": 50, "Protocol": "-1", "RuleAction": "deny", "Egress": True,
         "CidrBlock": "2001:db8::/64"},
    ]  # fmt: skip
    subnets["Subnets"][1]["CidrBlock"] = "2001:db8::/64"
    acls_file.write_text(json.dumps(acls))
    subnets_file.write_text(json.dumps(subnets))
    result = run(Options(paths=[str(tmp_path / "inventory")]))
    assert result.errors == []
    denied = [f for f in result.findings if f.rule == "CVL309"]
    assert denied and all(f.severity == "error" and f.remediation for f in denied)


@pytest.mark.parametrize("odd", ["\x1b[31m", "\ud800"], ids=["escape", "surrogate"])
def test_an_odd_character_in_a_json_templates_logical_id_keeps_its_finding(
    tmp_path: Path, odd: str
) -> None:
    """A JSON template's fix is written in YAML and turned into JSON: a logical ID holding a
    control character or a lone surrogate made that an internal error (YAML refuses the one,
    libyaml cannot encode the other), and the finding was lost."""
    from clarify_vpc_lint.documents import parse_yaml

    data = parse_yaml(BAD.read_text())
    data["Resources"] = {
        (f"Model{odd}" if key == "Model" else key): value
        for key, value in data["Resources"].items()
    }
    (tmp_path / "model.json").write_text(json.dumps(data))
    result = run(Options(paths=[str(tmp_path / "model.json")]))
    assert result.errors == []
    assert [(f.rule, f.resource) for f in result.findings] == [("CVL201", f"Model{odd}")]


def test_integer_logical_ids_anywhere_in_a_template_are_never_internal_errors(
    tmp_path: Path,
) -> None:
    """``!GetAtt [1, SubnetId]`` put in place of each value of the example stacks, in turn."""
    from clarify_vpc_lint.documents import parse_yaml

    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return {str(k): plain(v) for k, v in value.items()}
        return [plain(v) for v in value] if isinstance(value, list) else value

    def paths(value: Any, path: tuple = ()) -> Iterator[tuple]:
        if not isinstance(value, (dict, list)):
            return
        for key, item in value.items() if isinstance(value, dict) else enumerate(value):
            yield path + (key,)
            yield from paths(item, path + (key,))

    tried = 0
    for stack in (NETWORK, ROOT / "examples/cloudformation/ml.yaml"):
        template = plain(parse_yaml(stack.read_text()))
        for path in paths(template):
            copy = json.loads(json.dumps(template))
            node = copy
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = {"Fn::GetAtt": [1, "SubnetId"]}
            (tmp_path / "stack.json").write_text(json.dumps(copy))
            result = run(Options(paths=[str(tmp_path / "stack.json")]))
            assert not [e for e in result.errors if "internal error" in e.message], path
            tried += 1
    assert tried > 100


def test_checkov_never_passes_while_an_input_of_the_project_is_unread(monkeypatch) -> None:
    import clarify_vpc_lint.checkov as plugin
    from clarify_vpc_lint.catalogue import rules_by_id
    from clarify_vpc_lint.findings import InputError, Result
    from clarify_vpc_lint.model import Location

    template = str(BAD)
    spot = Location(template, MODEL_LINE, 3, "Model", "cloudformation")
    judged = Result([], [], {template: "cloudformation"}, {}, judged={"CVL309": [spot]})
    unread = Result(
        [],
        [InputError("network/main.tf", 3, "invalid HCL")],
        {template: "cloudformation"},
        {},
        judged={"CVL309": [spot]},
    )
    rule = rules_by_id()["CVL309"]
    for result, expected in ((judged, "PASSED"), (unread, "UNKNOWN")):
        for cached in (plugin._judgement, plugin._not_judged, plugin._real_path):
            cached.cache_clear()
        monkeypatch.setattr(plugin, "project_result", lambda result=result: result)
        outcome, messages = plugin.verdict(rule, template, "Model")
        assert outcome == expected, messages
    assert messages == ["not judged: inputs of the project could not be read (network/main.tf)"]


# --- fixes found in bounded work ----------------------------------------------------------------


def test_an_iam_pattern_of_many_wildcards_is_matched_without_backtracking() -> None:
    """A policy's ``*a*a...*b`` against a long name that almost matches: as one regular
    expression it backtracks for minutes (``*a`` ten times against 40 characters: 53 s)."""
    with _within(10):
        assert not wildcard("bucket/" + "*a" * 14 + "*b", "bucket/" + "a" * 60)
        assert not wildcard("*A" * 14 + "*B", "a" * 60, ignore_case=True)
        assert wildcard("*a" * 14 + "*b", "a" * 60 + "b")


@pytest.mark.parametrize(
    "vpc, used, expected",
    [  # a /16 carved into 4,095 /28s (the last one free), 200 blocks all taken
        (["10.0.0.0/16"], [f"10.0.{i >> 4}.{(i & 15) << 4}/28" for i in range(4095)],
         "10.0.255.240/28"),
        ([f"10.{i}.0.0/16" for i in range(200)], [f"10.{i}.0.0/16" for i in range(200)], None),
    ],
)  # fmt: skip
def test_the_free_block_of_a_carved_up_vpc_is_found_in_one_pass(vpc, used, expected) -> None:
    """The CVL201 fix's new subnet block: candidates x subnets took 20 s for the first VPC, and
    grew with each block of the second; the subnets are now walked once in address order."""
    from clarify_vpc_lint.ec2 import free_subnet_block

    with _within(10):
        block = free_subnet_block(vpc, used)
    assert (block if isinstance(block, str) else None) == expected


def test_a_vpc_config_listing_50000_subnets_is_judged_as_unknown_not_member_by_member(
    tmp_path: Path,
) -> None:
    """AWS takes at most 16 subnets (CVL001 says so): each of 300,000 was resolved and written
    into the fixes (19 s, a 30 MB report); past a budget the list is unknown."""
    request = json.loads(API.read_text())
    request["NetworkConfig"]["VpcConfig"]["Subnets"] = [f"subnet-{i:017x}" for i in range(50_000)]
    (tmp_path / "job.json").write_text(json.dumps(request))
    with _within(60):
        result = run(Options(paths=[str(tmp_path / "job.json")]))
    assert result.errors == []
    assert {(f.rule, f.severity) for f in result.findings if f.severity != "info"} == {
        ("CVL001", "error")
    }
    assert max(len(f.message) + len(f.remediation) for f in result.findings) < 10_000


def test_a_model_listing_50000_subnets_is_unknown_to_the_job_that_calls_it_too(
    tmp_path: Path,
) -> None:
    """The budget holds for the model before any job reads the subnets of the model it calls:
    the job's judgement of them names the same reason as the model's own."""
    case = tmp_path / "case"
    shutil.copytree(ROOT / "tests/fixtures/good/api-private-clarify-vpc", case)
    model = json.loads((case / "model.json").read_text())
    model["VpcConfig"]["Subnets"] = [f"subnet-{i:017x}" for i in range(50_000)]
    (case / "model.json").write_text(json.dumps(model))
    with _within(60):
        result = run(Options(paths=[str(case)]))
    (shared,) = [f for f in result.findings if f.rule == "CVL103"]
    assert shared.severity == "info"
    assert "its VpcConfig lists 50,000 subnets, more than AWS accepts" in shared.message


# --- reports whatever the file names -----------------------------------------------------------


def _hostile_names(tmp_path: Path) -> Path:
    """A folder of templates named with a control character and with bytes that are not UTF-8."""
    folder = tmp_path / "names"
    folder.mkdir()
    for name in (b"bell\x07.yaml", b"latin-\xe9\xff.yaml", b"esc\x1b[31m.yaml"):
        shutil.copy(BAD, os.path.join(os.fsencode(folder), name))
    return folder


def test_every_report_stays_well_formed_whatever_the_file_names(tmp_path: Path) -> None:
    folder = _hostile_names(tmp_path)
    for fmt in ("json", "sarif", "junit", "gitlab", "github", "text"):
        output = tmp_path / f"report.{fmt}"
        completed = run_cli(".", "--format", fmt, "--output", str(output), cwd=folder)
        assert (completed.returncode, completed.stderr) == (1, ""), fmt
        report = output.read_text(encoding="utf-8")  # valid UTF-8: escapes, never raw bytes
        if fmt == "junit":
            suite = ElementTree.fromstring(report).find("testsuite")
            assert suite.get("failures") == "3"
            names = {case.get("classname") for case in suite.iter("testcase")}
            assert names == {"./bell\\x07.yaml", "./latin-\\xe9\\xff.yaml", "./esc\\x1b[31m.yaml"}
        elif fmt == "sarif":
            results = json.loads(report)["runs"][0]["results"]
            uris = {
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results
            }
            assert uris == {"bell%07.yaml", "latin-%E9%FF.yaml", "esc%1B%5B31m.yaml"}
            for uri in uris:  # each names the very bytes of a file that is there
                assert os.path.isfile(
                    os.path.join(
                        os.fsencode(folder), os.fsencode(unquote(uri, errors="surrogateescape"))
                    )
                )
        elif fmt in ("json", "gitlab"):
            assert (
                len(json.loads(report) if fmt == "gitlab" else json.loads(report)["findings"]) >= 3
            )


def test_every_report_stays_well_formed_with_a_lone_surrogate_in_a_name(tmp_path: Path) -> None:
    """JSON may escape a lone surrogate (``"\\ud800"``) into a job's name: the SARIF and GitLab
    fingerprints could not encode it, an internal error that lost the report."""
    request = json.loads(API.read_text())
    request["ProcessingJobName"] = "job-\ud800"
    (tmp_path / "job.json").write_text(json.dumps(request))
    for fmt in ("json", "sarif", "junit", "gitlab", "github", "text"):
        output = tmp_path / f"report.{fmt}"
        completed = run_cli("job.json", "--format", fmt, "--output", str(output), cwd=tmp_path)
        assert completed.returncode in (0, 1) and completed.stderr == "", completed.stderr
        report = output.read_text(encoding="utf-8")
        if fmt == "junit":
            ElementTree.fromstring(report)
        elif fmt in ("json", "sarif", "gitlab"):
            json.loads(report)


def test_text_for_a_terminal_carries_no_control_sequence_of_a_file_name(tmp_path: Path) -> None:
    folder = tmp_path / "names"
    folder.mkdir()
    shutil.copy(BAD, folder / "title\x1b]0;pwned\x07.yaml")  # would set the terminal's title
    completed = run_cli(".", "--quiet", cwd=folder)
    assert completed.returncode == 1
    assert "\x1b" not in completed.stdout and "\x07" not in completed.stdout
    assert "./title\\x1b]0;pwned\\x07.yaml:" in completed.stdout


def test_a_report_to_an_ascii_terminal_is_not_lost(tmp_path: Path) -> None:
    folder = _hostile_names(tmp_path)
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "PYTHONPATH": str(ROOT / "src")}
    for fmt in ("text", "json", "junit", "sarif"):
        completed = subprocess.run(
            [sys.executable, "-m", "clarify_vpc_lint", ".", "--format", fmt],
            cwd=folder, env=env, capture_output=True, timeout=120,
        )  # fmt: skip
        assert (completed.returncode, completed.stderr) == (1, b""), fmt
        assert completed.stdout.isascii() and completed.stdout.count(b"CVL201") >= 3, fmt


def _close_stdout() -> None:
    os.close(1)


@pytest.mark.parametrize("stdout", ["/dev/full", "closed"])
@pytest.mark.parametrize(
    "args", [["--version"], ["--list-rules"], [str(BAD)], ["--diff", str(BAD)]]
)
def test_a_report_standard_output_cannot_take_is_one_error_line(stdout: str, args: list) -> None:
    """A full disk or a closed standard output loses the report: exit 2 saying so, never an
    internal error (it was one, from the write, and from ``sys.stdout`` being None)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    with open(os.devnull if stdout == "closed" else stdout, "w") as sink:
        completed = subprocess.run(
            [sys.executable, "-m", "clarify_vpc_lint", *args], cwd=ROOT, env=env, stdout=sink,
            stderr=subprocess.PIPE, text=True, timeout=60,
            preexec_fn=_close_stdout if stdout == "closed" else None,
        )  # fmt: skip
    assert completed.returncode == 2, completed.stderr
    assert completed.stderr.startswith("clarify-vpc-lint: error: cannot write the report: ")
    assert completed.stderr.count("\n") == 1, completed.stderr


def test_one_file_named_two_ways_gives_one_report_in_any_order(tmp_path: Path) -> None:
    shutil.copy(BAD, tmp_path / "x.yaml")
    shutil.copy(NETWORK, tmp_path / "network.yaml")
    orders = [
        ("x.yaml", "./x.yaml", "network.yaml"),
        ("./x.yaml", "network.yaml", "x.yaml"),
        ("network.yaml", "./x.yaml", "x.yaml", "./x.yaml"),
    ]
    reports = {run_cli(*order, "--format", "json", cwd=tmp_path).stdout for order in orders}
    assert len(reports) == 1
    (report,) = reports
    # the file is named as it was given (SPEC section 6): its shortest spelling
    assert {f["file"] for f in json.loads(report)["findings"]} == {"x.yaml"}


# --- bad input says all of it, once ------------------------------------------------------------


@pytest.mark.parametrize(
    "args, config, named",
    [
        (["--ignore", ""], None, "''"),
        (["--select", " "], None, "' '"),
        ([], 'severity: {"": error}', "''"),
    ],
)
def test_an_empty_rule_id_is_named_as_the_one_that_is_unknown(
    tmp_path: Path, args: list, config: str, named: str
) -> None:
    """It was reported as "unknown rule ID or severity: warning" (the --fail-on default)."""
    if config:
        (tmp_path / ".clarify-vpc-lint.yaml").write_text(config + "\n")
    completed = run_cli(str(BAD), *args, cwd=tmp_path)
    assert completed.returncode == 2
    assert completed.stderr == f"clarify-vpc-lint: error: unknown rule ID or severity: {named}\n"


def test_a_json_error_gives_the_whole_message_with_line_and_column(tmp_path: Path) -> None:
    (tmp_path / "cut.json").write_text('{\n  "Resources": {\n    "A": "abc\n')
    (tmp_path / "extra.json").write_text('{"Resources": {}}\n]\n')
    completed = run_cli(".", cwd=tmp_path)
    assert completed.returncode == 2
    assert completed.stdout.splitlines()[:2] == [
        "./cut.json:3: error: invalid JSON: Invalid control character at line 3, column 14",
        "./extra.json:2: error: invalid JSON: Extra data at line 2, column 1",
    ]


def test_a_bad_notebook_is_one_line_and_never_listed_as_skipped(tmp_path: Path) -> None:
    (tmp_path / "bias.ipynb").write_text('{"cells": [{"source": "import sagemaker')
    shutil.copy(BAD, tmp_path / "model.yaml")
    completed = run_cli(".", "--verbose", cwd=tmp_path)
    lines = [line for line in completed.stdout.splitlines() if "bias.ipynb" in line]
    assert lines == [
        "./bias.ipynb:1: error: not a Jupyter notebook: "
        "Unterminated string starting at line 1, column 23"
    ]
    assert "bias.ipynb" not in completed.stderr  # failed, not skipped
    assert completed.returncode == 2


def test_a_config_error_names_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "stacks").mkdir()
    shutil.copy(BAD, tmp_path / "stacks" / "model.yaml")
    (tmp_path / ".clarify-vpc-lint.yaml").write_text("region: eu-west-1\nfail-on: [error]\n")
    completed = run_cli("model.yaml", cwd=tmp_path / "stacks")
    assert completed.returncode == 2
    assert (
        completed.stderr
        == "../.clarify-vpc-lint.yaml: error: fail-on must be a string, not a list\n"
    )


# --- CVL001 judges shapes, not the age of the installed service model --------------------------


def _instance_type_findings(tmp_path: Path, instance_type: str) -> list:
    request = json.loads(API.read_text())
    request["ProcessingResources"]["ClusterConfig"]["InstanceType"] = instance_type
    (tmp_path / "job.json").write_text(json.dumps(request))
    result = run(Options(paths=[str(tmp_path / "job.json")]))
    assert result.errors == []
    return [f.message for f in result.findings if f.rule == "CVL001"]


@pytest.mark.parametrize(
    "instance_type",
    # newer than botocore 1.35 (what checkov pins), and a family no botocore lists at all
    ["ml.m7i.xlarge", "ml.c7i.xlarge", "ml.g6.xlarge", "ml.zz9q.48xlarge"],
)
def test_an_instance_type_of_the_right_form_is_no_cvl001_error(
    tmp_path: Path, instance_type: str
) -> None:
    assert _instance_type_findings(tmp_path, instance_type) == []


@pytest.mark.parametrize("instance_type", ["ml.m5.xlarg", "m5.xlarge", "ml.m5", "ML.M5.XLARGE"])
def test_an_instance_type_of_the_wrong_form_is_a_cvl001_error(
    tmp_path: Path, instance_type: str
) -> None:
    (message,) = _instance_type_findings(tmp_path, instance_type)
    assert f"InstanceType is {instance_type!r}, not one of the values the API accepts" in message


def test_a_closed_enumeration_still_takes_only_its_members(tmp_path: Path) -> None:
    request = json.loads(API.read_text())
    request["ProcessingInputs"][0]["S3Input"]["S3DataDistributionType"] = "FullyReplicatd"
    (tmp_path / "job.json").write_text(json.dumps(request))
    (finding,) = [f for f in run(Options(paths=[str(tmp_path)])).findings if f.rule == "CVL001"]
    assert "'FullyReplicatd', not one of the values the API accepts" in finding.message


def test_a_pattern_is_never_searched_past_the_field_maximum(tmp_path: Path) -> None:
    request = json.loads(API.read_text())
    request["ProcessingJobName"] = "a" + "-" * 200_000 + "!"
    (tmp_path / "job.json").write_text(json.dumps(request))
    with _within(20):
        findings = run(Options(paths=[str(tmp_path)])).findings
    (finding,) = [f for f in findings if f.rule == "CVL001"]
    assert "ProcessingJobName is 200002 characters, more than the API maximum" in finding.message


def test_version_names_the_botocore_cvl001_reads() -> None:
    completed = run_cli("--version")
    assert completed.returncode == 0
    assert f"(CVL001: botocore {importlib.metadata.version('botocore')})" in completed.stdout


# --- rule links point at documentation that exists ---------------------------------------------


def test_rule_links_open_the_shipped_docs_or_the_configured_url(tmp_path: Path) -> None:
    shutil.copy(BAD, tmp_path / "model.yaml")
    sarif = json.loads(run_cli("model.yaml", "--format", "sarif", cwd=tmp_path).stdout)
    driver = sarif["runs"][0]["tool"]["driver"]
    for uri in [driver["informationUri"], *(rule["helpUri"] for rule in driver["rules"])]:
        assert Path(unquote(urlparse(uri).path)).is_file(), uri
    (tmp_path / ".clarify-vpc-lint.yaml").write_text("docs-url: https://docs.example.com/cvl/\n")
    sarif = json.loads(run_cli("model.yaml", "--format", "sarif", cwd=tmp_path).stdout)
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert {rule["helpUri"] for rule in rules} == {
        f"https://docs.example.com/cvl/{rule['id']}.md" for rule in rules
    }


@pytest.mark.slow
def test_checkov_passes_nothing_while_another_root_cannot_be_read(tmp_path: Path) -> None:
    """Real checkov: a broken Terraform root could hold the ACL that fails a rule elsewhere."""
    from test_checkov_plugin import _outcomes, checkov_run

    shutil.copytree(ROOT / "tests/fixtures/hosts/tf-project", tmp_path, dirs_exist_ok=True)

    def passed() -> set:
        reports, _ = checkov_run(tmp_path, "terraform", quiet=False)  # --quiet hides PASSED
        outcomes = {k: v for r in reports for k, v in _outcomes(r.get("results", {})).items()}
        return {key for key, outcome in outcomes.items() if outcome == "PASSED"}

    whole = passed()
    assert ("modules/net/main.tf", "CKV_CVL_303", "module.net.aws_vpc.main") in whole
    (tmp_path / "acls").mkdir()
    (tmp_path / "acls" / "main.tf").write_text('resource "aws_network_acl" "x" {\n  vpc_id = \n')
    assert passed() == set()
