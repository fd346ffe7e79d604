"""Terraform files (``.tf``, ``.tf.json``, ``.tfvars``) into blocks and unevaluated expressions.

HCL is parsed with tree-sitter and the tree-sitter-hcl grammar (C, binary wheels, linear in the
text: no backtracking, nothing built or cached per run) and its tree simplified into ``Node``s
for the evaluator. tree-sitter is imported on first use: only runs that read ``.tf`` files pay.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from msgspec import Struct, field

from ....documents import ParseError, read_regular_file

# A .tf file is a few hundred lines; 2 MiB is far beyond any written by hand or generated, and
# its syntax tree takes about 0.5 GB (tree-sitter's and the evaluator's).
MAX_TF_BYTES = 2 * 1024 * 1024


class JsonExpr(Struct, frozen=True):
    """An expression written in ``.tf.json``: strings in it are templates."""

    value: Any


class Body(Struct):
    """The attributes and nested blocks of a block (or a file)."""

    attributes: Dict[str, Any] = field(default_factory=dict)  # name -> expression
    blocks: List[Block] = field(default_factory=list)


class Block(Struct):
    """One HCL block: its type, labels, body and where it is written."""

    type: str
    labels: List[str]
    body: Body
    file: str
    line: int


class Node(Struct, frozen=True):
    """One HCL expression, as the evaluator reads it (tree-sitter's tree, simplified).

    ``kind``, and what the other fields hold for it:

    - number, bool: ``text`` as written; null;
    - string: ``text`` between the quotes as written (escapes, ``${}``: a template);
      heredoc: ``text`` its lines, ``flag`` for ``<<-``;
    - variable: ``text`` the name (``var``, ``aws_subnet``, ``each``);
      paren: ``children`` (inner,), written in parentheses;
    - tuple: ``children`` the items; object: ``children`` ``pair`` nodes (key, value), a bare
      name as key being a ``variable``;
    - get_attr: ``children`` (base,), ``text`` the name; index: ``children`` (base, key);
      splat: ``children`` (base, steps...), a step being a get_attr or index without base;
    - binary: ``children`` the operands of a chain, ``names`` the operators between them in
      written order (the evaluator applies precedence); unary: ``text`` the operator;
    - conditional: ``children`` (condition, then, else);
    - call: ``text`` the name, ``children`` the arguments, ``flag`` for ``f(list...)``;
    - for: ``children`` (source, key or None, value, condition or None), ``text`` "tuple" or
      "object", ``names`` the iterator names, ``flag`` for grouping (``...``);
    - too_deep: nested beyond ``MAX_NESTING``, unknown where used.
    """

    kind: str
    children: Tuple[Any, ...] = ()
    text: str = ""
    flag: bool = False
    names: Tuple[str, ...] = ()


# How deep expressions (brackets, calls) and values nest: deeper is unknown, and blocks (a few
# levels in real configurations) or .tf.json deeper than this an input error: never a
# RecursionError in the conversion or the evaluator.
MAX_NESTING = 100
_MAX_BLOCK_NESTING = 32
_BINARY = {"||", "&&", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "%"}


@lru_cache(maxsize=1)
def _parser() -> Any:
    """tree-sitter's HCL parser: C, linear in the text, nothing built or cached per run."""
    import tree_sitter
    import tree_sitter_hcl

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_hcl.language()))


def _syntax_error(root: Any) -> Tuple[str, int]:
    """What and where the first syntax error is (tree-sitter recovers and marks it)."""
    pending = [root]
    while pending:
        node = pending.pop()
        if node.is_missing:
            return f"missing {node.type!r}", node.start_point[0] + 1
        if node.type == "ERROR":
            text = node.text.decode("utf-8", "replace").strip().splitlines()
            shown = text[0][:40] if text else ""
            return f"unexpected {shown!r}", node.start_point[0] + 1
        if node.has_error:
            pending.extend(reversed(node.children))
    return "unexpected text", root.start_point[0] + 1


def _tree(text: str) -> Tuple[Any, bytes]:
    source = text.replace("\r\n", "\n").encode("utf-8", "replace")
    return _parser().parse(source).root_node, source


def parse_hcl(text: str, path: str) -> Body:
    """The top-level body of one HCL file."""
    root, source = _tree(text)
    if root.has_error:
        what, line = _syntax_error(root)
        raise ParseError(f"{path}: not valid HCL ({what})", line)
    body = next((child for child in root.children if child.type == "body"), None)
    return _Converter(source)._body(body, path, 0) if body is not None else Body()


def _nested(depth: int) -> int:
    if depth > _MAX_BLOCK_NESTING:
        raise ParseError(f"blocks nest deeper than {_MAX_BLOCK_NESTING} levels")
    return depth + 1


