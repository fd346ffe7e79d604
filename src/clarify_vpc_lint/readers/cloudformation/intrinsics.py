"""Evaluate CloudFormation intrinsic functions as far as the inputs of the run allow.

Resolution happens across every template of the run: ``Fn::ImportValue`` finds the template that
exports the name, an SSM-typed parameter finds the ``AWS::SSM::Parameter`` that writes it. A
resource reference becomes a ``Handle``; what cannot be determined becomes ``Unknown`` with the
reason, never a guess.

Resolution is linear in the size of the inputs and bounded in memory, whatever they hold: every
node and every named reference is evaluated once per run (memoised), a reference that comes back
to itself is an unknown naming the cycle, a string longer than MAX_STRING or a list longer than
MAX_LIST is unknown, and the strings built by the whole run (Fn::Sub, Fn::Join, Fn::Split, list
parameters) total at most MAX_BUILT characters.
"""

from __future__ import annotations

import ipaddress
import itertools
import re
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

from msgspec import Struct, field

from ... import ec2
from ...awsfacts import partition_of, url_suffix
from ...documents import Document
from ...model import SubnetsImport
from ...values import Handle, Joined, Unknown
from ...values import shown as _shown
from . import conditions

NO_VALUE = object()  # AWS::NoValue: the property is removed
MAX_RESOLVE_DEPTH = 50
# CloudFormation takes templates of at most 1 MB, so no value it deploys is longer than this.
MAX_STRING = 1 << 20
# The lists a rule reads are short (a VPC config holds at most 16 subnets and 5 security groups);
# 1,000 items is far above any real one and keeps a hostile Fn::Split or default cheap.
MAX_LIST = 1000
# All strings built by resolution in one run: with the per-value bounds above this caps the
# memory resolution can take at a few hundred MB however the inputs multiply their strings.
MAX_BUILT = 32 << 20
AZS_PER_REGION = 6

# GetAtt attributes that name the resource itself rather than one of its properties.
_IDENTITY_ATTRIBUTES = {
    "GroupId",
    "Id",
    "Arn",
    "SubnetId",
    "VpcId",
    "RouteTableId",
    "ModelName",
    "EndpointName",
    "EndpointConfigName",
    "AllocationId",
    "NatGatewayId",
    "InternetGatewayId",
}
_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


class Template(Struct):
    """One CloudFormation template as the intrinsic functions read it."""

    path: str
    document: Document
    resources: Dict[str, dict]
    parameters: Dict[str, dict]
    mappings: Dict[str, Any]

    def key(self, logical_id: str) -> str:
        return f"cfn:{self.path}:{logical_id}"


