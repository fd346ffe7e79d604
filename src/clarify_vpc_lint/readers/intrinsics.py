"""Evaluate CloudFormation intrinsic functions as far as the inputs of the run allow.

Resolution happens across every template of the run: ``Fn::ImportValue`` finds the template that
exports the name, an SSM-typed parameter finds the ``AWS::SSM::Parameter`` that writes it. A
resource reference becomes a ``Handle``; what cannot be determined becomes ``Unknown`` with the
reason, never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from ..awsfacts import partition_of, url_suffix
from ..values import Handle, Joined, Unknown
from .source import Document

NO_VALUE = object()  # AWS::NoValue: the property is removed
MAX_RESOLVE_DEPTH = 50
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


@dataclass
class Template:
    path: str
    document: Document
    resources: Dict[str, dict]
    parameters: Dict[str, dict]
    mappings: Dict[str, Any]

    def key(self, logical_id: str) -> str:
        return f"cfn:{self.path}:{logical_id}"


@dataclass
class CfnRun:
    """What every template of the run can see: parameters, region, exports and SSM parameters."""

    region: str
    parameter_values: Dict[str, str]
    templates: List[Template] = field(default_factory=list)
    exports: Dict[str, Tuple[Template, Any]] = field(default_factory=dict)
    ssm_parameters: Dict[str, Tuple[Template, Any]] = field(default_factory=dict)

    def add(self, template: Template) -> None:
        """Register a template's exports and SSM parameters (names resolved in its own context)."""
        self.templates.append(template)
        outputs = template.document.data.get("Outputs")
        for output in outputs.values() if isinstance(outputs, dict) else ():
            export = output.get("Export") if isinstance(output, dict) else None
            name = self.resolve(export.get("Name"), template) if isinstance(export, dict) else None
            if isinstance(name, str):
                self.exports[name] = (template, output.get("Value"))
        for resource in template.resources.values():
            if resource.get("Type") == "AWS::SSM::Parameter":
                properties = resource.get("Properties") or {}
                name = self.resolve(properties.get("Name"), template)
                if isinstance(name, str):
                    self.ssm_parameters[name] = (template, properties.get("Value"))

    # -- evaluation ------------------------------------------------------------------------------

    def resolve(self, value: Any, template: Template, depth: int = 0) -> Any:
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

    def ref(self, name: Any, template: Template, depth: int) -> Any:
        if not isinstance(name, str):
            return Unknown(f"Ref to {name!r}")
        pseudo = self._pseudo_parameter(name)
        if pseudo is not None:
            return pseudo
        if name in template.parameters:
            return self._parameter(name, template, depth)
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
            "AWS::AccountId": Unknown("the account ID (AWS::AccountId)", "${AWS::AccountId}"),
            "AWS::StackName": Unknown(
                "the stack name; pass it with --parameters AWS::StackName=NAME", "${AWS::StackName}"
            ),
            "AWS::StackId": Unknown("the stack ID (AWS::StackId)"),
            "AWS::NotificationARNs": Unknown("the stack's notification ARNs"),
        }.get(name)

    def _parameter(self, name: str, template: Template, depth: int) -> Any:
        declaration = template.parameters[name] or {}
        kind = str(declaration.get("Type", "String"))
        value = self.parameter_values.get(name, declaration.get("Default"))
        if value is None:
            return Unknown(
                f"parameter {name} of {template.path} has no default; "
                f"pass its value with --parameters ({name}=VALUE)",
                f"${{{name}}}",
            )
        if kind.startswith("AWS::SSM::Parameter::Value<"):
            value = self._ssm_value(str(value), name, depth)
        if "List<" not in kind and kind != "CommaDelimitedList":
            return value
        if isinstance(value, Joined) and value.separator == ",":
            return list(value.parts)
        if isinstance(value, str):
            return [part.strip() for part in value.split(",")] if value else []
        return value

    def _ssm_value(self, ssm_name: str, parameter: str, depth: int) -> Any:
        written = self.ssm_parameters.get(ssm_name)
        if written is None:
            return Unknown(
                f"SSM parameter {ssm_name} (read by parameter {parameter}) is not written by any "
                "template in this run; add the template that writes it"
            )
        owner, value = written
        return self.resolve(value, owner, depth + 1)

    def placeholder(self, name: str, template: Template, depth: int) -> Any:
        """``${Name}`` or ``${Resource.Attribute}`` as Fn::Sub reads it."""
        if "." in name and not name.startswith("AWS::"):
            return self.get_att(name.split(".", 1), template, depth)
        return self.ref(name, template, depth)

    def import_value(self, argument: Any, template: Template, depth: int) -> Any:
        name = self.resolve(argument, template, depth)
        if isinstance(name, Unknown):
            return Unknown(f"Fn::ImportValue of a name that is not known: {name.reason}")
        exported = self.exports.get(name) if isinstance(name, str) else None
        if exported is None:
            return Unknown(
                f"no template in this run exports {name!r}; add the template that exports it"
            )
        owner, value = exported
        return self.resolve(value, owner, depth)

    def get_att(self, argument: Any, template: Template, depth: int) -> Any:
        if isinstance(argument, str):
            argument = argument.split(".", 1)
        if not (isinstance(argument, list) and len(argument) == 2):
            return Unknown(f"Fn::GetAtt with argument {argument!r}")
        logical_id, attribute = argument[0], self.resolve(argument[1], template, depth)
        resource = template.resources.get(logical_id)
        if resource is None or not isinstance(attribute, str):
            return Unknown(
                f"Fn::GetAtt {logical_id}.{attribute} is not a resource of {template.path}"
            )
        if attribute in _IDENTITY_ATTRIBUTES:
            return Handle(template.key(logical_id))
        properties = resource.get("Properties") or {}
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
        if not isinstance(region, str):
            return Unknown("Fn::GetAZs of an unknown region")
        # Distinct indexes are distinct zones; the real names depend on the account.
        return [f"{region} (zone {index} of Fn::GetAZs)" for index in range(AZS_PER_REGION)]


