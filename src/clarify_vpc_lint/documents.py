"""Parse YAML and JSON into plain values while keeping the line and column of every key.

Nothing here recurses on the input's nesting, so no input can overflow the C stack: YAML values are
built straight from libyaml's event stream with an explicit stack (positions come for free,
CloudFormation short-form tags become their long form, aliases are shared and their expansion is
counted), and JSON is refused past MAX_DEPTH levels before the C decoder goes deeper. JSON
positions are computed only when a finding needs one, so clean files pay nothing for them.
"""

from __future__ import annotations

import bisect
import json
import math
import os
import re
import stat
import sys
from contextlib import contextmanager
from contextvars import ContextVar
from itertools import accumulate
from json.decoder import scanstring
from json.scanner import make_scanner
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

import yaml
from msgspec import Struct

Position = Tuple[int, int]
PathKey = Union[str, int]

MAX_DEPTH = 200  # real templates nest a few dozen levels; deeper is hostile
MAX_ALIAS_NODES = 200_000
# A template of 40,000 resources holds about 600,000 values; each costs ~100 bytes once built.
MAX_YAML_VALUES = 2_000_000

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


class Document(Struct):
    """One parsed input file: its data and a way to find the position of any path in it."""

    path: str
    text: str
    data: Any
    is_json: bool
    _json_positions: Any = None

    def locate(self, path: Sequence[PathKey]) -> Position:
        """The position of the deepest existing key along ``path`` (1-based line and column)."""
        if self.is_json:
            if self._json_positions is None:
                self._json_positions = JsonPositions(self.text)
            return self._json_positions.locate(path)
        node = self.data
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


_NO_KEY = object()


class _Open:
    """A mapping or sequence whose end event has not come yet."""

    __slots__ = ("value", "tag", "mark", "anchor", "size", "height", "key", "key_mark", "merging")

    def __init__(self, value: Any, tag: Optional[str], mark: Any, anchor: Optional[str]) -> None:
        self.value = value
        self.tag = tag
        self.mark = mark
        self.anchor = anchor
        self.size = 1  # nodes, counting what aliases inside it expand to
        self.height = 0  # nesting levels below it
        self.key: Any = _NO_KEY
        self.key_mark: Any = None
        self.merging = False


def _build(loader: Any) -> Any:
    """Build values straight from libyaml's events, with an explicit stack.

    libyaml's parser is a state machine and emits events without recursing; composing nodes is
    what recurses (and overflows the C stack on deep nesting). Here nothing recurses, so no
    nesting can crash the process: depth is counted on the stack and refused past MAX_DEPTH.
    """
    get_event = loader.get_event
    plain = _PlainScalars(loader.resolve)
    anchors: Dict[str, Tuple[Any, int, int]] = {}  # value, node count, height
    stack: List[_Open] = []
    alias_budget = MAX_ALIAS_NODES
    values_left = MAX_YAML_VALUES
    documents = 0
    root: Any = None
    while True:
        event = get_event()
        kind = type(event)
        if kind is yaml.ScalarEvent:
            value, size, height = _scalar(event, plain)
            anchor, mark = event.anchor, event.start_mark
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            if len(stack) >= MAX_DEPTH:
                raise ParseError(_TOO_DEEP, event.start_mark.line + 1)
            container = PosMap() if kind is yaml.MappingStartEvent else PosList()
            container.position = _position(event.start_mark)
            stack.append(_Open(container, event.tag, event.start_mark, event.anchor))
            continue
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            done = stack.pop()
            if done.key is not _NO_KEY:  # libyaml always pairs keys; kept for safety
                raise ParseError("a mapping key without a value", done.mark.line + 1)
            value, size, height = done.value, done.size, done.height + 1
            anchor, mark = done.anchor, done.mark
            if done.tag and done.tag[0] == "!" and done.tag[1:] in _SHORT_TAGS:
                value, height = _short_form(done.tag[1:], mark, value), height + 1
        elif kind is yaml.AliasEvent:
            mark = event.start_mark
            if event.anchor not in anchors:
                raise ParseError(f"invalid YAML: undefined alias *{event.anchor}", mark.line + 1)
            value, size, height = anchors[event.anchor]
            alias_budget -= size
            if alias_budget < 0:
                raise ParseError(
                    f"YAML aliases expand to more than {MAX_ALIAS_NODES} nodes (an alias bomb?)",
                    mark.line + 1,
                )
            anchor = None
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise ParseError(
                    "invalid YAML: more than one document in the file", event.start_mark.line + 1
                )
            continue
        elif kind is yaml.StreamEndEvent:
            return root
        else:
            continue
        if len(stack) + height > MAX_DEPTH:
            raise ParseError(_TOO_DEEP, mark.line + 1)
        values_left -= 1
        if values_left < 0:
            raise ParseError(f"more than {MAX_YAML_VALUES} values; not read", mark.line + 1)
        if anchor is not None:
            anchors[anchor] = (value, size, height)
        if not stack:
            root = value
            continue
        parent = stack[-1]
        parent.size += size
        if height > parent.height:
            parent.height = height
        container = parent.value
        if type(container) is PosList:
            container.append(value)
            container.item_positions.append(_position(mark))
        elif parent.key is _NO_KEY:
            if isinstance(value, (dict, list)):
                raise ParseError("a mapping key must be a scalar", mark.line + 1)
            parent.key, parent.key_mark = value, mark
            parent.merging = (
                value == "<<"
                and kind is yaml.ScalarEvent
                and event.tag is None
                and event.implicit[0]
            )
        else:
            key, parent.key = parent.key, _NO_KEY
            if parent.merging:
                for item in value if isinstance(value, list) else [value]:
                    if isinstance(item, dict):
                        for k, v in item.items():
                            container.setdefault(k, v)
                continue
            container[key] = value
            container.key_positions[key] = _position(parent.key_mark)


