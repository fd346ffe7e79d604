"""Module directories (their blocks) and module instances (scopes), with references as values.

A ``Scope`` is one module instance: it evaluates its variables, locals, outputs, resource
attributes and child modules on demand, through the ``Evaluator``, and memoises them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

from msgspec import Struct, field

from .... import keys
from ....values import Handle, Unknown
from . import hcl
from .functions import FUNCTIONS, EvalError, has_unknown, to_string
from .iam import normalize_policies

if TYPE_CHECKING:
    from .evaluate import Evaluator

META_ARGUMENTS = {"count", "for_each", "provider", "depends_on", "lifecycle"}
_MAX_MODULE_DEPTH = 16
_MAX_INSTANCES = 10_000  # of one resource or module block (count, for_each): more is unknown
_MAX_MODULE_INSTANCES = 1_000  # module instances in a root, all depths (count x nesting)
_VPC_PARTS = {
    "main_route_table_id": keys.main_route_table,
    "default_security_group_id": keys.default_security_group,
}
# Attributes known only after apply whose every part names the resource itself, as a plan's
# configuration references do: an endpoint's DNS entries (a Route 53 alias to the endpoint).
_NAMES_ITSELF = {("aws_vpc_endpoint", "dns_entry")}


class Instance(Struct):
    """One resource instance, as a plan's ``planned_values`` lists it."""

    address: str  # module.net.aws_subnet.private[0]
    mode: str  # "managed" or "data"
    type: str
    name: str
    index: Any  # None, the count index (int) or the for_each key (str)
    module: str  # "module.net" with instance keys; "" in the root module
    values: Dict[str, Any]  # plain JSON; leaves may be Unknown or Handle; blocks are lists of dicts
    file: str
    line: int
    # the region it is created in (its own ``region``, its provider's), None where none is written
    region: Any = None


class Skipped(Struct):
    """Something written that produced no instances: a remote module, an unknown count."""

    address: str
    reason: str
    file: str
    line: int
    # "expansion": its count/for_each is unknown; "source": a module whose folder is not read
    cause: str = "expansion"


class Configuration(Struct):
    """What a root module's configuration gives: its resource instances and what it could not read."""

    instances: List[Instance] = field(default_factory=list)
    skipped: List[Skipped] = field(default_factory=list)
    # the resources skipped for an unknown count/for_each, evaluated as one instance that may
    # exist (count.index and each.* unknown): what they would add to others is conditional
    possible: List[Instance] = field(default_factory=list)
    undeclared: List[str] = field(default_factory=list)  # --var names the root does not declare
    # input errors that left the rest readable: (file, line or None, what is wrong)
    errors: List[Tuple[str, Optional[int], str]] = field(default_factory=list)
    # what is not read though no input is wrong (a local module folder missing): same form
    notes: List[Tuple[str, Optional[int], str]] = field(default_factory=list)


# -- configuration of one module directory ----------------------------------------------------------------


class ModuleConfig(Struct):
    """One module directory's blocks, by kind and name."""

    directory: Path
    variables: Dict[str, hcl.Block] = field(default_factory=dict)
    locals: Dict[str, Tuple[Any, hcl.Block]] = field(default_factory=dict)
    outputs: Dict[str, hcl.Block] = field(default_factory=dict)
    resources: Dict[Tuple[str, str, str], hcl.Block] = field(default_factory=dict)
    calls: Dict[str, hcl.Block] = field(default_factory=dict)
    providers: List[hcl.Block] = field(default_factory=list)
    errors: List[hcl.FileError] = field(default_factory=list)  # files not read; the rest is
    backends: List[hcl.Block] = field(default_factory=list)  # terraform { backend "s3" {...} }


def inside(path: Path, directory: Path) -> bool:
    """Does ``path``, symlinks resolved, lie in ``directory`` (itself resolved)?"""
    try:
        return Path(os.path.realpath(path)).is_relative_to(directory)
    except (OSError, ValueError):
        return False


def _config_files(directory: Path) -> List[Path]:
    return sorted(
        path
        for path in directory.iterdir()
        if path.name.endswith((".tf", ".tf.json")) and not path.is_dir()
    )


def _is_override(path: Path) -> bool:
    stem = path.name[: -len(".tf.json")] if path.name.endswith(".tf.json") else path.stem
    return stem == "override" or stem.endswith("_override")


