"""Terraform plans (``terraform show -json PLAN``): the index of planned resources and references.

``planned_values`` says what will exist (resources being deleted are not in it). A value unknown
until apply (the ID of a subnet created in the same plan) is taken from ``configuration``: its
references name the resources, followed through module outputs and variables, and a reference
indexed by ``count.index``/``each.key`` picks the instance with the same index. A reference is
scoped to its plan: ``keys.tf_resource(plan path, address)``.

Following references is linear in the size of the configuration: each (reference, module, index)
is resolved once per plan, a reference met again while it is being resolved (a cycle of module
outputs and variables, which Terraform refuses but a plan file may hold) is unknown naming it, and
a chain longer than MAX_REFERENCE_DEPTH is unknown.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Dict, Generic, List, Optional, Set, Tuple, TypeVar

from msgspec import Struct

from ... import keys, tfaddress
from ...documents import Document, ParseError
from ...model import Location, lazy_location
from ...values import Handle, Unknown, dig

SUPPORTED_FORMATS = ("0.", "1.")
# Real module trees nest a few levels; the bound keeps hostile chains off Python's recursion limit.
MAX_REFERENCE_DEPTH = 50
# what a reference names where it is not a resource (_resolve)
_NOT_RESOURCES = ("var.", "module.", "count.", "each.", "path.", "terraform.", "self.", "local.")
_RESOURCE_REF = re.compile(r"^((?:data\.)?[a-zA-Z0-9_-]+\.[a-zA-Z0-9_-]+)(\[[^\]]*\])?")
# ``TYPE.NAME`` or ``data.TYPE.NAME``: an address without module or index (fullmatch)
_ROOT_ADDRESS = re.compile(r"data\.[^.]+\.[^.]+|(?!data\.)[^.]+\.[^.]+")


_T = TypeVar("_T")


class _once(Generic[_T]):
    """``functools.cached_property`` without the lock Python 3.11 takes on each first read: a
    plan's 10,000 resources are read by one thread, and the lock was a tenth of the model's time."""

    def __init__(self, compute: Callable[[Any], _T]) -> None:
        self.compute, self.name = compute, compute.__name__

    def __get__(self, instance: Any, owner: Any = None) -> _T:
        if instance is None:  # read on the class (help(), introspection)
            return self  # type: ignore[return-value]
        value = self.compute(instance)
        setattr(instance, self.name, value)  # in its dict (dict=True): shadows this descriptor
        return value


def is_plan(data: Any) -> bool:
    """``terraform show -json`` output; trimmed test plans (checkov's) may lack format_version."""
    return (
        isinstance(data, dict)
        and isinstance(data.get("planned_values"), dict)
        and any(key in data for key in ("format_version", "configuration", "resource_changes"))
    )


class PlannedResource(Struct, dict=True):
    """One planned resource instance with what the plan and its configuration say of it.

    It offers the interface the per-resource handlers of ``terraform.py`` read (``TfResource``).
    """

    address: str
    type: str
    mode: str
    index: Any
    values: Dict[str, Any]
    config: Dict[str, Any]  # the configuration's expressions of this resource
    module: str  # "module.net" (with instance keys), "" for the root module
    path: Tuple[Any, ...]  # where it is written in the plan file
    plan: Plan = None  # type: ignore[assignment]

    def value(self, *path: Any) -> Any:
        """A planned value; where unknown until apply, the resources its expression references.

        None where neither the plan nor the configuration sets it (the caller's default applies).
        """
        # one attribute (most reads) needs no dig
        known = self.values.get(path[0]) if len(path) == 1 else dig(self.values, *path)
        config = self.config
        # most reads: known, or not in the configuration (what Plan._expression finds first,
        # asked here without a call: 44,000 reads a plan); "references": one whole expression
        if (
            known is not None
            and known != []
            or path[0] not in config
            and "references" not in config
        ):
            return known
        return self.plan.written(self, path, known)

    def configured(self, *path: Any) -> bool:
        """Does the configuration set this attribute (even where its value is known only later)?"""
        config = self.config
        if path[0] not in config and "references" not in config:  # as value(): most are not
            return False
        return Plan._expression(config, path) is not None

    @_once  # asked by every reference to the resource
    def handle(self) -> Handle:
        return Handle(keys.tf_resource(self.plan.document.path, self.address))

    @_once
    def location(self) -> Location:
        """Found in the text only when a finding reads it (see ``LazyLocation``)."""
        return lazy_location(self.plan.document.path, self.address, "terraform", self.position)

    def position(self) -> Tuple[int, int]:
        """Its line and column in the plan's text (a scan of the text: only when reported)."""
        return self.plan.document.locate(self.path)

    @property
    def document(self) -> Document:
        return self.plan.document

    @property  # read once, by the resource's handler: nothing to keep
    def region(self) -> Any:
        """The region the resource is created in: its own ``region`` argument (AWS provider v6),
        else its provider's ``region`` (an alias's for ``provider = aws.west``); None where the
        configuration names none (the provider takes it from the environment)."""
        own = self.values.get("region")
        if isinstance(own, str) and own:
            return own
        # no provider names one (most plans): asked here, not in a call per resource
        return self.plan.provider_region(self) if self.plan._regions else None

    def type_of(self, handle: Handle) -> str:
        """The type of the resource a handle names in the same plan, or ""."""
        address = keys.tf_address(self.plan.document.path, handle.key)
        resource = self.plan.resources.get(address) if address is not None else None
        return resource.type if resource is not None else ""


class Plan:
    def __init__(self, document: Document) -> None:
        self.document = document
        data = document.data
        version = str(data.get("format_version", "1.0"))
        if not version.startswith(SUPPORTED_FORMATS):
            raise ParseError(f"Terraform plan format_version {version} is not supported (0.x, 1.x)")
        self.variables = {
            name: value.get("value")
            for name, value in _dict(data.get("variables")).items()
            if isinstance(value, dict)
        }
        self.config_root = _dict(_dict(data.get("configuration")).get("root_module"))
        self._providers = _dict(_dict(data.get("configuration")).get("provider_config"))
        # provider configuration key -> its region where written; no key when none names one
        self._regions = {
            key: region
            for key, provider in self._providers.items()
            if (region := self._written_region(provider)) is not None
        }
        self._config_index: Dict[str, Dict[str, Dict[str, Any]]] = {}
        # module address -> local resource address -> its provider configuration's key
        self._provider_keys: Dict[str, Dict[str, Any]] = {}
        self._resolved: Dict[Tuple[str, str, Any], Any] = {}  # (reference, module, index) -> value
        self._resolving: Set[Tuple[str, str, Any]] = set()
        # (references, module, index) -> the handles they name (references)
        self._by_references: Dict[Tuple[Tuple[str, ...], str, Any], List[Handle]] = {}
        self.resources: Dict[str, PlannedResource] = {}
        self.instances: Dict[str, List[PlannedResource]] = {}  # address without index -> instances
        self._collect(
            _dict(data.get("planned_values")).get("root_module"), ("planned_values", "root_module")
        )
        prior = _dict(_dict(data.get("prior_state")).get("values")).get("root_module")
        self._collect(prior, ("prior_state", "values", "root_module"), data_only=True)

    # -- collection ------------------------------------------------------------------------------

    def _collect(self, module: Any, path: Tuple[Any, ...], data_only: bool = False) -> None:
        """Every resource of a module and its children, in one pass over the parsed JSON.

        A root-module address without index (most of them) is its type and name as listed, so
        only module and indexed addresses are parsed.
        """
        module = _dict(module)
        resources, instances = self.resources, self.instances
        root_config = self._config_of((), "")  # looked up once, not per resource
        for position, raw in enumerate(_list(module.get("resources"))):
            if not isinstance(raw, dict):
                continue
            address, mode = raw.get("address"), raw.get("mode")
            if not isinstance(address, str) or address in resources:
                continue
            if data_only and mode != "data":
                continue
            type_ = str(raw.get("type"))
            if "[" in address or address.startswith("module."):
                parsed = tfaddress.parse(address)
                if parsed is None:
                    continue
                module_path, local, base = parsed.module, parsed.local, parsed.without_index
                config = self._config_of(parsed.modules, module_path).get(local, {})
            elif _ROOT_ADDRESS.fullmatch(address):
                module_path, base = "", address
                config = root_config.get(address, {})
            else:
                continue
            values, index = raw.get("values"), raw.get("index")
            resource = PlannedResource(  # every field, in order
                address,
                type_,
                str(mode),
                # count.index (a number) or each.key (a string); anything else names no instance
                index if isinstance(index, (int, str)) else None,
                values if isinstance(values, dict) else {},
                config,
                module_path,
                path + ("resources", position, "address"),
                self,
            )
            resources[address] = resource
            instances.setdefault(base, []).append(resource)
        for position, child in enumerate(_list(module.get("child_modules"))):
            self._collect(child, path + ("child_modules", position), data_only)

    def _config_module(self, module_address: str) -> Dict[str, Any]:
        module = self.config_root
        for name, _ in _modules(module_address):
            module = _dict(_dict(_dict(module.get("module_calls")).get(name)).get("module"))
        return module

    def _config_of(
        self, modules: Tuple[Tuple[str, str], ...], module_address: str
    ) -> Dict[str, Dict[str, Any]]:
        """The expressions of a module's resources by local address (its instances share them)."""
        key = ".".join(f"module.{name}" for name, _ in modules)
        if key not in self._config_index:
            self._config_index[key] = {
                resource.get("address"): _dict(resource.get("expressions"))
                for resource in _list(self._config_module(module_address).get("resources"))
                if isinstance(resource, dict) and isinstance(resource.get("address"), str)
            }
        return self._config_index[key]

    def provider_region(self, resource: PlannedResource) -> Any:
        """The ``region`` of the provider configuration that creates ``resource`` (asked by
        ``PlannedResource.region`` only where some provider names one)."""
        parsed = tfaddress.parse(resource.address)
        key = None
        if parsed is not None:
            if parsed.module not in self._provider_keys:  # once per module: plans hold thousands
                self._provider_keys[parsed.module] = {
                    r.get("address"): r.get("provider_config_key")
                    for r in _list(self._config_module(parsed.module).get("resources"))
                    if isinstance(r, dict) and isinstance(r.get("address"), str)
                }
            key = self._provider_keys[parsed.module].get(parsed.local)
        return self._regions.get(key) if isinstance(key, str) else None

    def _written_region(self, provider: Any) -> Any:
        """A provider configuration's ``region``: a constant, or a root variable's value."""
        expression = _dict(_dict(_dict(provider).get("expressions")).get("region"))
        if "constant_value" in expression:
            return expression["constant_value"]
        references = _list(expression.get("references"))
        if len(references) == 1 and str(references[0]).startswith("var."):
            value = self.variables.get(str(references[0])[4:])
            return value if isinstance(value, str) else None
        return None  # written another way: the run's region (--region) stands

    # -- values ------------------------------------------------------------------------------------

    def written(self, resource: PlannedResource, path: Tuple[Any, ...], known: Any) -> Any:
        """``PlannedResource.value`` where the plan does not know it (``known``, None or []):
        the resources its expression references (or its constant); ``known`` where the
        configuration does not write it (the caller's default applies)."""
        expression = self._expression(resource.config, path)
        if expression is None:
            return known
        if "constant_value" in expression:
            return expression["constant_value"]
        return self.references(_strings(expression.get("references")), resource)

    @staticmethod
    def _expression(config: Any, path: Tuple[Any, ...]) -> Optional[Dict[str, Any]]:
        node = config
        for key in path:
            if isinstance(node, dict):  # most levels: asked first
                if "references" in node:
                    return node  # blocks written as one expression: its references serve them all
                node = node.get(key)
            elif isinstance(node, list):
                node = node[key] if isinstance(key, int) and key < len(node) else None
            else:
                return None
            if node is None:
                return None
        if isinstance(node, list):  # a block: the first one
            node = node[0] if node else None
        return (
            node
            if isinstance(node, dict) and ("references" in node or "constant_value" in node)
            else None
        )

    def references(self, references: List[str], origin: PlannedResource) -> Any:
        """The resources a configuration expression refers to, as Handles (or Unknown).

        Resolved once per (references, module, instance index where correlated): a plan's
        subnets, groups and tables name the same VPC with the same reference list.
        """
        correlate = "count.index" in references or "each.key" in references
        key = (tuple(references), origin.module, origin.index if correlate else None)
        cached = self._by_references.get(key)
        if cached is not None:
            return list(cached)  # the caller's own list
        found = self._references(references, origin, correlate)
        if isinstance(found, list):  # an Unknown names its origin: not shared
            self._by_references[key] = found
            return list(found)
        return found

    def _references(self, references: List[str], origin: PlannedResource, correlate: bool) -> Any:
        # Terraform lists every prefix of a traversal ("aws_subnet.a[0].id", "aws_subnet.a[0]",
        # "aws_subnet.a"): where an indexed one is listed, the bare one adds nothing, and a
        # resource's attribute names what the resource does ("aws_vpc.v.id", "aws_vpc.v").
        # Only a reference with "[" can be indexed: most lists have none, so most are matched once
        # (one "in" over the joined list: cheaper than any() over a generator, 4,000 lists a plan).
        indexed = (
            {m[1] for m in map(_RESOURCE_REF.match, references) if m and m[2]}
            if "[" in "".join(references)
            else ()
        )
        # the handles in order, each once: by key, as each names a whole resource (a str keeps
        # its hash; a Handle's is computed in Python each time it is put in a dict)
        found: Dict[str, Handle] = {}
        named = set()  # the resources (with index) already resolved
        index = origin.index if correlate else None
        for reference in references:
            # a resource already named ("aws_vpc.v" after "aws_vpc.v.id") is matched by itself:
            # skipped before matching it, half the matches of a plan's reference lists
            if reference in indexed or reference in named:
                continue
            match = _RESOURCE_REF.match(reference)
            if match and not reference.startswith(_NOT_RESOURCES):
                if match[0] in named:
                    continue
                named.add(match[0])
                # a resource refers to nothing further: no cycle to catch, no chain to keep
                resolved = self._instances(match, origin.module, index)
            else:
                resolved = self._reference(reference, origin.module, index, 0)
            if resolved is None:
                continue
            if isinstance(resolved, Unknown):
                return resolved
            for handle in resolved:
                found.setdefault(handle.key, handle)
        handles = list(found.values())
        if not handles:
            return Unknown(
                f"{origin.address}: a value known only after apply, from {', '.join(references) or 'an expression'}"
            )
        return handles

    def _reference(self, reference: str, module: str, index: Any, depth: int) -> Any:
        """What one reference names, resolved once per plan (see the module's docstring)."""
        key = (reference, module, index)
        if key in self._resolved:
            return self._resolved[key]
        if key in self._resolving:
            where = f" in {module}" if module else ""
            return Unknown(f"{reference}{where} refers back to itself (a cycle)")
        if depth > MAX_REFERENCE_DEPTH:
            return Unknown(f"{reference}: references nest more than {MAX_REFERENCE_DEPTH} levels")
        self._resolving.add(key)
        try:
            resolved = self._resolve(reference, module, index, depth)
        finally:
            self._resolving.discard(key)
        self._resolved[key] = resolved
        return resolved

    def _resolve(self, reference: str, module: str, index: Any, depth: int) -> Any:
        if reference.startswith(_NOT_RESOURCES[2:]):
            return (
                None
                if not reference.startswith("local.")
                else Unknown(f"{reference} (locals are not in the plan)")
            )
        if reference.startswith("var."):
            return self._variable(reference[4:].split(".")[0].split("[")[0], module, depth)
        if reference.startswith("module."):
            return self._module_output(reference, module, depth)
        match = _RESOURCE_REF.match(reference)
        return self._instances(match, module, index) if match else None

    def _instances(self, match: re.Match, module: str, index: Any) -> Any:
        """The instances a resource reference (matched by _RESOURCE_REF) names, as Handles."""
        base, literal_index = f"{module}.{match[1]}" if module else match[1], match[2]
        instances = self.instances.get(base)
        if not instances:
            return Unknown(f"{base} is not in the plan (count = 0, or defined elsewhere)")
        if len(instances) == 1 and not literal_index:  # most: one instance, nothing to pick
            return [instances[0].handle]
        if literal_index and literal_index[1:-1] not in ("*", ""):
            instances = [
                r for r in instances if f"[{literal_index[1:-1]}]" in r.address[len(base) :]
            ]
        elif index is not None and len(instances) > 1:
            same = [r for r in instances if r.index == index]
            instances = same or instances
        return [r.handle for r in instances]

    def _variable(self, name: str, module: str, depth: int) -> Any:
        if not module:
            value = self.variables.get(name)
            return Unknown(f"variable {name} has no value in the plan") if value is None else []
        modules = _modules(module)
        parent = ".".join(f"module.{n}{i}" for n, i in modules[:-1])
        call_name = modules[-1][0] if modules else ""
        call_config = _dict(_dict(self._config_module(parent).get("module_calls")).get(call_name))
        expression = _dict(_dict(call_config.get("expressions")).get(name))
        references = _strings(expression.get("references"))
        results: List[Any] = []
        for reference in references:
            resolved = self._reference(reference, parent, None, depth + 1)
            if isinstance(resolved, Unknown):
                return resolved
            results.extend(resolved or [])
        return results

    def _module_output(self, reference: str, module: str, depth: int) -> Any:
        match = re.match(r"^module\.([^.\[]+)(\[[^\]]+\])?\.([^.\[]+)(?:\[(\d+)\])?", reference)
        if not match:
            return None  # "module.net" alone: the precise reference is listed beside it
        call, instance, output, position = match.groups()
        child = f"{module + '.' if module else ''}module.{call}{instance or ''}"
        outputs = _dict(
            _dict(
                _dict(_dict(self._config_module(module).get("module_calls")).get(call)).get(
                    "module"
                )
            ).get("outputs")
        )
        expression = _dict(_dict(outputs.get(output)).get("expression"))
        found: Dict[Any, None] = {}  # in order, each once
        for inner in _strings(expression.get("references")):
            resolved = self._reference(inner, child, None, depth + 1)
            if isinstance(resolved, Unknown):
                return resolved
            found.update(dict.fromkeys(resolved or []))
        results = list(found)
        if position is not None:
            return results[int(position) : int(position) + 1] or Unknown(
                f"{reference} is not known"
            )
        return results


def _strings(value: Any) -> List[str]:
    """A configuration's reference list (anything else in it is not a reference)."""
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _modules(module_address: str) -> Tuple[Tuple[str, str], ...]:
    """The (call name, index) steps of a module instance path."""
    parsed = tfaddress.parse(f"{module_address}.module_path.of") if module_address else None
    return parsed.modules if parsed is not None else ()


def _dict(value: Any) -> Dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> List[Any]:
    return value if isinstance(value, list) else []