class CfnRun(Struct):
    """What every template of the run can see: parameters, region, exports and SSM parameters."""

    region: str
    parameter_values: Dict[str, str]
    templates: List[Template] = field(default_factory=list)
    exports: Dict[str, Tuple[Template, Any, str]] = field(default_factory=dict)  # + output ID
    ssm_parameters: Dict[str, Tuple[Template, Any]] = field(default_factory=dict)
    # node or reference -> (what was resolved, kept alive so its id is not reused; the result)
    _done: Dict[Any, Tuple[Any, Any]] = field(default_factory=dict)
    _active: Dict[Any, str] = field(default_factory=dict)  # references being resolved
    _built: int = 0  # characters of strings built so far
    _exporters: Dict[str, List[str]] = field(default_factory=dict)  # name -> templates
    _ssm_writers: Dict[str, List[str]] = field(default_factory=dict)  # likewise
    imports: Set[Tuple[str, str]] = field(default_factory=set)  # (importing, exporting template)

    def add(self, template: Template) -> None:
        """Register a template's exports and SSM parameters (names resolved in its own context)."""
        self.templates.append(template)
        outputs = template.document.data.get("Outputs")
        for output_id, output in outputs.items() if isinstance(outputs, dict) else ():
            export = output.get("Export") if isinstance(output, dict) else None
            name = self.resolve(export.get("Name"), template) if isinstance(export, dict) else None
            if isinstance(name, str):
                self._exporters.setdefault(name, []).append(template.path)
                self.exports[name] = (template, output.get("Value"), str(output_id))
        for resource in template.resources.values():
            if isinstance(resource, dict) and resource.get("Type") == "AWS::SSM::Parameter":
                properties = resource.get("Properties")
                properties = properties if isinstance(properties, dict) else {}
                name = self.resolve(properties.get("Name"), template)
                if isinstance(name, str):
                    self._ssm_writers.setdefault(name, []).append(template.path)
                    self.ssm_parameters[name] = (template, properties.get("Value"))
        # what was resolved so far saw fewer exports and SSM parameters than the run will have
        self._done.clear()

    # -- evaluation ------------------------------------------------------------------------------

    def resolve(self, value: Any, template: Template, depth: int = 0) -> Any:
        if not isinstance(value, (dict, list)):
            return value
        key = (id(value), id(template))
        done = self._done.get(key)
        if done is not None:
            return done[1]
        result = self._resolve(value, template, depth)
        self._done[key] = (value, result)
        return result

    def _resolve(self, value: Any, template: Template, depth: int) -> Any:
        if depth > MAX_RESOLVE_DEPTH:
            return Unknown("references nest too deeply (a cycle between templates?)")
        if isinstance(value, dict):
            if len(value) == 1:
                ((name, argument),) = value.items()
                function = _FUNCTIONS.get(name)
                if function is not None:
                    return function(self, argument, template, depth + 1)
            resolved = {k: self.resolve(v, template, depth + 1) for k, v in value.items()}
            return {k: v for k, v in resolved.items() if v is not NO_VALUE}
        if isinstance(value, list):
            items = [self.resolve(v, template, depth + 1) for v in value]
            return [v for v in items if v is not NO_VALUE]
        return value

    def once(self, key: Tuple[Any, ...], label: str, compute: Callable[[], Any]) -> Any:
        """``compute()`` for the reference ``key``, evaluated once per run; a cycle is unknown."""
        done = self._done.get(key)
        if done is not None:
            return done[1]
        if key in self._active:
            return Unknown(f"a reference cycle: {_cycle(list(self._active.values()), label)}")
        self._active[key] = label
        try:
            result = compute()
        finally:
            del self._active[key]
        self._done[key] = (None, result)
        return result

    def build(self, length: int) -> Optional[Unknown]:
        """Account for a string of ``length`` characters about to be built; None when allowed."""
        if length > MAX_STRING:
            return Unknown(f"a value longer than {MAX_STRING} characters (not deployable)")
        if self._built + length > MAX_BUILT:
            return Unknown(
                f"the inputs build more than {MAX_BUILT} characters of strings; not evaluated"
            )
        self._built += length
        return None

    def split(self, text: str, separator: str) -> Any:
        """``text.split(separator)`` within the list and string budgets."""
        if text.count(separator) >= MAX_LIST:
            return Unknown(f"a list of more than {MAX_LIST} items (not a real one)")
        over_budget = self.build(len(text))
        return text.split(separator) if over_budget is None else over_budget

    def ref(self, name: Any, template: Template, depth: int) -> Any:
        if not isinstance(name, str):
            return Unknown(f"Ref to {_shown(name)}")
        pseudo = self._pseudo_parameter(name)
        if pseudo is not None:
            return pseudo
        if name in template.parameters:
            return self.once(
                ("parameter", id(template), name),
                name,
                lambda: self._parameter(name, template, depth),
            )
        if name in template.resources:
            return Handle(template.key(name))
        return Unknown(
            f"Ref to {name}, which is neither a parameter nor a resource of {template.path}"
        )

    def _pseudo_parameter(self, name: str) -> Any:
        if name in self.parameter_values and name.startswith("AWS::"):
            return self.parameter_values[name]
        return {
            "AWS::Region": self.region,
            "AWS::Partition": partition_of(self.region),
            "AWS::URLSuffix": url_suffix(self.region),
            "AWS::NoValue": NO_VALUE,
            "AWS::AccountId": Unknown(
                "the account ID; pass it with --parameters AWS::AccountId=ID", "${AWS::AccountId}"
            ),
            "AWS::StackName": Unknown(
                "the stack name; pass it with --parameters AWS::StackName=NAME", "${AWS::StackName}"
            ),
            "AWS::StackId": Unknown("the stack ID; pass it with --parameters AWS::StackId=ARN"),
            "AWS::NotificationARNs": Unknown("the stack's notification ARNs"),
        }.get(name)

    def _parameter(self, name: str, template: Template, depth: int) -> Any:
        declaration = template.parameters[name]
        declaration = declaration if isinstance(declaration, dict) else {}
        kind = str(declaration.get("Type", "String"))
        value = self.parameter_values.get(name, declaration.get("Default"))
        ssm = kind.startswith("AWS::SSM::Parameter::Value<")
        if value is None and ssm:  # its value is the name of the SSM parameter to read
            return Unknown(
                f"parameter {name} of {template.path} ({kind}) has no default; pass the name of "
                f"the SSM parameter it reads with --parameters ({name}=/ssm/name) and add the "
                "template that writes that SSM parameter",
                f"${{{name}}}",
            )
        if value is None:
            return Unknown(
                f"parameter {name} of {template.path} has no default; "
                f"pass its value with --parameters ({name}=VALUE)",
                f"${{{name}}}",
            )
        if ssm:
            value = self._ssm_value(str(value), name, depth)
        if "List<" not in kind and kind != "CommaDelimitedList":
            return value
        if isinstance(value, Joined) and value.separator == ",":
            return list(value.parts)
        if isinstance(value, str):
            parts = self.split(value, ",") if value else []
            return [part.strip() for part in parts] if isinstance(parts, list) else parts
        return value

    def _ssm_value(self, ssm_name: str, parameter: str, depth: int) -> Any:
        written = self.ssm_parameters.get(ssm_name)
        if written is None:
            return Unknown(
                f"SSM parameter {ssm_name} (the value of parameter {parameter}) is not written by "
                f"any template in this run; add the template whose AWS::SSM::Parameter has Name "
                f"{ssm_name}, or pass another SSM name with --parameters ({parameter}=/ssm/name)"
            )
        owner, value = written
        return self.once(("ssm", ssm_name), ssm_name, lambda: self.resolve(value, owner, depth + 1))

    def placeholder(self, name: str, template: Template, depth: int) -> Any:
        """``${Name}`` or ``${Resource.Attribute}`` as Fn::Sub reads it."""
        if "." in name and not name.startswith("AWS::"):
            return self.get_att(name.split(".", 1), template, depth)
        return self.ref(name, template, depth)

    def import_value(self, argument: Any, template: Template, depth: int) -> Any:
        name = self.resolve(argument, template, depth)
        if isinstance(name, Unknown):
            return Unknown(f"Fn::ImportValue of a name that is not known: {name.reason}")
        exported = self.exported(name)
        if isinstance(exported, Unknown):
            return exported
        owner, value, _ = exported
        self.imports.add((template.path, owner.path))
        return self.once(
            ("export", name), f"export {name}", lambda: self.resolve(value, owner, depth)
        )

    def exported(self, name: Any) -> Any:
        """(template, value as written, output ID) of the one template exporting ``name``; as
        in CloudFormation, two templates of one run exporting one name are not both believed."""
        exporters = self._exporters.get(name, []) if isinstance(name, str) else []
        if len(exporters) > 1:
            return Unknown(
                f"{len(exporters)} templates export {name!r} ({', '.join(exporters)}): lint the "
                "stacks of one account and region together"
            )
        if not exporters:
            return Unknown(
                f"no template in this run exports {name!r}; add the template that exports it"
            )
        return self.exports[name]

    def names_defined_twice(self) -> List[List[str]]:
        """The templates of each export name or SSM parameter name that several templates
        define (copies of one stack for several environments)."""
        definers = [*self._exporters.values(), *self._ssm_writers.values()]
        return [sorted(set(paths)) for paths in definers if len(set(paths)) > 1]

    def exported_resources(self) -> List[Tuple[str, str, str]]:
        """(template, logical ID, export name) for each export of the run whose value is a
        resource's reference (``!Ref X``, or ``!GetAtt X.GroupId``, a group's ID)."""
        found = []
        for name, (template, value, _) in self.exports.items():
            if isinstance(self.exported(name), Unknown):
                continue
            if isinstance(value, dict) and list(value) == ["Ref"]:
                target = value["Ref"]
            elif isinstance(value, dict) and list(value) == ["Fn::GetAtt"]:
                argument = value["Fn::GetAtt"]
                parts = argument.split(".", 1) if isinstance(argument, str) else argument
                target = parts[0] if isinstance(parts, list) and parts[1:] == ["GroupId"] else None
            else:
                target = None
            if isinstance(target, str) and target in template.resources:
                found.append((template.path, target, name))
        return found

    def subnets_import(self, written: Any, template: Template) -> Optional[SubnetsImport]:
        """Where subnets written ``!Split [",", !ImportValue X]`` or ``[!ImportValue A, ...]``
        come from: the one template exporting them and its outputs; None for any other shape."""
        if isinstance(written, dict) and list(written) == ["Fn::Split"]:
            argument = written["Fn::Split"]
            if not (isinstance(argument, list) and len(argument) == 2):
                return None
            delimiter = self.resolve(argument[0], template)
            if not isinstance(delimiter, str) or not delimiter:
                return None
            imported, joined = [argument[1]], True
        elif isinstance(written, list) and written:
            imported, joined, delimiter = written, False, ","
        else:
            return None
        names, sources = [], []
        for item in imported:
            if not (isinstance(item, dict) and list(item) == ["Fn::ImportValue"]):
                return None
            name = self.resolve(item["Fn::ImportValue"], template)
            exported = self.exported(name)
            if isinstance(exported, Unknown):
                return None
            names.append(name)
            sources.append(exported)
        owners = {owner.path for owner, _, _ in sources}
        if len(owners) != 1:
            return None
        outputs = tuple(o for _, _, o in sources)
        return SubnetsImport(owners.pop(), outputs, tuple(names), joined, delimiter)

    def get_att(self, argument: Any, template: Template, depth: int) -> Any:
        if isinstance(argument, str):
            argument = argument.split(".", 1)
        if not (isinstance(argument, list) and len(argument) == 2):
            return Unknown(f"Fn::GetAtt with argument {_shown(argument)}")
        logical_id, attribute = argument[0], self.resolve(argument[1], template, depth)
        if not isinstance(logical_id, str) or not isinstance(attribute, str):
            return Unknown(f"Fn::GetAtt of {_shown(logical_id)}.{_shown(attribute)}")
        resource = template.resources.get(logical_id)
        if not isinstance(resource, dict):
            return Unknown(
                f"Fn::GetAtt {logical_id}.{attribute} is not a resource of {template.path}"
            )
        return self.once(
            ("attribute", id(template), logical_id, attribute),
            f"{logical_id}.{attribute}",
            lambda: self._attribute(resource, logical_id, attribute, template, depth),
        )

    def _attribute(
        self, resource: dict, logical_id: str, attribute: str, template: Template, depth: int
    ) -> Any:
        if attribute in _IDENTITY_ATTRIBUTES:
            return Handle(template.key(logical_id))
        properties = resource.get("Properties")
        properties = properties if isinstance(properties, dict) else {}
        if attribute in properties:
            return self.resolve(properties[attribute], template, depth)
        if attribute == "DefaultSecurityGroup":
            return Handle(template.key(logical_id), "DefaultSecurityGroup")
        if attribute == "DefaultNetworkAcl":
            return Handle(template.key(logical_id), "DefaultNetworkAcl")
        return Unknown(f"{logical_id}.{attribute} is known only after deployment")

    def get_azs(self, argument: Any, template: Template, depth: int) -> Any:
        region = self.resolve(argument, template, depth)
        if region in ("", None):
            region = self.region
        if isinstance(region, Unknown):
            return region
        if not isinstance(region, str):
            return Unknown(f"Fn::GetAZs of {_shown(region)}, which is not a region name")
        return [ec2.get_azs_zone(region, index) for index in range(AZS_PER_REGION)]


