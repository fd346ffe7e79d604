"""Terraform files (``.tf``, ``.tf.json``, ``.tfvars``) into blocks and unevaluated expressions.

HCL is parsed with Lark and the grammar of bc-python-hcl2 (the fork checkov installs), kept here
so that the syntax tree, not python-hcl2's string rendering of expressions, reaches the
evaluator. Lark is imported on first use: only runs that read ``.tf`` files pay for it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional

from ...documents import ParseError


@dataclass(frozen=True)
class JsonExpr:
    """An expression written in ``.tf.json``: strings in it are templates."""

    value: Any


@dataclass
class Body:
    attributes: Dict[str, Any] = field(default_factory=dict)  # name -> expression
    blocks: List[Block] = field(default_factory=list)


@dataclass
class Block:
    type: str
    labels: List[str]
    body: Body
    file: str
    line: int


def _cache_file(version: str) -> Any:
    """Where Lark keeps the built parser (0.5 s to build, 0.05 s to load): the user's cache
    directory, never the shared temp directory (Lark's default), since the cache is a pickle."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    directory = Path(base) / "clarify-vpc-lint"
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return str(directory / f"hcl2-lark-{version}.cache")


@lru_cache(maxsize=1)
def _parser() -> Any:
    import lark

    grammar = (Path(__file__).parent / "hcl2.lark").read_text(encoding="utf-8")
    # Positions come from tokens: propagating them to every tree node costs 15-30 %.
    return lark.Lark(
        grammar, parser="lalr", maybe_placeholders=False, cache=_cache_file(lark.__version__)
    )


def parse_hcl(text: str, path: str) -> Body:
    """The top-level body of one HCL file."""
    from lark.exceptions import LarkError, UnexpectedInput

    try:
        tree = _parser().parse(text.replace("\r\n", "\n") + "\n")
    except UnexpectedInput as error:
        token = getattr(error, "token", None)
        what = f"unexpected {str(token)!r}" if token is not None else "unexpected text"
        raise ParseError(f"{path}: not valid HCL ({what})", getattr(error, "line", None)) from None
    except LarkError as error:  # pragma: no cover - Lark's other errors carry no position
        raise ParseError(f"{path}: not valid HCL ({error})") from None
    return _body(tree.children[0], path)


def _body(tree: Any, path: str) -> Body:
    body = Body()
    for child in tree.children:
        if child.data == "attribute":
            body.attributes[str(child.children[0].children[0])] = child.children[1]
        elif child.data == "block":
            kind = str(child.children[0].children[0])
            labels = [
                str(label.children[0]) if hasattr(label, "children") else str(label)[1:-1]
                for label in child.children[1:-1]
            ]
            line = child.children[0].children[0].line  # the block's type keyword
            body.blocks.append(Block(kind, labels, _body(child.children[-1], path), path, line))
    return body


# -- .tf.json ------------------------------------------------------------------------------------------

# In JSON a nested block looks like an object-valued argument; these names are blocks.
_JSON_BLOCKS = {
    "ingress",
    "egress",
    "route",
    "vpc_config",
    "primary_container",
    "container",
    "network_config",
    "dns_options",
    "inference_execution_config",
    "lifecycle",
    "dynamic",
    "content",
}
# Labels of top-level JSON blocks: resource "type" "name" {…} is {"resource": {type: {name: …}}}
_JSON_LABELS = {"resource": 2, "data": 2, "module": 1, "variable": 1, "output": 1, "provider": 1}


def parse_json(text: str, path: str) -> Body:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ParseError(f"{path}: not valid JSON ({error.msg})", error.lineno) from None
    if not isinstance(data, dict):
        raise ParseError(f"{path}: a .tf.json file holds an object")
    body = Body()
    for kind, content in data.items():
        depth = _JSON_LABELS.get(kind)
        if kind in ("resource", "data") and isinstance(content, dict):
            _json_resources(body, kind, content, text, path)
            continue
        if kind == "locals":
            for item in content if isinstance(content, list) else [content]:
                body.blocks.append(Block("locals", [], _json_body(item, path), path, 0))
        elif depth is not None:
            _json_labelled(body, kind, [], content, depth, path)
        elif kind == "//":
            continue
        else:  # terraform {…} and other unlabelled blocks
            body.blocks.append(Block(kind, [], _json_body(content, path), path, 0))
    return body


def _json_resources(body: Body, kind: str, content: Dict[str, Any], text: str, path: str) -> None:
    """Resource blocks with the line of their name (JSON keeps no positions: search the text)."""
    position = 0
    for resource_type, named in content.items():
        position = max(text.find(json.dumps(resource_type), position), position)
        for name, item in (named or {}).items() if isinstance(named, dict) else ():
            position = max(text.find(json.dumps(name), position), position)
            line = text.count("\n", 0, position) + 1
            for one in item if isinstance(item, list) else [item]:
                body.blocks.append(
                    Block(kind, [resource_type, name], _json_body(one, path), path, line)
                )


def _json_labelled(body: Body, kind: str, labels: List[str], content: Any, depth: int, path: str):
    if len(labels) == depth:
        for item in content if isinstance(content, list) else [content]:
            body.blocks.append(Block(kind, labels, _json_body(item, path), path, 0))
        return
    if isinstance(content, dict):
        for label, inner in content.items():
            _json_labelled(body, kind, [*labels, label], inner, depth, path)


def _json_body(data: Any, path: str) -> Body:
    body = Body()
    if not isinstance(data, dict):
        return body
    for name, value in data.items():
        if name == "//":
            continue
        if name in _JSON_BLOCKS and isinstance(value, (dict, list)):
            if name == "dynamic" and isinstance(value, dict):
                for label, inner in value.items():
                    for item in inner if isinstance(inner, list) else [inner]:
                        body.blocks.append(Block(name, [label], _json_body(item, path), path, 0))
                continue
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict):
                    body.blocks.append(Block(name, [], _json_body(item, path), path, 0))
            continue
        body.attributes[name] = JsonExpr(value)
    return body


class FileError(ParseError):
    """A file of the configuration that cannot be read; ``path`` names it, ``what`` says why."""

    def __init__(self, path: str, what: str, line: Optional[int] = None) -> None:
        super().__init__(f"{path}: {what}", line)
        self.path = path
        self.what = what


def read_file(path: Path) -> Body:
    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError as error:
        raise FileError(str(path), f"cannot be read ({error.strerror})") from None
    try:
        if path.name.endswith(".json"):
            return parse_json(text, str(path))
        return parse_hcl(text, str(path))
    except ParseError as error:
        prefix = f"{path}: "
        what = error.message[len(prefix) :] if error.message.startswith(prefix) else error.message
        raise FileError(str(path), what, error.line) from None


@lru_cache(maxsize=4096)
def parse_expression(text: str) -> Optional[Any]:
    """One expression (an interpolation, a ``--var`` value); None where it does not parse."""
    from lark.exceptions import LarkError

    try:
        tree = _parser().parse(f"x = {text.strip()}\n")
    except LarkError:
        return None
    attributes = tree.children[0].children
    return attributes[0].children[1] if len(attributes) == 1 else None
