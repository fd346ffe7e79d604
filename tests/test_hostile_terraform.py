"""Hostile Terraform configurations (issue 27): each class closed by construction.

Every case is generated here and linted in a fresh process under a 1 GiB address-space limit
and a time limit, beside a root module whose CVL201 error (main.tf line 85) must still be
reported: a hostile input is one input error (or an unknown value), never a hang, gigabytes of
memory, code run, a file read outside the inputs, or a root or run lost.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict

import pytest

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "tests" / "fixtures" / "rules" / "CVL201" / "tf-bad" / "main.tf"
SECRET = "AKIAHOSTILESECRET0000"


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def lint(folder: Path, *args: str, env: Dict[str, str] = None) -> Dict[str, Any]:
    """The CLI's JSON report of ``folder`` (and its exit code), bounded in time and memory."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT / "tests" / "offline_guard"), str(ROOT / "src")]
    )
    environment.update(env or {})
    completed = subprocess.run(
        [sys.executable, "-m", "clarify_vpc_lint", str(folder), *args, "--format", "json"],
        cwd=folder.parent, env=environment, capture_output=True, text=True, timeout=90,
        preexec_fn=_limit_memory,
    )  # fmt: skip
    assert "Traceback" not in completed.stderr, completed.stderr
    report = json.loads(completed.stdout)
    report["exit"] = completed.returncode
    return report


def root_with(tmp_path: Path, files: Dict[str, str]) -> Path:
    """The CVL201 root (main.tf) plus ``files`` (path -> text) in a folder of its own."""
    folder = tmp_path / "root"
    folder.mkdir()
    shutil.copy(BASE, folder / "main.tf")
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


def still_linted(report: Dict[str, Any]) -> None:
    """The root's own finding survives whatever else the folder holds."""
    found = [(f["rule"], Path(f["file"]).name, f["line"]) for f in report["findings"]]
    assert ("CVL201", "main.tf", 85) in found, report
    assert not any("internal error" in e["message"] for e in report["errors"]), report


def one_error(report: Dict[str, Any], file: str, words: str) -> None:
    """Exactly the named file fails, with a message saying why; the run exits 2."""
    assert report["exit"] == 2, report
    failing = [e for e in report["errors"] if Path(e["file"]).name == file]
    assert len(failing) == 1 and words in failing[0]["message"], report["errors"]


# -- nothing run, nothing read outside the inputs, only regular files ---------------------------


def test_no_parser_cache_is_loaded_or_written(tmp_path: Path) -> None:
    """A pickle planted where a parser cache could be never runs: nothing is unpickled."""
    folder = root_with(tmp_path, {})
    cache = tmp_path / "cache"
    marker = tmp_path / "ran"
    planted = f"cos\nsystem\n(S'touch {marker}'\ntR.".encode()
    for directory in (cache / "clarify-vpc-lint", tmp_path / "tmp"):
        directory.mkdir(parents=True)
        for name in ("hcl2-lark-1.3.1.cache", "hcl2-lark-1.2.2.cache", ".lark_cache_x.tmp"):
            (directory / name).write_bytes(planted)
    before = sorted(p.name for p in cache.rglob("*"))
    env = {"XDG_CACHE_HOME": str(cache), "TMPDIR": str(tmp_path / "tmp")}
    report = lint(folder, env=env)
    still_linted(report)
    assert not marker.exists()
    assert sorted(p.name for p in cache.rglob("*")) == before
    script = (
        "import sys\nfrom clarify_vpc_lint.linter import Options, run\n"
        f"run(Options(paths=[{str(folder)!r}]))\nprint('pickle' in sys.modules)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=90,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )  # fmt: skip
    assert completed.stdout.strip() == "False", completed.stderr


def _credentials(tmp_path: Path) -> Path:
    outside = tmp_path / "home" / ".aws"
    outside.mkdir(parents=True)
    (outside / "credentials").write_text(f'aws_access_key_id = "{SECRET}"\n')
    return outside / "credentials"


def test_a_symlinked_auto_tfvars_leading_out_of_the_root_is_not_read(tmp_path: Path) -> None:
    folder = root_with(tmp_path, {})
    (folder / "creds.auto.tfvars").symlink_to(_credentials(tmp_path))
    report = lint(folder)
    still_linted(report)
    one_error(report, "creds.auto.tfvars", "outside")
    assert SECRET not in json.dumps(report)


def test_a_symlinked_tf_file_leading_out_of_the_root_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "x.tf").write_text(
        'resource "aws_vpc" "stolen" {\n  cidr_block = "10.9.0.0/16"\n}\n'
    )
    folder = root_with(tmp_path, {})
    (folder / "linked.tf").symlink_to(outside / "x.tf")
    report = lint(folder)
    still_linted(report)
    one_error(report, "linked.tf", "outside")