# -- the functions ---------------------------------------------------------------------------------


def _sub(run: CfnRun, argument: Any, template: Template, depth: int) -> Any:
    variables: Any = {}
    if isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], dict):
        argument, variables = argument
    if not isinstance(argument, str):
        return Unknown(f"Fn::Sub of {_shown(argument)}")
    unknown: Optional[Unknown] = None
    pieces: List[str] = []
    length, position = 0, 0
    for match in _SUB_VARIABLE.finditer(argument):
        name = match.group(1).strip()
        if name in variables:
            value = run.resolve(variables[name], template, depth)
        else:
            value = run.placeholder(name, template, depth)
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            text = _text(value)
        else:
            text = match.group(0)
            if unknown is None:
                unknown = (
                    value if isinstance(value, Unknown) else Unknown(f"${{{name}}} is not a string")
                )
        pieces += [argument[position : match.start()], text]
        length += match.start() - position + len(text)
        position = match.end()
        if length > MAX_STRING:
            break
    pieces.append(argument[position:])
    over_budget = run.build(length + len(argument) - position)
    if over_budget is not None:
        return over_budget
    text = "".join(pieces).replace("${!", "${")
    return Unknown(unknown.reason, text) if unknown is not None else text


def _join(run: CfnRun, argument: Any, template: Template, depth: int) -> Any:
    if not (isinstance(argument, list) and len(argument) == 2):
        return Unknown(f"Fn::Join of {_shown(argument)}")
    separator = run.resolve(argument[0], template, depth)
    parts = run.resolve(argument[1], template, depth)
    if not isinstance(separator, str) or not isinstance(parts, list):
        unknown = next((v for v in (parts, separator) if isinstance(v, Unknown)), None)
        if unknown is not None:
            return unknown
        return Unknown(f"Fn::Join with separator {_shown(separator)} of {_shown(parts)}")
    if len(parts) > MAX_LIST:
        return Unknown(f"Fn::Join of more than {MAX_LIST} items (not a real list)")
    texts = [
        _text(p) if isinstance(p, (str, int, float)) and not isinstance(p, bool)
        else p if isinstance(p, Unknown) else None
        for p in parts
    ]  # fmt: skip
    shown = [t if isinstance(t, str) else (getattr(t, "text", "") or "?") for t in texts]
    over_budget = run.build(len(separator) * len(shown) + sum(map(len, shown)))
    if over_budget is not None:
        return over_budget
    if all(isinstance(t, str) for t in texts):
        return separator.join(shown)
    unknown = next((t for t in texts if isinstance(t, Unknown)), None)
    if unknown is not None:
        return Unknown(unknown.reason, separator.join(shown))
    return Joined(separator, tuple(parts))