def load_module(directory: Path) -> ModuleConfig:
    """A module directory's blocks. A file that cannot be read is one error in ``errors``; the
    other files are still read. A symlink leading out of the directory is never followed."""
    module = ModuleConfig(directory)
    files = _config_files(directory)
    for path in [p for p in files if not _is_override(p)]:
        for block in _blocks(module, path):
            _add_block(module, block)
    for path in [p for p in files if _is_override(p)]:  # Terraform merges these in, last
        for block in _blocks(module, path):
            _override_block(module, block)
    return module


def _blocks(module: ModuleConfig, path: Path) -> List[hcl.Block]:
    if not inside(path, module.directory.resolve()):
        what = "a symbolic link to a file outside its folder; not read"
        module.errors.append(hcl.FileError(str(path), what))
        return []
    try:
        return hcl.read_file(path).blocks
    except hcl.FileError as error:
        module.errors.append(error)
        return []


def _override_block(module: ModuleConfig, block: hcl.Block) -> None:
    """An override file's block replaces the arguments and nested block types it sets."""
    labels = block.labels
    existing: Optional[hcl.Block] = None
    if block.type in ("resource", "data") and len(labels) == 2:
        mode = "managed" if block.type == "resource" else "data"
        existing = module.resources.get((mode, labels[0], labels[1]))
    elif block.type == "variable" and labels:
        existing = module.variables.get(labels[0])
    elif block.type == "output" and labels:
        existing = module.outputs.get(labels[0])
    elif block.type == "module" and labels:
        existing = module.calls.get(labels[0])
    if existing is None:
        _add_block(module, block)
        return
    existing.body.attributes.update(block.body.attributes)
    replaced = {inner.type for inner in block.body.blocks}
    existing.body.blocks = [
        inner for inner in existing.body.blocks if inner.type not in replaced
    ] + block.body.blocks


def _add_block(module: ModuleConfig, block: hcl.Block) -> None:
    labels = block.labels
    if block.type == "variable" and labels:
        module.variables[_unique(module.variables, labels[0], block)] = block
    elif block.type == "locals":
        for name, expression in block.body.attributes.items():
            if name in module.locals:
                _duplicate(f"local value {name!r}", module.locals[name][1], block)
            module.locals[name] = (expression, block)
    elif block.type == "output" and labels:
        module.outputs[_unique(module.outputs, labels[0], block)] = block
    elif block.type in ("resource", "data") and len(labels) == 2:
        mode = "managed" if block.type == "resource" else "data"
        module.resources[_unique(module.resources, (mode, labels[0], labels[1]), block)] = block
    elif block.type == "module" and labels:
        module.calls[_unique(module.calls, labels[0], block)] = block
    elif block.type == "provider":
        module.providers.append(block)
    elif block.type == "terraform":
        module.backends += [inner for inner in block.body.blocks if inner.type == "backend"]


def _unique(declared: Dict[Any, hcl.Block], key: Any, block: hcl.Block) -> Any:
    """``key``, once: Terraform refuses a module that declares one name twice (outside override
    files), so the linter never picks one of the two silently."""
    if key in declared:
        _duplicate(
            f"{block.type} {' '.join(json.dumps(label) for label in block.labels)}",
            declared[key],
            block,
        )
    return key


def _duplicate(what: str, first: hcl.Block, again: hcl.Block) -> None:
    name = os.path.basename(first.file)  # both files are in one module directory
    where = f"{name}:{first.line}" if first.line else name
    raise hcl.FileError(
        again.file, f"duplicate {what}: already declared in {where}", again.line or None
    )


# -- references -------------------------------------------------------------------------------------------


class ResourceRef(Struct, frozen=True):
    """A resource instance as a value: attributes read from its configuration or known at apply."""

    scope: Scope
    key: Tuple[str, str, str]
    index: Any

    @property
    def address(self) -> str:
        return self.scope.address_of(self.key, self.index)


class ItsOwn(Struct, frozen=True):
    """A value known only after apply that names its resource however it is read
    (``dns_entry[0].dns_name``): it lands in an instance as the resource's Handle."""

    ref: ResourceRef


class ModuleRef(Struct, frozen=True):
    """A module call as a value: its outputs are read by attribute."""

    scope: Scope


class Namespace(Struct, frozen=True):
    """``var``, ``local``, ``data``, ``module``, a resource type, ``data.TYPE``: read by attribute."""

    kind: str
    scope: Scope
    prefix: str = ""