def test_a_module_source_linked_out_of_the_root_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "main.tf").write_text('resource "aws_vpc" "stolen" {}\n')
    folder = root_with(tmp_path, {"calls.tf": 'module "m" {\n  source = "./linked"\n}\n'})
    (folder / "linked").symlink_to(outside)
    report = lint(folder)
    still_linted(report)
    one_error(report, "calls.tf", "symbolic link out of the root module")


@pytest.mark.parametrize("where", ["auto.tfvars", "var-file"])
def test_a_fifo_is_refused_not_waited_on(tmp_path: Path, where: str) -> None:
    folder = root_with(tmp_path, {})
    fifo = folder / "x.auto.tfvars" if where == "auto.tfvars" else tmp_path / "pipe.tfvars"
    os.mkfifo(fifo)
    report = lint(folder, *(["--var-file", str(fifo)] if where == "var-file" else []))
    still_linted(report)
    one_error(report, fifo.name, "not a regular file")


def test_a_device_as_var_file_is_refused(tmp_path: Path) -> None:
    folder = root_with(tmp_path, {})
    report = lint(folder, "--var-file", "/dev/zero")
    still_linted(report)
    one_error(report, "zero", "not a regular file")


def test_a_tf_file_over_the_size_cap_is_one_error(tmp_path: Path) -> None:
    folder = root_with(tmp_path, {"big.tf": "# padding\n" * 300_000})  # 3 MB of comments
    report = lint(folder)
    still_linted(report)
    one_error(report, "big.tf", "larger than 2 MiB")


def test_a_dense_tf_file_under_the_size_cap_is_read_within_the_memory_limit(
    tmp_path: Path,
) -> None:
    lines = [f"  a{n} = [1, 2, 3, {n}]" for n in range(75_000)]  # 2 MB
    folder = root_with(tmp_path, {"dense.tf": "locals {\n" + "\n".join(lines) + "\n}\n"})
    report = lint(folder)
    still_linted(report)
    assert report["errors"] == []


# -- the parser never backtracks ---------------------------------------------------------------


@pytest.mark.parametrize(
    "name, text",
    [
        ("string.tf", 'locals {\n  x = "' + "a" * 5000 + "\n}\n"),
        ("heredoc.tf", "locals {\n  x = <<EOT\n" + "${a}" * 5000 + "\n}\n"),
        ("interpolation.tf", 'locals {\n  x = "${"' + "a" * 5000 + '}"\n}\n'),
        ("deep.tf.json", '{"locals": {"x": "${' + '"' * 5000 + '}"}}'),
    ],
    ids=lambda value: value if len(value) < 20 else "",
)
def test_unclosed_strings_and_heredocs_fail_fast(tmp_path: Path, name: str, text: str) -> None:
    folder = root_with(tmp_path, {name: text})
    report = lint(folder)
    still_linted(report)
    if not name.endswith(".json"):
        one_error(report, name, "not valid HCL")


def test_a_var_value_that_does_not_parse_is_taken_as_written(tmp_path: Path) -> None:
    folder = root_with(tmp_path, {"v.tf": 'variable "v" {\n  type = list(string)\n}\n'})
    report = lint(folder, "--var", 'v=["' + "a" * 5000)
    still_linted(report)


# -- budgets: element counts, loops, modules --------------------------------------------------------

_BUDGETS: Dict[str, str] = {
    "count": 'resource "aws_subnet" "many" {\n  count = 100000000\n  vpc_id = "vpc-1"\n}\n',
    "range": "locals {\n  r = range(100000000)\n}\n"
    'resource "aws_subnet" "r" {\n  vpc_id = "vpc-1"\n  tags = { n = length(local.r) }\n}\n',
    "toset": "locals {\n"
    '  s = toset([for i in range(100000) : "s${i}"])\n'
    '  d = distinct([for i in range(100000) : "d${i}"])\n}\n'
    'resource "aws_subnet" "s" {\n  vpc_id = "vpc-1"\n  tags = { n = length(local.s) }\n}\n',
    "nested-for": "locals {\n"
    "  grid = [for a in range(5000) : [for b in range(5000) : [a, b]]]\n}\n"
    'resource "aws_subnet" "g" {\n  vpc_id = "vpc-1"\n  tags = { n = length(local.grid) }\n}\n',
    "dynamic": 'resource "aws_security_group" "d" {\n  vpc_id = "vpc-1"\n'
    '  dynamic "ingress" {\n    for_each = range(100000)\n    content {\n'
    '      dynamic "egress" {\n        for_each = range(100000)\n'
    "        content {\n          from_port = egress.value\n        }\n      }\n"
    "      from_port = ingress.value\n    }\n  }\n}\n",
    "doubling": 'locals {\n  s0 = "xxxxxxxxxxxxxxxx"\n'
    + "".join(f'  s{i} = "${{local.s{i - 1}}}${{local.s{i - 1}}}"\n' for i in range(1, 60))
    + '}\nresource "aws_subnet" "t" {\n  vpc_id = "vpc-1"\n  tags = { s = local.s59 }\n}\n',
    "join": 'locals {\n  big = join("", [for i in range(100000) : "xxxxxxxxxxxxxxxxxxxx"])\n'
    "  bigger = join(local.big, range(100000))\n}\n"
    'resource "aws_subnet" "j" {\n  vpc_id = "vpc-1"\n  tags = { s = local.bigger }\n}\n',
    "shared": "locals {\n  row = range(50000)\n  rows = [for i in range(50000) : local.row]\n}\n"
    'resource "aws_subnet" "w" {\n  vpc_id = "vpc-1"\n  tags = { s = jsonencode(local.rows) }\n'
    "  count = 3\n}\n",
}