_TOO_DEEP = f"nesting deeper than {MAX_DEPTH} levels"
_MAX_INT_BITS = 4000 * 3  # under Python's 4,300-digit limit on int/str conversion


_STR = "tag:yaml.org,2002:str"


class _PlainScalars(dict):
    """The tag of each untagged scalar's text, resolved once per distinct text of a file.

    A template repeats its words ("Type", "Properties", "Ref", resource types) thousands of
    times; PyYAML's resolver matches each against its patterns in Python. A quoted scalar is a
    string without asking.
    """

    def __init__(self, resolve: Any) -> None:
        super().__init__()
        self.resolve = resolve

    def tag(self, value: str, implicit: Tuple[bool, bool]) -> str:
        if not implicit[0]:
            return _STR
        tag = self.get(value)
        if tag is None:
            tag = self[value] = self.resolve(yaml.ScalarNode, value, implicit)
        return tag  # type: ignore[no-any-return]


def _scalar(event: Any, plain: _PlainScalars) -> Tuple[Any, int, int]:
    """A scalar's value, node count and height (1 when a short-form tag wraps it)."""
    tag = event.tag
    if tag is None or tag == "!":
        tag = plain.tag(event.value, event.implicit)
        if tag == _STR:
            return event.value, 1, 0
    elif tag[0] == "!" and tag[1:] in _SHORT_TAGS:
        return _short_form(tag[1:], event.start_mark, event.value), 1, 1
    construct = _SCALARS.get(tag)
    if construct is None:
        return event.value, 1, 0
    try:
        value = construct(yaml.ScalarNode(tag, event.value, event.start_mark))
    except ValueError as error:
        if "digits" in str(error):  # an integer past Python's int/str conversion limit
            return event.value, 1, 0
        raise _invalid_scalar(event, tag) from None
    except (KeyError, TypeError, yaml.YAMLError):  # e.g. !!bool "maybe"
        raise _invalid_scalar(event, tag) from None
    if type(value) is float and not math.isfinite(value):
        return event.value, 1, 0  # no AWS field takes an infinity or NaN: keep what was written
    if type(value) is int and value.bit_length() > _MAX_INT_BITS:
        return event.value, 1, 0  # e.g. 0xfff...: Python could not even print it in decimal
    return value, 1, 0


def _invalid_scalar(event: Any, tag: str) -> ParseError:
    shown = event.value if len(event.value) <= 40 else event.value[:40] + "..."
    return ParseError(
        f"{shown!r} is not a valid {tag.rsplit(':', 1)[-1]}", event.start_mark.line + 1
    )


def _short_form(name: str, mark: Any, value: Any) -> PosMap:
    long_name = _SHORT_TAGS[name]
    if long_name == "Fn::GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    wrapped = PosMap()
    wrapped.position = _position(mark)
    wrapped[long_name] = value
    wrapped.key_positions[long_name] = wrapped.position
    return wrapped