class Context(Struct):
    """Where an expression is evaluated: its module instance and the iterators in scope."""

    scope: Scope
    names: Dict[str, Any]  # count, each, for-expression and dynamic-block iterators
    where: str  # for messages: "aws_subnet.a (main.tf:12)"


class Scope:
    """One module instance."""

    def __init__(
        self, evaluator: Evaluator, module: ModuleConfig, address: str, parent, call
    ) -> None:
        self.evaluator = evaluator
        self.module = module
        self.address = address  # "" or "module.net[\"a\"]"
        self.parent: Optional[Scope] = parent
        self.call: Optional[Tuple[hcl.Block, Dict[str, Any]]] = call  # block and its names
        self.values: Dict[Tuple[Any, ...], Any] = {}
        self.busy: set = set()
        self.depth: int = parent.depth + 1 if parent is not None else 0
        # the call names from the root, as `terraform init` keys modules.json: "net.subnets"
        self.call_key = ".".join(
            part
            for part in (parent.call_key if parent else "", call[0].labels[0] if call else "")
            if part
        )

    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other

    def address_of(self, key: Tuple[str, str, str], index: Any) -> str:
        mode, kind, name = key
        local = f"{'data.' if mode == 'data' else ''}{kind}.{name}{_index_text(index)}"
        return f"{self.address}.{local}" if self.address else local

    def context(self, names: Dict[str, Any], where: str) -> Context:
        return Context(self, names, where)

    def memo(self, key: Tuple[Any, ...], compute) -> Any:
        if key in self.values:
            return self.values[key]
        if key in self.busy:
            what = " ".join(str(part) for part in key[1:] if part is not None)
            return Unknown(f"{what} refers to itself")
        self.busy.add(key)
        try:
            value = compute()
        finally:
            self.busy.discard(key)
        self.values[key] = value
        return value

    # variables, locals, outputs

    def variable(self, name: str) -> Any:
        return self.memo(("var", name), lambda: self._variable(name))

    def _variable(self, name: str) -> Any:
        block = self.module.variables.get(name)
        if block is None:
            raise EvalError(f"no variable {name} is declared")
        kind = _type_name(block.body.attributes.get("type"))
        if self.parent is None:
            given = self.evaluator.root_value(name, kind)
            if given is not MISSING:
                return _convert(given, kind)
        elif self.call is not None and name in self.call[0].body.attributes:
            call_block, names = self.call
            context = self.parent.context(names, f"module.{call_block.labels[0]}")
            return _convert(self.evaluator.eval(call_block.body.attributes[name], context), kind)
        if "default" in block.body.attributes:
            context = self.context({}, f"variable {name}")
            return _convert(self.evaluator.eval(block.body.attributes["default"], context), kind)
        if self.parent is None:
            return Unknown(
                f"variable {name} has no default; pass --var {name}=... or --var-file FILE"
            )
        return Unknown(f"{self.address}: variable {name} is not set by the module call")

    def local(self, name: str) -> Any:
        return self.memo(("local", name), lambda: self._local(name))

    def _local(self, name: str) -> Any:
        found = self.module.locals.get(name)
        if found is None:
            raise EvalError(f"no local value {name}")
        return self.evaluator.eval(found[0], self.context({}, f"local.{name}"))

    def output(self, name: str) -> Any:
        return self.memo(("output", name), lambda: self._output(name))

    def _output(self, name: str) -> Any:
        block = self.module.outputs.get(name)
        if block is None or "value" not in block.body.attributes:
            raise EvalError(f"{self.address} has no output {name}")
        return self.evaluator.eval(block.body.attributes["value"], self.context({}, name))

    # resources and module calls

    def expansion(self, key: Tuple[Any, ...], block: hcl.Block) -> Any:
        """None (one instance), a list of count indices, a dict for_each key -> value, or Unknown."""
        return self.memo(("expand", *key), lambda: self._expansion(block))

    def _expansion(self, block: hcl.Block) -> Any:
        attributes = block.body.attributes
        where = self.evaluator.where(block)
        if "count" in attributes:
            count = self.evaluator.eval(attributes["count"], self.context({}, where))
            if isinstance(count, Unknown):
                return count
            if isinstance(count, bool) or not isinstance(count, (int, float)):
                return Unknown(f"count is not a number ({str(count)[:80]!r})")
            if not 0 <= count <= _MAX_INSTANCES or count != int(count):
                return Unknown(
                    f"{where}: count = {count} is not a whole number from 0 to {_MAX_INSTANCES:,}"
                )
            return list(range(int(count)))
        if "for_each" in attributes:
            items = self.evaluator.eval(attributes["for_each"], self.context({}, where))
            unknown = has_unknown(items) if not isinstance(items, dict) else None
            if isinstance(items, Unknown) or unknown is not None:
                return items if isinstance(items, Unknown) else unknown
            if isinstance(items, (dict, list)) and len(items) > _MAX_INSTANCES:
                return Unknown(f"{where}: for_each over more than {_MAX_INSTANCES:,} items")
            if isinstance(items, dict):
                return {str(k): v for k, v in items.items()}
            if isinstance(items, list) and all(isinstance(i, str) for i in items):
                return {item: item for item in items}
            if has_reference(items):
                return Unknown(f"{where}: for_each depends on values known only after apply")
            return Unknown(f"{where}: for_each is neither a map nor a set of strings")
        return None

    def resource_value(self, key: Tuple[str, str, str]) -> Any:
        block = self.module.resources.get(key)
        if block is None:
            raise EvalError(f"{self.address_of(key, None)} is not declared")
        expansion = self.expansion(key, block)
        if isinstance(expansion, Unknown):
            return expansion
        if expansion is None:
            return ResourceRef(self, key, None)
        if isinstance(expansion, list):
            return [ResourceRef(self, key, index) for index in expansion]
        return {k: ResourceRef(self, key, k) for k in expansion}

    @staticmethod
    def instance_names(index: Any, expansion: Any) -> Dict[str, Any]:
        if isinstance(expansion, list):
            return {"count": {"index": index}}
        if isinstance(expansion, dict):
            return {"each": {"key": index, "value": expansion[index]}}
        if isinstance(expansion, Unknown):  # a possible instance: which one is not known
            return {"count": {"index": expansion}, "each": {"key": expansion, "value": expansion}}
        return {}

    def attribute(self, ref: ResourceRef, name: str) -> Any:
        block = self.module.resources[ref.key]
        if ref.key[0] == "data":
            return self.evaluator.data_attribute(self, ref, block, name)
        if name in block.body.attributes and name not in META_ARGUMENTS:
            return self.memo(
                ("attr", ref.key, ref.index, name), lambda: self._attribute(ref, block, name)
            )
        if any(b.type == name for b in block.body.blocks):
            values = self.instance_values(ref)
            return values if isinstance(values, Unknown) else values[name]  # Unknown: a cycle
        if name == "id" or name == "arn" or name.endswith("_id"):
            key = self.evaluator.key_prefix + ref.address
            if name in _VPC_PARTS:  # a VPC's main route table, its default security group
                return _VPC_PARTS[name](key)
            return Handle(key)
        if ref.key[0] == "managed" and (ref.key[1], name) in _NAMES_ITSELF:
            return ItsOwn(ref)
        return Unknown(f"{ref.address}.{name} is known only after apply")

    def _attribute(self, ref: ResourceRef, block: hcl.Block, name: str) -> Any:
        expansion = self.expansion(ref.key, block)
        names = self.instance_names(ref.index, expansion)
        context = self.context(names, f"{ref.address} ({self.evaluator.where(block)})")
        return self.evaluator.eval(block.body.attributes[name], context)

    def instance_values(self, ref: ResourceRef) -> Dict[str, Any]:
        return self.memo(("values", ref.key, ref.index), lambda: self._instance_values(ref))

    def _instance_values(self, ref: ResourceRef) -> Dict[str, Any]:
        block = self.module.resources[ref.key]
        where = ref.address
        values = {
            name: self.evaluator.settle(self.attribute(ref, name), where)
            for name in block.body.attributes
            if name not in META_ARGUMENTS
        }
        expansion = self.expansion(ref.key, block)
        names = self.instance_names(ref.index, expansion)
        context = self.context(names, f"{ref.address} ({self.evaluator.where(block)})")
        values.update(self.evaluator.blocks(block.body, context))
        if ref.key[0] == "managed":
            normalize_policies(ref.key[1], values)
        return values

    def child(self, name: str) -> Any:
        """``module.NAME``: its instance, a list or map of instances, or Unknown."""
        block = self.module.calls.get(name)
        if block is None:
            raise EvalError(f"no module {name} is declared")
        source = self.evaluator.module_source(self, block)
        if isinstance(source, Unknown):
            return source
        cycle = self._cycle(source)
        if cycle is not None:
            what = f"module {name}: a module cycle ({cycle}); not expanded"
            self.evaluator.problem(block.file, block.line, what)
            return Unknown(what)
        if self.depth >= _MAX_MODULE_DEPTH:
            return Unknown(f"module {name}: modules nest more than {_MAX_MODULE_DEPTH} deep")
        expansion = self.expansion(("module", name), block)
        if isinstance(expansion, Unknown):
            return expansion
        if ("child", name) not in self.values:  # count each call's instances once
            self.values[("child", name)] = True
            self.evaluator.module_instances += 1 if expansion is None else len(expansion)
        if self.evaluator.module_instances > _MAX_MODULE_INSTANCES:
            what = (
                f"module {name}: more than {_MAX_MODULE_INSTANCES:,} module instances in all "
                "(count or for_each at several depths); not expanded"
            )
            self.evaluator.problem(block.file, block.line, what)
            return Unknown(what)
        if expansion is None:
            return ModuleRef(self.child_scope(name, block, source, None, {}))
        if isinstance(expansion, list):
            return [
                ModuleRef(self.child_scope(name, block, source, i, {"count": {"index": i}}))
                for i in expansion
            ]
        return {
            k: ModuleRef(self.child_scope(name, block, source, k, {"each": {"key": k, "value": v}}))
            for k, v in expansion.items()
        }

    def _cycle(self, source: Path) -> Optional[str]:
        """The cycle a call of ``source`` closes, as the module folders in call order, or None."""
        chain: List[Path] = []
        scope: Optional[Scope] = self
        while scope is not None:
            chain.append(scope.module.directory.resolve())
            if chain[-1] == source:
                names = [self.evaluator.folder_name(d) for d in reversed(chain)]
                return " -> ".join([*names, names[0]])
            scope = scope.parent
        return None

    def child_scope(self, name: str, block, source: Path, index: Any, names) -> Scope:
        def make() -> Scope:
            address = f"{self.address + '.' if self.address else ''}module.{name}"
            address += _index_text(index)
            module = self.evaluator.module_at(source)
            return Scope(self.evaluator, module, address, self, (block, names))

        return self.memo(("child", name, index), make)


