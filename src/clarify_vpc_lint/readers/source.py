"""Parse YAML and JSON into plain values while keeping the line and column of every key.

YAML is composed by libyaml (C) and constructed here so that positions come for free, CloudFormation
short-form tags become their long form, aliases cannot expand without bound and nesting depth is
checked before libyaml recurses. JSON is parsed by the C ``json`` module; its positions are computed
only when a finding needs one, so clean files pay nothing for them.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import yaml

Position = Tuple[int, int]
PathKey = Union[str, int]

MAX_DEPTH = 200  # real templates nest a few dozen levels; deeper is hostile
MAX_ALIAS_NODES = 200_000

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ParseError(Exception):
    """An input that cannot be parsed; ``line`` is 1-based where known."""

    def __init__(self, message: str, line: Optional[int] = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class PosMap(dict):
    """A mapping that remembers where each of its keys was written."""

    __slots__ = ("key_positions", "position")

    def __init__(self) -> None:
        super().__init__()
        self.key_positions: Dict[Any, Position] = {}
        self.position: Position = (1, 1)


class PosList(list):
    """A sequence that remembers where each of its items was written."""

    __slots__ = ("item_positions", "position")

    def __init__(self) -> None:
        super().__init__()
        self.item_positions: List[Position] = []
        self.position: Position = (1, 1)


@dataclass
class Document:
    """One parsed input file: its data and a way to find the position of any path in it."""

    path: str
    text: str
    data: Any
    is_json: bool
    _json_positions: Any = field(default=None, repr=False)

    def locate(self, path: Sequence[PathKey]) -> Position:
        """The position of the deepest existing key along ``path`` (1-based line and column)."""
        node = self.data
        if self.is_json:
            if self._json_positions is None:
                self._json_positions = _json_position_tree(self.text)
            node = self._json_positions
        best: Position = getattr(node, "position", (1, 1))
        for key in path:
            if isinstance(node, PosMap) and key in node.key_positions:
                best = node.key_positions[key]
            elif isinstance(node, PosList) and isinstance(key, int) and key < len(node):
                best = node.item_positions[key]
            else:
                break
            node = node[key]
        return best


# ---------------------------------------------------------------------------------------------
# YAML

_SHORT_TAGS = {
    "Ref": "Ref",
    "Condition": "Condition",
    **{
        name: f"Fn::{name}"
        for name in [
            "And",
            "Base64",
            "Cidr",
            "Equals",
            "FindInMap",
            "GetAtt",
            "GetAZs",
            "If",
            "ImportValue",
            "Join",
            "Not",
            "Or",
            "Select",
            "Split",
            "Sub",
            "Transform",
            "Length",
            "ToJsonString",
            "ForEach",
        ]
    },
}


def _flow_depth(text: str) -> int:
    """Deepest ``[``/``{`` nesting outside quoted strings (libyaml recurses per level)."""
    if text.count("[") + text.count("{") < MAX_DEPTH:
        return 0
    stripped = re.sub(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\n]|\'\')*\'', "", text)
    depth = deepest = 0
    for match in re.finditer(r"[\[\]{}]", stripped):
        depth += 1 if match.group() in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _scalar_constructors() -> Dict[str, Any]:
    """Plain scalars by tag; strings, the common case, need no constructor at all."""
    constructor = yaml.constructor.SafeConstructor()
    verbatim = lambda node: node.value  # noqa: E731
    return {
        "tag:yaml.org,2002:str": verbatim,
        "tag:yaml.org,2002:int": constructor.construct_yaml_int,
        "tag:yaml.org,2002:float": constructor.construct_yaml_float,
        "tag:yaml.org,2002:bool": constructor.construct_yaml_bool,
        "tag:yaml.org,2002:null": lambda node: None,
        "tag:yaml.org,2002:timestamp": verbatim,  # CloudFormation dates stay text
    }


_SCALARS = _scalar_constructors()


class _YamlBuilder:
    """Turns composed YAML nodes into PosMap/PosList/scalars."""

    def __init__(self, has_anchors: bool) -> None:
        # libyaml hands an alias back as the anchored node itself: count what aliases expand to
        self.seen: Optional[set] = set() if has_anchors else None
        self.alias_budget = MAX_ALIAS_NODES

    def build(self, node: yaml.Node, depth: int = 0, aliased: bool = False) -> Any:
        if depth > MAX_DEPTH:
            raise ParseError(f"nesting deeper than {MAX_DEPTH} levels", node.start_mark.line + 1)
        if self.seen is not None:
            aliased = aliased or id(node) in self.seen
            self.seen.add(id(node))
            if aliased:
                self.alias_budget -= 1
                if self.alias_budget < 0:
                    raise ParseError(
                        f"YAML aliases expand to more than {MAX_ALIAS_NODES} nodes (an alias bomb?)",
                        node.start_mark.line + 1,
                    )
        tag = node.tag
        if isinstance(node, yaml.ScalarNode):
            value: Any = self._scalar(node)
        elif isinstance(node, yaml.MappingNode):
            value = self._mapping(node, depth, aliased)
        else:
            result_list = PosList()
            result_list.position = _mark(node)
            for item in node.value:
                result_list.append(self.build(item, depth + 1, aliased))
                result_list.item_positions.append(_mark(item))
            value = result_list
        if tag[0] == "!":
            return self._short_form(tag[1:], node, value)
        return value

    def _mapping(self, node: yaml.MappingNode, depth: int, aliased: bool) -> PosMap:
        result = PosMap()
        result.position = _mark(node)
        for key_node, value_node in node.value:
            key = self.build(key_node, depth + 1, aliased)
            if key == "<<" and key_node.tag == "tag:yaml.org,2002:merge":
                merged = self.build(value_node, depth + 1, aliased)
                for item in merged if isinstance(merged, list) else [merged]:
                    if isinstance(item, dict):
                        for k, v in item.items():
                            result.setdefault(k, v)
                continue
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise ParseError("a mapping key must be a scalar", key_node.start_mark.line + 1)
            result[key] = self.build(value_node, depth + 1, aliased)
            result.key_positions[key] = _mark(key_node)
        return result

    @staticmethod
    def _scalar(node: yaml.ScalarNode) -> Any:
        construct = _SCALARS.get(node.tag)
        if construct is None:
            return node.value
        try:
            return construct(node)
        except (yaml.YAMLError, ValueError) as error:
            raise ParseError(str(error).splitlines()[0], node.start_mark.line + 1) from None

    @staticmethod
    def _short_form(name: str, node: yaml.Node, value: Any) -> Any:
        long_name = _SHORT_TAGS.get(name)
        if long_name is None:
            return value
        if long_name == "Fn::GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
        wrapped = PosMap()
        wrapped.position = _mark(node)
        wrapped[long_name] = value
        wrapped.key_positions[long_name] = _mark(node)
        return wrapped


def _mark(node: yaml.Node) -> Position:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def parse_yaml(text: str) -> Any:
    if _flow_depth(text) > MAX_DEPTH:
        raise ParseError(f"nesting deeper than {MAX_DEPTH} levels")
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or str(error)
        raise ParseError(f"invalid YAML: {problem}", mark.line + 1 if mark else None) from None
    except yaml.YAMLError as error:
        raise ParseError(f"invalid YAML: {str(error).splitlines()[0]}") from None
    except RecursionError:
        raise ParseError(f"nesting deeper than {MAX_DEPTH} levels") from None
    if node is None:
        return None
    try:
        return _YamlBuilder(has_anchors="&" in text).build(node)
    except RecursionError:
        raise ParseError(f"nesting deeper than {MAX_DEPTH} levels") from None


# ---------------------------------------------------------------------------------------------
# JSON


def parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ParseError(f"invalid JSON: {error.msg}", error.lineno) from None
    except RecursionError:
        raise ParseError(f"nesting deeper than {MAX_DEPTH} levels") from None


_JSON_TOKEN = re.compile(r'\s*(?:([{}\[\],:])|("(?:[^"\\]|\\.)*")|([^\s{}\[\],:"]+))', re.S)


def _json_position_tree(text: str) -> Any:
    """Positions of every key and item of a JSON text that ``json.loads`` already accepted."""
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(offset: int) -> Position:
        line = bisect.bisect_right(line_starts, offset)
        return (line, offset - line_starts[line - 1] + 1)

    stack: List[Any] = []
    pending_key: Any = None
    root: Any = None
    for match in _JSON_TOKEN.finditer(text):
        punct, string, _ = match.groups()
        start = match.start(1) if punct else match.start(2) if string else match.start(3)
        if punct in ("{", "["):
            container: Any = PosMap() if punct == "{" else PosList()
            container.position = position(start)
            _attach(stack, container, pending_key, position(start))
            pending_key = None
            stack.append(container)
            root = root if root is not None else container
        elif punct in ("}", "]"):
            stack.pop()
        elif punct in (",", ":"):
            continue
        elif stack and isinstance(stack[-1], PosMap) and pending_key is None and string:
            pending_key = json.loads(string)
            stack[-1].key_positions[pending_key] = position(start)
        else:
            _attach(stack, None, pending_key, position(start))
            pending_key = None
    return root


def _attach(stack: List[Any], value: Any, key: Any, pos: Position) -> None:
    if not stack:
        return
    parent = stack[-1]
    if isinstance(parent, PosMap):
        parent[key] = value
    else:
        parent.append(value)
        parent.item_positions.append(pos)


def parse_text(path: str, text: str) -> Document:
    """Parse by content: JSON when it looks like JSON (``.json`` or a leading brace), else YAML."""
    stripped = text.lstrip()
    if path.endswith(".json") or stripped.startswith(("{", "[")):
        try:
            return Document(path, text, parse_json(text), is_json=True)
        except ParseError:
            if path.endswith(".json"):
                raise
    # a YAML document keeps its positions in its data: its text is not needed (nor sent between
    # processes with --jobs)
    return Document(path, "", parse_yaml(text), is_json=False)