def _position(mark: Any) -> Position:
    return (mark.line + 1, mark.column + 1)


def parse_yaml(text: str) -> Any:
    try:
        loader = _Loader(text)
    except UnicodeEncodeError as error:  # a lone surrogate (JSON may escape one): libyaml
        # takes UTF-8 bytes
        raise ParseError(f"invalid YAML: {error.reason} ({error.object[error.start]!r})") from None
    try:
        return _build(loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or str(error)
        if "nesting depth" in problem:  # libyaml 0.2.5 counts depth too, and stops earlier
            raise ParseError(_TOO_DEEP, mark.line + 1 if mark else None) from None
        raise ParseError(f"invalid YAML: {problem}", mark.line + 1 if mark else None) from None
    except yaml.YAMLError as error:
        raise ParseError(f"invalid YAML: {str(error).splitlines()[0]}") from None
    finally:
        loader.dispose()


# ---------------------------------------------------------------------------------------------
# JSON


def parse_json(text: str, strict: bool = True) -> Any:
    """JSON as ``json.loads`` reads it, refused past MAX_DEPTH levels of nesting.

    Numbers no AWS field can hold (infinities, NaN, integers past Python's 4,300-digit conversion
    limit) keep the text they were written as, so readers see "not a number" rather than crash.
    """
    options: Dict[str, Any] = {
        "strict": strict,
        "parse_float": _json_float,
        "parse_constant": _json_constant,
    }
    try:
        try:
            return _loads_within_depth(text, options)
        except ValueError as error:
            if isinstance(error, json.JSONDecodeError) or "digits" not in str(error):
                raise
            return _loads_within_depth(text, {**options, "parse_int": _json_int})
    except json.JSONDecodeError as error:
        raise ParseError(f"invalid JSON: {json_problem(error)}", error.lineno) from None
    except (ValueError, RecursionError):
        raise ParseError(_TOO_DEEP) from None


def json_problem(error: json.JSONDecodeError) -> str:
    """The decoder's whole message: ``Unterminated string starting at line 3, column 12``."""
    where = f"line {error.lineno}, column {error.colno}"
    return f"{error.msg} {where}" if error.msg.endswith(" at") else f"{error.msg} at {where}"


def _loads_within_depth(text: str, options: Dict[str, Any]) -> Any:
    """``json.loads`` that fails with RecursionError past MAX_DEPTH levels.

    Up to CPython 3.11 the C decoder counts its nesting against the recursion limit, so a limit
    just above the current depth refuses deep text for free; later versions count C recursion
    apart, and the text's depth is measured first (exact for valid JSON: its strings are regular).
    """
    # (a large text, a plan of 13 MiB, skips counting: the recursion limit below costs nothing)
    if len(text) <= _COUNTED and text.count("[") + text.count("{") <= MAX_DEPTH:
        return json.loads(text, **options)
    if sys.version_info >= (3, 12):
        if _json_depth(text) > MAX_DEPTH:
            raise RecursionError
        return json.loads(text, **options)
    limit = sys.getrecursionlimit()
    depth, frame = 0, sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    sys.setrecursionlimit(depth + MAX_DEPTH + 2)
    try:
        return json.loads(text, **options)
    finally:
        sys.setrecursionlimit(limit)


_COUNTED = 1 << 20  # the texts whose brackets are counted before they are parsed
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_DEPTH_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def _json_depth(text: str) -> int:
    brackets = _NOT_A_BRACKET.sub("", _JSON_STRING.sub("", text))
    return max(accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0)


def _json_float(text: str) -> Any:
    value = float(text)
    return value if math.isfinite(value) else text


def _json_constant(text: str) -> str:
    return text  # NaN, Infinity, -Infinity: not JSON, and no AWS field takes them


def _json_int(text: str) -> Any:
    return int(text) if len(text) <= 4000 else text


_JSON_SPACE = re.compile(r"[ \t\n\r]*")  # the whitespace JSON allows, and all json.loads skips
# an object member up to its value: the key's text (undecoded) and where the value starts
_JSON_MEMBER = re.compile(r'[ \t\n\r]*"([^"\\]*(?:\\.[^"\\]*)*)"[ \t\n\r]*:[ \t\n\r]*', re.S)
_JSON_AFTER = re.compile(r"[ \t\n\r]*([,\]}])")  # what follows a member or an item
# Skips one value of a text json.loads accepted, in C: values become cheap strings, never errors.
_skip_json_value = make_scanner(
    json.JSONDecoder(strict=False, parse_float=str, parse_int=str, parse_constant=str)
)


class JsonPositions:
    """Positions in a JSON text that ``json.loads`` accepted, found when a path asks for them.

    The first path that enters an object or array scans its members once (the C decoder skips
    each value), so locating the 10,000 resources of a plan costs a few parses of the text
    rather than a position for every token.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        # offset of an object -> {key: (key offset, value offset)}; of an array -> item offsets
        self._members: Dict[int, Union[Dict[Any, Tuple[int, int]], List[int]]] = {}
        self._line_starts: Optional[List[int]] = None

    def locate(self, path: Sequence[PathKey]) -> Position:
        offset = _JSON_SPACE.match(self.text).end()  # type: ignore[union-attr]
        if self._members_at(offset) is None:
            return (1, 1)
        best = offset
        for key in path:
            members = self._members_at(offset)
            if isinstance(members, dict) and key in members:
                best, offset = members[key]
            elif isinstance(members, list) and isinstance(key, int) and key < len(members):
                best = offset = members[key]
            else:
                break
        return self._position(best)

    def _members_at(self, offset: int) -> Any:
        members = self._members.get(offset)
        if members is None:
            opener = self.text[offset : offset + 1]
            if opener not in ("{", "["):
                return None
            members = self._object(offset) if opener == "{" else self._array(offset)
            self._members[offset] = members
        return members

    def _object(self, offset: int) -> Dict[Any, Tuple[int, int]]:
        text, members = self.text, {}
        index = _JSON_SPACE.match(text, offset + 1).end()  # type: ignore[union-attr]
        if text[index] == "}":
            return members
        while True:
            member = _JSON_MEMBER.match(text, index)
            assert member is not None  # json.loads accepted the text
            key = member.group(1)
            if "\\" in key:
                key = scanstring(text, member.start(1), False)[0]
            # a repeated key: the last one, as json.loads keeps
            members[key] = (member.start(1) - 1, member.end())
            after = _JSON_AFTER.match(text, _skip_json_value(text, member.end())[1])
            if after.group(1) == "}":  # type: ignore[union-attr]
                return members
            index = after.end()  # type: ignore[union-attr]

    def _array(self, offset: int) -> List[int]:
        text, items = self.text, []
        index = _JSON_SPACE.match(text, offset + 1).end()  # type: ignore[union-attr]
        if text[index] == "]":
            return items
        while True:
            index = _JSON_SPACE.match(text, index).end()  # type: ignore[union-attr]
            items.append(index)
            after = _JSON_AFTER.match(text, _skip_json_value(text, index)[1])
            if after.group(1) == "]":  # type: ignore[union-attr]
                return items
            index = after.end()  # type: ignore[union-attr]

    def _position(self, offset: int) -> Position:
        if self._line_starts is None:
            self._line_starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        line = bisect.bisect_right(self._line_starts, offset)
        return (line, offset - self._line_starts[line - 1] + 1)


_PLAN_START = re.compile(rb'\s*\{\s*"format_version"')  # how `terraform show -json` begins

# An editor's unsaved buffers by real path: read in place of their files' bytes, so the language
# server (clarify_vpc_lint.lsp) judges a project as the editor shows it and never writes a file.
# A context variable: each thread that judges sees only the buffers it was given.
_BUFFERS: ContextVar[Optional[Mapping[str, bytes]]] = ContextVar(
    "clarify_vpc_lint_buffers", default=None
)


@contextmanager
def reading_buffers(buffers: Mapping[str, bytes]) -> Iterator[None]:
    """Within it, ``read_regular_file`` returns ``buffers[realpath]`` for a file that has one."""
    token = _BUFFERS.set(buffers)
    try:
        yield
    finally:
        _BUFFERS.reset(token)


def buffer_of(path: str) -> Optional[bytes]:
    """The unsaved buffer that stands for ``path`` (see ``reading_buffers``), if any."""
    buffers = _BUFFERS.get()
    return buffers.get(os.path.realpath(path)) if buffers else None


def buffered_text(path: str) -> Optional[str]:
    """The text of the unsaved buffer that stands for ``path``, if any: what the readers that
    open a file's text themselves (comments, regions, fixes) read in place of the file."""
    buffered = buffer_of(path)
    return None if buffered is None else buffered.decode("utf-8", errors="replace")


def text_read_again(path: str, max_bytes: int) -> Optional[str]:
    """The text of a file read already, read again for its comments, regions or names (the
    editor's buffer where one stands for it); None where it is no longer a regular file of at
    most ``max_bytes``: a FIFO swapped in meanwhile is refused, never waited on."""
    buffered = buffered_text(path)
    if buffered is not None:
        return buffered
    try:
        return read_regular_file(path, max_bytes).decode("utf-8-sig", errors="replace")
    except ParseError:
        return None


def read_regular_file(path: str, max_bytes: int, max_plan_bytes: int = 0) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``; anything else is a ParseError.

    A file that begins as a Terraform plan does may have up to ``max_plan_bytes``. The file is
    opened without blocking and checked on the open descriptor, so a FIFO, a device such as
    /dev/zero or a file swapped in meanwhile is refused instead of hanging or filling memory;
    the read itself stops one byte past the limit. A file with an editor's buffer
    (``reading_buffers``) is read from the buffer, under the same limits.
    """
    buffered = buffer_of(path)
    if buffered is not None:
        if len(buffered) > max(max_bytes, max_plan_bytes if _PLAN_START.match(buffered) else 0):
            raise ParseError(f"larger than {max_bytes // 2**20} MiB; not read")
        return buffered
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        raise ParseError(f"cannot read: {error.strerror or error}") from None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            kind = "a directory" if stat.S_ISDIR(status.st_mode) else "not a regular file"
            raise ParseError(f"{kind}; not read")
        if status.st_size > max_bytes and _PLAN_START.match(os.pread(descriptor, 64, 0)):
            max_bytes = max(max_bytes, max_plan_bytes)
        if status.st_size > max_bytes:
            raise ParseError(f"larger than {max_bytes // 2**20} MiB; not read")
        chunks: List[bytes] = []
        remaining = max_bytes + 1
        # a file that keeps its size is one read, nothing to join: a 13 MiB plan's copy and
        # its fresh pages cost 10-15 ms in 1 MiB chunks
        size = max(status.st_size + 1, 1 << 20)
        while remaining > 0:
            chunk = os.read(descriptor, min(remaining, size))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        if remaining <= 0:
            raise ParseError(f"larger than {max_bytes // 2**20} MiB; not read")
        return b"".join(chunks)
    except OSError as error:
        raise ParseError(f"cannot read: {error.strerror or error}") from None
    finally:
        os.close(descriptor)


def decode_text(raw: bytes) -> str:
    """UTF-8 text (a BOM is dropped); a binary or undecodable file is a ParseError with its line."""
    if b"\0" in raw[:8192]:
        raise ParseError("binary file, not YAML or JSON")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ParseError("not UTF-8 text", raw[: error.start].count(b"\n") + 1) from None


# Documents a long-lived host (the language server) keeps between runs, by path and text: the
# previous run's and this run's. A file whose text did not change is not parsed again; only what
# this run parsed or reused is kept for the next. Readers never change a document's data.
_KEPT: ContextVar[
    Optional[Tuple[Mapping[Tuple[str, str], Document], Dict[Tuple[str, str], Document]]]
] = ContextVar("clarify_vpc_lint_kept", default=None)


@contextmanager
def keeping_documents(
    previous: Mapping[Tuple[str, str], Document],
) -> Iterator[Dict[Tuple[str, str], Document]]:
    """Within it, ``parse_text`` reuses ``previous``'s documents; it yields those of this run."""
    kept: Dict[Tuple[str, str], Document] = {}
    token = _KEPT.set((previous, kept))
    try:
        yield kept
    finally:
        _KEPT.reset(token)


def parse_text(path: str, text: str) -> Document:
    """Parse by content: JSON when it looks like JSON (``.json`` or a leading brace), else YAML."""
    keeping = _KEPT.get()
    if keeping is None:
        return _parse_text(path, text)
    previous, kept = keeping
    key = (path, text)
    document = kept.get(key) or previous.get(key) or _parse_text(path, text)
    kept[key] = document
    return document


def _parse_text(path: str, text: str) -> Document:
    stripped = text.lstrip()
    if path.endswith(".json") or stripped.startswith(("{", "[")):
        try:
            return Document(path, text, parse_json(text), is_json=True)
        except ParseError:
            if path.endswith(".json"):
                raise
    # a YAML document keeps its positions in its data: its text is not needed
    return Document(path, "", parse_yaml(text), is_json=False)