# -- the functions ---------------------------------------------------------------------------------


def _sub(run: CfnRun, argument: Any, template: Template, depth: int) -> Any:
    variables: Dict[str, Any] = {}
    if isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], dict):
        argument, variables = argument
    if not isinstance(argument, str):
        return Unknown(f"Fn::Sub of {argument!r}")
    unknown: Optional[Unknown] = None

    def substitute(match: re.Match) -> str:
        nonlocal unknown
        name = match.group(1).strip()
        if name in variables:
            value = run.resolve(variables[name], template, depth)
        else:
            value = run.placeholder(name, template, depth)
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value)
        if unknown is None:
            unknown = (
                value if isinstance(value, Unknown) else Unknown(f"${{{name}}} is not a string")
            )
        return match.group(0)

    text = _SUB_VARIABLE.sub(substitute, argument).replace("${!", "${")
    return Unknown(unknown.reason, text) if unknown is not None else text


def _join(run: CfnRun, argument: Any, template: Template, depth: int) -> Any:
    if not (isinstance(argument, list) and len(argument) == 2):
        return Unknown(f"Fn::Join of {argument!r}")
    separator = run.resolve(argument[0], template, depth)
    parts = run.resolve(argument[1], template, depth)
    if not isinstance(separator, str) or not isinstance(parts, list):
        return parts if isinstance(parts, Unknown) else Unknown("Fn::Join of an unknown list")
    if all(isinstance(p, (str, int, float)) for p in parts):
        return separator.join(str(p) for p in parts)
    unknown = next((p for p in parts if isinstance(p, Unknown)), None)
    if unknown is not None:
        text = separator.join(
            p if isinstance(p, str) else (getattr(p, "text", "") or "?") for p in parts
        )
        return Unknown(unknown.reason, text)
    return Joined(separator, tuple(parts))


def _split(run: CfnRun, argument: Any, template: Template, depth: int) -> Any:
    if not (isinstance(argument, list) and len(argument) == 2):
        return Unknown(f"Fn::Split of {argument!r}")
    separator = run.resolve(argument[0], template, depth)
    value = run.resolve(argument[1], template, depth)
    if isinstance(value, str) and isinstance(separator, str) and separator:
        return value.split(separator)
    if isinstance(value, Joined) and value.separator == separator:
        return list(value.parts)
    if isinstance(value, list):  # a list parameter split again: already a list
        return value
    return value if isinstance(value, Unknown) else Unknown("Fn::Split of an unknown value")


def _select(run: CfnRun, argument: Any, template: Template, depth: int) -> Any:
    if not (isinstance(argument, list) and len(argument) == 2):
        return Unknown(f"Fn::Select of {argument!r}")
    index = run.resolve(argument[0], template, depth)
    items = run.resolve(argument[1], template, depth)
    if isinstance(items, Unknown):
        return items
    try:
        return items[int(index)]
    except (TypeError, ValueError, IndexError, KeyError):
        return Unknown(f"Fn::Select index {index!r} of a list that is not known")


def _find_in_map(run: CfnRun, argument: Any, template: Template, depth: int) -> Any:
    if not (isinstance(argument, list) and len(argument) >= 3):
        return Unknown(f"Fn::FindInMap of {argument!r}")
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
        return Unknown(f"Fn::If of {argument!r}")
    when_true = run.resolve(argument[1], template, depth)
    when_false = run.resolve(argument[2], template, depth)
    if when_true == when_false:
        return when_true
    return Unknown(f"the value depends on condition {argument[0]} (both branches are possible)")


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
    "Fn::ImportValue": CfnRun.import_value,
    **{
        name: _unsupported(name)
        for name in ("Fn::Base64", "Fn::Cidr", "Fn::Transform", "Fn::Length", "Fn::ToJsonString")
    },
}