@pytest.mark.parametrize("case", sorted(_BUDGETS))
def test_budgets_make_values_unknown_not_gigabytes(tmp_path: Path, case: str) -> None:
    folder = root_with(tmp_path, {"hostile.tf": _BUDGETS[case]})
    report = lint(folder)
    still_linted(report)


def _module(folder: Path, body: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "main.tf").write_text(body)


def test_a_module_calling_itself_is_one_error_naming_the_cycle(tmp_path: Path) -> None:
    folder = root_with(
        tmp_path, {"self.tf": 'module "again" {\n  source = "./"\n  count = 100\n}\n'}
    )
    report = lint(folder)
    still_linted(report)
    one_error(report, "self.tf", "module cycle (root -> root)")


def test_modules_calling_each_other_are_one_error_naming_the_cycle(tmp_path: Path) -> None:
    folder = root_with(tmp_path, {"calls.tf": 'module "a" {\n  source = "./a"\n}\n'})
    _module(folder / "a", 'module "b" {\n  source = "../b"\n  count = 50\n}\n')
    _module(folder / "b", 'module "a" {\n  source = "../a"\n  count = 50\n}\n')
    report = lint(folder)
    still_linted(report)
    [error] = [e for e in report["errors"] if "module cycle" in e["message"]]
    assert "root/a -> root/b -> root/a" in error["message"]


def test_a_pair_of_folders_calling_each_other_is_read_not_silently_skipped(
    tmp_path: Path,
) -> None:
    """Given alone, two folders that call each other are neither a root of the other."""
    _module(tmp_path / "pair" / "a", 'module "b" {\n  source = "../b"\n}\n')
    _module(tmp_path / "pair" / "b", 'module "a" {\n  source = "../a"\n}\n')
    shutil.copy(BASE, tmp_path / "pair" / "a" / "network.tf")
    report = lint(tmp_path / "pair")
    assert any("module cycle" in e["message"] for e in report["errors"]), report
    assert any(f["rule"] == "CVL201" for f in report["findings"]), report


def test_module_breadth_times_depth_is_bounded(tmp_path: Path) -> None:
    folder = root_with(
        tmp_path, {"calls.tf": 'module "l0" {\n  source = "./l0"\n  count = 10\n}\n'}
    )
    for level in range(12):
        body = f'resource "aws_subnet" "s" {{\n  vpc_id = "vpc-{level}"\n}}\n'
        if level < 11:
            body += f'module "l{level + 1}" {{\n  source = "../l{level + 1}"\n  count = 10\n}}\n'
        _module(folder / f"l{level}", body)
    report = lint(folder)
    still_linted(report)
    assert any("module instances" in e["message"] for e in report["errors"]), report


def test_many_tf_json_resources_are_located_in_linear_time(tmp_path: Path) -> None:
    resources = {f"s{i}": {"vpc_id": "vpc-1", "cidr_block": "10.0.0.0/24"} for i in range(30000)}
    text = json.dumps({"resource": {"aws_subnet": resources}}, indent=2)
    folder = root_with(tmp_path, {"many.tf.json": text})
    report = lint(folder)
    still_linted(report)


# -- one bad value is that value, never the root ------------------------------------------------------