def _split(run: CfnRun, argument: Any, template: Template, depth: int) -> Any:
    if not (isinstance(argument, list) and len(argument) == 2):
        return Unknown(f"Fn::Split of {_shown(argument)}")
    separator = run.resolve(argument[0], template, depth)
    value = run.resolve(argument[1], template, depth)
    if isinstance(value, str) and isinstance(separator, str) and separator:
        return run.split(value, separator)
    if isinstance(value, Joined) and value.separator == separator:
        return list(value.parts)
    if isinstance(value, list):  # a list parameter split again: already a list
        return value
    if isinstance(value, Unknown):
        return value
    return Unknown(f"Fn::Split of {_shown(value)} on {_shown(separator)}")


def _select(run: CfnRun, argument: Any, template: Template, depth: int) -> Any:
    if not (isinstance(argument, list) and len(argument) == 2):
        return Unknown(f"Fn::Select of {_shown(argument)}")
    index = run.resolve(argument[0], template, depth)
    items = run.resolve(argument[1], template, depth)
    if isinstance(items, Unknown):
        return items
    if isinstance(index, str) and index.strip().isdigit() and len(index) < 10:
        index = int(index)
    if not (isinstance(index, int) and not isinstance(index, bool) and index >= 0):
        return Unknown(f"Fn::Select index {_shown(index)} is not a number")
    if not isinstance(items, list) or index >= len(items):
        return Unknown(f"Fn::Select index {index} of a list that is not known")
    return items[index]


