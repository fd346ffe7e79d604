"""Terraform addresses parsed by their grammar: module path, mode, type, name and index, whatever
the index holds (dots, quotes, brackets)."""

from __future__ import annotations

import pytest

from clarify_vpc_lint import tfaddress


@pytest.mark.parametrize(
    ("address", "module", "mode", "type_", "name", "index"),
    [
        ("aws_subnet.a", "", "managed", "aws_subnet", "a", None),
        ("aws_subnet.a[1]", "", "managed", "aws_subnet", "a", 1),
        ("data.aws_vpc.main", "", "data", "aws_vpc", "main", None),
        (
            'module.stack["k0"].aws_vpc_endpoint.interface["sagemaker.api"]',
            'module.stack["k0"]',
            "managed",
            "aws_vpc_endpoint",
            "interface",
            "sagemaker.api",
        ),
        (
            'module.a.module.b[2].data.aws_prefix_list.s3["com.amazonaws.us-east-1.s3"]',
            "module.a.module.b[2]",
            "data",
            "aws_prefix_list",
            "s3",
            "com.amazonaws.us-east-1.s3",
        ),
        (
            'module.m["a.module.b"].aws_x.y["q\\"].r[0]"]',
            'module.m["a.module.b"]',
            "managed",
            "aws_x",
            "y",
            'q"].r[0]',
        ),
    ],
)
def test_parse_keeps_module_path_and_index_whole(address, module, mode, type_, name, index) -> None:
    parsed = tfaddress.parse(address)
    assert parsed is not None
    assert (parsed.module, parsed.mode, parsed.type, parsed.name) == (module, mode, type_, name)
    assert parsed.index_value == index
    assert parsed.without_index == address[: len(address) - len(parsed.index)]


@pytest.mark.parametrize(
    "text", ["", "aws_subnet", "aws_subnet.", "aws_subnet.a[", 'aws_subnet.a["x]', "a.b.c"]
)
def test_text_that_is_no_address_parses_to_none(text: str) -> None:
    assert tfaddress.parse(text) is None