_BAD_VALUES: Dict[str, str] = {
    "overflow": "locals {\n  x = 1e999\n  y = 99999999999999999999 * 99999999999999999999 * 9999999999999999999999999 * 999999999999999999999999 * 99999999999999999999999999999\n}\n",
    "digits": "locals {\n  x = " + "9" * 5000 + "\n}\n",
    "nan": 'locals {\n  x = tonumber("nan")\n  y = tonumber("inf") + 1\n}\n',
    "index": "locals {\n  x = [1, 2, 3][1.5]\n  y = element([1, 2], 1e300)\n}\n",
    "regex": 'locals {\n  x = replace("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", "/(a+)+$/", "b")\n'
    '  y = replace("abc", "/[/", "b")\n'
    '  z = replace("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", "/a*a*a*a*a*a*b/", "c")\n}\n',
    "jsondecode": 'locals {\n  x = jsondecode("' + "[" * 50000 + "]" * 50000 + '")\n}\n',
    "dynamic": 'resource "aws_security_group" "d" {\n  vpc_id = "vpc-1"\n'
    '  dynamic "ingress" {\n    for_each = 5\n    content {\n      from_port = 1\n    }\n  }\n}\n',
    "security_groups": 'resource "aws_vpc_endpoint" "e" {\n  vpc_id = "vpc-1"\n'
    '  service_name = "com.amazonaws.us-east-1.s3"\n  vpc_endpoint_type = "Interface"\n'
    "  security_group_ids = 5\n  subnet_ids = {a = 1}\n  route_table_ids = true\n}\n",
    "blocks": 'resource "aws_security_group" "deep" {\n'
    + "  ingress {\n" * 3000
    + "  }\n" * 3000
    + "}\n",
    "nul-source": 'module "m" {\n  source = "./a\\u0000b"\n}\n',
    "deep-policy": 'resource "aws_iam_role_policy" "r" {\n  role = "x"\n  policy = "'
    + "[" * 50_000
    + "]" * 50_000
    + '"\n}\nresource "aws_s3_bucket_policy" "p" {\n'
    '  bucket = "b"\n  policy = "' + "[" * 50_000 + "]" * 50_000 + '"\n}\n',
    "long-source": 'module "m" {\n  source = "./' + "a" * 6000 + '"\n}\n',
    "pipeline": 'resource "aws_sagemaker_pipeline" "p" {\n  pipeline_name = "p"\n'
    '  pipeline_display_name = "p"\n  role_arn = "arn:aws:iam::123456789012:role/r"\n'
    '  pipeline_definition = "TODO"\n}\n',
    "template": 'locals {\n  x = "%{for a in b}${a}%{endfor}"\n  y = "${1 +}"\n}\n',
}


@pytest.mark.parametrize("case", sorted(_BAD_VALUES))
def test_one_bad_value_never_loses_the_root(tmp_path: Path, case: str) -> None:
    folder = root_with(tmp_path, {"hostile.tf": _BAD_VALUES[case]})
    report = lint(folder)
    still_linted(report)
    assert not any("RecursionError" in e["message"] for e in report["errors"]), report["errors"]


def test_a_remote_state_path_with_a_nul_byte_never_loses_a_resource(tmp_path: Path) -> None:
    """The local state a terraform_remote_state names is compared with the other roots' (here
    other/): a NUL byte in its path made that an internal error losing the resource."""
    reads = (
        'data "terraform_remote_state" "net" {\n  backend = "local"\n'
        '  config = {\n    path = "../other/x\\u0000y.tfstate"\n  }\n}\n'
        'resource "aws_subnet" "z" {\n'
        "  vpc_id = data.terraform_remote_state.net.outputs.vpc_id\n"
        '  cidr_block = "10.0.9.0/24"\n}\n'
    )
    other = 'terraform {\n  backend "local" {\n    path = "x.tfstate"\n  }\n}\n'
    report = lint(root_with(tmp_path, {"state.tf": reads, "other/main.tf": other}))
    still_linted(report)
    assert report["errors"] == [], report["errors"]


def test_a_tf_json_nesting_too_deep_is_one_error(tmp_path: Path) -> None:
    folder = root_with(
        tmp_path, {"deep.tf.json": '{"locals": {"x": ' + "[" * 50000 + "]" * 50000 + "}}"}
    )
    report = lint(folder)
    still_linted(report)
    one_error(report, "deep.tf.json", "not read as JSON")


def test_a_module_source_that_loops_is_unknown(tmp_path: Path) -> None:
    folder = root_with(tmp_path, {"calls.tf": 'module "m" {\n  source = "./loop"\n}\n'})
    (folder / "loop").symlink_to(folder / "loop")
    report = lint(folder)
    still_linted(report)


def test_a_broken_tf_file_is_one_error_and_its_folder_is_still_linted(tmp_path: Path) -> None:
    """Issue 24: "0 file(s) linted" and main.tf's finding lost, before."""
    folder = root_with(tmp_path, {"broken.tf": 'resource "aws_vpc" "x" {\n  cidr_block = \n'})
    report = lint(folder)
    still_linted(report)
    one_error(report, "broken.tf", "not valid HCL")
    assert report["summary"]["files"] == 1  # main.tf; broken.tf is the input error