def _find_in_map(run: CfnRun, argument: Any, template: Template, depth: int) -> Any:
    if not (isinstance(argument, list) and len(argument) >= 3):
        return Unknown(f"Fn::FindInMap of {_shown(argument)}")
    keys = [run.resolve(part, template, depth) for part in argument[:3]]
    unknown = next((k for k in keys if isinstance(k, Unknown)), None)
    if unknown is not None:
        return Unknown(f"Fn::FindInMap with a key that is not known: {unknown.reason}")
    try:
        return run.resolve(template.mappings[keys[0]][keys[1]][keys[2]], template, depth)
    except (KeyError, TypeError):
        return Unknown(f"Fn::FindInMap {keys} is not in the template's Mappings")


def _if(run: CfnRun, argument: Any, template: Template, depth: int) -> Any:
    if not (isinstance(argument, list) and len(argument) == 3):
        return Unknown(f"Fn::If of {_shown(argument)}")
    decided = conditions.condition(run, argument[0], template, depth)
    if decided is True or decided is False:
        return run.resolve(argument[1 if decided else 2], template, depth)
    when_true = run.resolve(argument[1], template, depth)
    when_false = run.resolve(argument[2], template, depth)
    if when_true == when_false:
        return when_true
    unknown = next((v for v in (when_true, when_false) if isinstance(v, Unknown)), None)
    if unknown is not None:  # what is missing matters more than which branch applies
        return unknown
    return decided  # names the condition and what would decide it