MISSING = object()


def _index_text(index: Any) -> str:
    if index is None:
        return ""
    if isinstance(index, int):
        return f"[{index}]"
    return f"[{json.dumps(index)}]"


def _type_name(expression: Any) -> str:
    """The variable's declared type, roughly: "string", "number", "bool", "any" where no type
    is declared, or "" (a complex type)."""
    if expression is None:
        return "any"
    if isinstance(expression, hcl.JsonExpr):
        text = expression.value
        return text if text in ("string", "number", "bool") else ""
    if expression.kind == "variable":
        return expression.text if expression.text in ("string", "number", "bool") else ""
    return ""


def _convert(value: Any, kind: str) -> Any:
    if isinstance(value, Unknown) or value is None:
        return value
    try:
        if kind == "string" and isinstance(value, (bool, int, float)):
            return to_string(value)
        if kind == "number" and isinstance(value, str):
            return FUNCTIONS["tonumber"](value)
        if kind == "bool" and isinstance(value, str) and value in ("true", "false"):
            return value == "true"
    except EvalError:
        return value
    return value


def plain(value: Any, key_prefix: str) -> Any:
    """A value as it lands in an instance: references become Handles, namespaces Unknown."""
    if isinstance(value, ResourceRef):
        return Handle(key_prefix + value.address)
    if isinstance(value, ItsOwn):
        return Handle(key_prefix + value.ref.address)
    if isinstance(value, Unknown) and value.encodes is not None:  # jsonencode() of references
        return Unknown(value.reason, value.text, plain(value.encodes, key_prefix))
    if isinstance(value, (ModuleRef, Namespace)):
        return Unknown("a whole module or namespace is not a value")
    if isinstance(value, list):
        return [plain(item, key_prefix) for item in value]
    if isinstance(value, dict):
        return {k: plain(v, key_prefix) for k, v in value.items()}
    return value


def has_reference(value: Any) -> bool:
    if isinstance(value, (Handle, ResourceRef, ModuleRef, ItsOwn)):
        return True
    if isinstance(value, list):
        return any(has_reference(item) for item in value)
    if isinstance(value, dict):
        return any(has_reference(item) for item in value.values())
    return False