class _Converter:
    """tree-sitter's tree of one text into Bodies and Nodes; text is sliced from the source
    bytes (tree-sitter's own Node.text is slow on large files)."""

    def __init__(self, source: bytes) -> None:
        self.source = source

    def _text(self, node: Any) -> str:
        return self.source[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def _body(self, tree: Any, path: str, depth: int) -> Body:
        depth = _nested(depth)
        body = Body()
        for child in tree.named_children:
            if child.type == "attribute":
                name, expression = child.named_children[0], child.named_children[-1]
                body.attributes[self._text(name)] = self._expression(expression, 0)
            elif child.type == "block":
                parts = child.named_children
                labels = [
                    self._text(label) if label.type == "identifier" else self._string_text(label)
                    for label in parts[1:]
                    if label.type in ("identifier", "string_lit")
                ]
                inner = next((part for part in parts if part.type == "body"), None)
                line = parts[0].start_point[0] + 1  # the block's type keyword
                nested = self._body(inner, path, depth) if inner is not None else Body()
                body.blocks.append(Block(self._text(parts[0]), labels, nested, path, line))
        return body

    def _string_text(self, node: Any) -> str:
        """What is between a string's quotes, as written."""
        text = self._text(node)
        return text[1:-1] if len(text) >= 2 else ""

    def _expression(self, node: Any, depth: int) -> Node:
        if depth > MAX_NESTING:  # the evaluator says so where the value is used
            return Node("too_deep")
        depth += 1
        kind = node.type
        if kind == "expression":
            return self._term(node.children, depth)
        if kind == "literal_value":
            return self._literal(node.named_children[0])
        if kind == "collection_value":
            return self._collection(node.named_children[0], depth)
        if kind == "variable_expr":
            return Node("variable", text=self._text(node))
        if kind == "function_call":
            return self._call(node, depth)
        if kind == "for_expr":
            return self._for(node.named_children[0], depth)
        if kind == "template_expr":
            return self._template(node.named_children[0])
        if kind == "operation":
            return self._operation(node.named_children[0], depth)
        if kind == "conditional":
            parts = [child for child in node.children if child.type == "expression"]
            return Node("conditional", tuple(self._expression(part, depth) for part in parts))
        raise ParseError(f"{kind} expressions are not read")

    def _term(self, children: List[Any], depth: int) -> Node:
        """A primary expression followed by .attr, [index] and splats (one flat list in the tree)."""
        if children[0].type == "(":
            value = Node("paren", (self._expression(children[1], depth),))
            rest = children[3:]
        else:
            value = self._expression(children[0], depth)
            rest = children[1:]
        for suffix in rest:
            if suffix.type == "splat":
                steps = [
                    self._step(step, depth) for step in suffix.named_children[0].named_children
                ]
                value = Node("splat", (value, *steps))
            elif suffix.is_named:
                step = self._step(suffix, depth)
                value = Node(step.kind, (value, *step.children), step.text)
        return value

    def _step(self, node: Any, depth: int) -> Node:
        if node.type == "get_attr":
            return Node("get_attr", text=self._text(node.named_children[0]))
        inner = node.named_children[0]  # new_index or legacy_index
        if inner.type == "legacy_index":
            return Node("index", (Node("number", text=self._text(inner).lstrip(".")),))
        return Node("index", (self._expression(inner.named_children[0], depth),))

    def _literal(self, node: Any) -> Node:
        if node.type == "numeric_lit":
            return Node("number", text=self._text(node))
        if node.type == "bool_lit":
            return Node("bool", text=self._text(node))
        if node.type == "null_lit":
            return Node("null")
        return Node("string", text=self._string_text(node))

    def _collection(self, node: Any, depth: int) -> Node:
        if node.type == "tuple":
            items = [child for child in node.named_children if child.type == "expression"]
            return Node("tuple", tuple(self._expression(item, depth) for item in items))
        pairs = []
        for element in node.named_children:
            if element.type != "object_elem":
                continue
            key, value = element.named_children[0], element.named_children[-1]
            pairs.append(
                Node("pair", (self._expression(key, depth), self._expression(value, depth)))
            )
        return Node("object", tuple(pairs))

    def _call(self, node: Any, depth: int) -> Node:
        name = self._text(node.named_children[0])
        arguments = next((c for c in node.named_children if c.type == "function_arguments"), None)
        if arguments is None:
            return Node("call", text=name)
        values = [
            self._expression(c, depth) for c in arguments.named_children if c.type == "expression"
        ]
        expand = any(child.type == "ellipsis" for child in arguments.children)
        return Node("call", tuple(values), name, expand)

    def _for(self, node: Any, depth: int) -> Node:
        intro = next(child for child in node.named_children if child.type == "for_intro")
        names = tuple(
            self._text(child) for child in intro.named_children if child.type == "identifier"
        )
        source = self._expression(intro.named_children[-1], depth)
        bodies = [self._expression(c, depth) for c in node.named_children if c.type == "expression"]
        condition = next((c for c in node.named_children if c.type == "for_cond"), None)
        test = (
            self._expression(condition.named_children[-1], depth) if condition is not None else None
        )
        grouping = any(child.type == "ellipsis" for child in node.children)
        if node.type == "for_object_expr":
            key, value = bodies[0], bodies[1]
            return Node("for", (source, key, value, test), "object", grouping, names)
        return Node("for", (source, None, bodies[0], test), "tuple", False, names)

    def _template(self, node: Any) -> Node:
        if node.type == "quoted_template":
            return Node("string", text=self._string_text(node))
        # heredoc: the lines between the opening identifier's line and the closing identifier's
        identifiers = [child for child in node.children if child.type == "heredoc_identifier"]
        source = self.source[node.start_byte : node.end_byte]
        start = source.find(b"\n", identifiers[0].end_byte - node.start_byte) + 1
        end = source.rfind(b"\n", 0, identifiers[-1].start_byte - node.start_byte) + 1
        text = source[start:end].decode("utf-8", "replace") if 0 < start <= end else ""
        trim = any(
            child.type == "heredoc_start" and self._text(child) == "<<-" for child in node.children
        )
        return Node("heredoc", text=text, flag=trim)

    def _operation(self, node: Any, depth: int) -> Node:
        if node.type == "unary_operation":
            return Node("unary", (self._term(node.children[1:], depth),), node.children[0].type)
        # A chain "1 + 2 + ... " nests one operation per operator: flatten it without recursion
        # into operands and operators in written order (the evaluator applies precedence).
        operands: List[Node] = []
        operators: List[str] = []
        pending: List[Any] = [node]
        while pending:
            item = pending.pop()
            if isinstance(item, str):
                operators.append(item)
                continue
            if not isinstance(item, list):  # a binary operation
                children = item.children
                split = next(
                    i for i, c in enumerate(children) if not c.is_named and c.type in _BINARY
                )
                pending += [children[split + 1 :], children[split].type, children[:split]]
                continue
            only = item[0] if len(item) == 1 and item[0].type == "operation" else None
            if only is not None and only.named_children[0].type == "binary_operation":
                pending.append(only.named_children[0])
            else:
                operands.append(self._term(item, depth))
        return Node("binary", tuple(operands), names=tuple(operators))


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
    except (ValueError, RecursionError) as error:  # a 5,000-digit number; nesting
        what = "nests too deeply" if isinstance(error, RecursionError) else str(error)[:80]
        raise ParseError(f"{path}: not read as JSON ({what})") from None
    if nesting_depth(data) > MAX_NESTING:
        raise ParseError(f"{path}: nests deeper than {MAX_NESTING} levels")
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


def nesting_depth(data: Any) -> int:
    """How deep lists and dicts nest (without recursion; counted up to past MAX_NESTING)."""
    deepest, pending = 0, [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, (list, dict)):
            deepest = max(deepest, depth)
            if depth <= MAX_NESTING:
                items = value.values() if isinstance(value, dict) else value
                pending.extend((item, depth + 1) for item in items)
    return deepest


def _json_resources(body: Body, kind: str, content: Dict[str, Any], text: str, path: str) -> None:
    """Resource blocks with the line of their name (JSON keeps no positions: search the text;
    lines are counted on from the last name found, never again from the start)."""
    position = counted = 0
    line = 1
    for resource_type, named in content.items():
        position = max(text.find(json.dumps(resource_type), position), position)
        for name, item in (named or {}).items() if isinstance(named, dict) else ():
            position = max(text.find(json.dumps(name), position), position)
            line += text.count("\n", counted, position)
            counted = position
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
    """A regular file of at most ``MAX_TF_BYTES`` parsed; a FIFO, a device or a larger file is
    a FileError (never read into memory, never waited on)."""
    try:
        raw = read_regular_file(str(path), MAX_TF_BYTES)
    except ParseError as error:
        raise FileError(str(path), error.message) from None
    text = raw.decode("utf-8-sig", errors="replace")
    try:
        if path.name.endswith(".json"):
            return parse_json(text, str(path))
        return parse_hcl(text, str(path))
    except ParseError as error:
        prefix = f"{path}: "
        what = error.message[len(prefix) :] if error.message.startswith(prefix) else error.message
        raise FileError(str(path), what, error.line) from None


@lru_cache(maxsize=4096)
def parse_expression(text: str) -> Optional[Node]:
    """One expression (an interpolation, a ``--var`` value); None where it does not parse."""
    root, source = _tree(f"x = {text.strip()}\n")
    body = next((child for child in root.children if child.type == "body"), None)
    if root.has_error or body is None or len(body.named_children) != 1:
        return None
    attribute = body.named_children[0]
    if attribute.type != "attribute":
        return None
    try:
        return _Converter(source)._expression(attribute.named_children[-1], 0)
    except ParseError:
        return None