def _cidr(run: CfnRun, argument: Any, template: Template, depth: int) -> Any:
    """``Fn::Cidr [block, count, bits]``: the first ``count`` blocks with ``bits`` host bits."""
    if not (isinstance(argument, list) and len(argument) == 3):
        return Unknown(f"Fn::Cidr of {_shown(argument)}")
    block, count, bits = (run.resolve(part, template, depth) for part in argument)
    unknown = next((p for p in (block, count, bits) if isinstance(p, Unknown)), None)
    if unknown is not None:
        return unknown
    try:
        network = ipaddress.ip_network(str(block), strict=False)
        count, bits = int(str(count)), int(str(bits))
    except ValueError:
        return Unknown(f"Fn::Cidr of {_shown(block)}, {_shown(count)}, {_shown(bits)}")
    prefix = network.max_prefixlen - bits
    # CloudFormation allows 1 to 256 blocks, which must fit in the given block
    if not (1 <= count <= 256 and network.prefixlen <= prefix <= network.max_prefixlen):
        return Unknown(f"Fn::Cidr: {block} has no {count} blocks of {bits} host bits")
    if count > 2 ** (prefix - network.prefixlen):
        return Unknown(f"Fn::Cidr: {block} has no {count} blocks of {bits} host bits")
    return [str(block) for block in itertools.islice(network.subnets(new_prefix=prefix), count)]


def _unsupported(name: str):
    def evaluate(run: CfnRun, argument: Any, template: Template, depth: int) -> Any:
        return Unknown(f"{name} is not evaluated offline")

    return evaluate


_FUNCTIONS = {
    "Ref": lambda run, arg, tpl, depth: run.ref(arg, tpl, depth),
    "Fn::GetAtt": CfnRun.get_att,
    "Fn::Sub": _sub,
    "Fn::Join": _join,
    "Fn::Split": _split,
    "Fn::Select": _select,
    "Fn::GetAZs": CfnRun.get_azs,
    "Fn::FindInMap": _find_in_map,
    "Fn::If": _if,
    "Fn::Cidr": _cidr,
    "Fn::ImportValue": CfnRun.import_value,
    **{
        name: _unsupported(name)
        for name in ("Fn::Base64", "Fn::Transform", "Fn::Length", "Fn::ToJsonString")
    },
}


def _text(value: Any) -> str:
    """A number or string as CloudFormation writes it into a string."""
    return value if isinstance(value, str) else str(value)


def _cycle(active: List[str], label: str) -> str:
    """The cycle ending at ``label``, starting from its smallest name so any entry reads alike."""
    loop = active[active.index(label) :] if label in active else [*active, label]
    start = loop.index(min(loop))
    loop = loop[start:] + loop[:start]
    return " -> ".join([*loop, loop[0]])
