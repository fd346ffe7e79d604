"""CloudFormation conditions, evaluated as CloudFormation does before it creates anything.

``Fn::Equals``, ``Fn::And``, ``Fn::Or``, ``Fn::Not`` and ``Condition`` over parameter values
(defaults, overridden by ``--parameters``) and pseudo-parameters (SPEC section 3). A condition is
True, False, or ``Unknown`` when it depends on something the inputs do not give: its reason names
the condition and what to pass, so every finding the condition holds back says how to decide it.
"""

from __future__ import annotations

from typing import Any, Callable, Protocol, Tuple

from ...documents import Document
from ...logic import all_of, any_of, negate
from ...values import Handle, Unknown
from ...values import shown as _shown


class Template(Protocol):
    """What a condition reads of its template (``intrinsics.Template``)."""

    document: Document
    path: str


class CfnRun(Protocol):
    """What a condition asks of the run (``intrinsics.CfnRun``, which evaluates ``Fn::If`` with
    this module): resolve a value, and evaluate a reference once."""

    def resolve(self, value: Any, template: Template, depth: int = 0) -> Any: ...

    def once(self, key: Tuple[Any, ...], label: str, compute: Callable[[], Any]) -> Any: ...


_OPERATORS = ("Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Condition")


def condition(run: CfnRun, name: Any, template: Template, depth: int) -> Any:
    """The named condition of ``template``: True, False or Unknown naming it."""
    if not isinstance(name, str):
        return Unknown(f"a condition named by {_shown(name)}, which is not a name")
    conditions = template.document.data.get("Conditions")
    conditions = conditions if isinstance(conditions, dict) else {}
    if name not in conditions:
        return Unknown(f"condition {name} is not in the Conditions of {template.path}")
    return run.once(
        ("condition", id(template), name),
        f"condition {name}",
        lambda: _named(run, name, conditions[name], template, depth),
    )


def _named(run: CfnRun, name: str, expression: Any, template: Template, depth: int) -> Any:
    value = evaluate(run, expression, template, depth + 1)
    if isinstance(value, Unknown) and not value.reason.startswith("condition "):
        return Unknown(f"condition {name} is not known: {value.reason}")
    return value


def evaluate(run: CfnRun, expression: Any, template: Template, depth: int) -> Any:
    """A condition expression: one of the condition functions, or a literal true/false."""
    if isinstance(expression, bool):
        return expression
    if not (isinstance(expression, dict) and len(expression) == 1):
        return Unknown(f"a condition written as {_shown(expression)}")
    ((function, argument),) = expression.items()
    if function == "Condition":
        return condition(run, argument, template, depth)
    if function == "Fn::Equals":
        return _equals(run, argument, template, depth)
    if function in ("Fn::And", "Fn::Or", "Fn::Not"):
        operands = argument if isinstance(argument, list) else [argument]
        values = [evaluate(run, operand, template, depth + 1) for operand in operands]
        if function == "Fn::Not":
            if len(values) != 1:
                return Unknown(f"Fn::Not of {len(values)} conditions")
            return negate(values[0])
        return any_of(values) if function == "Fn::Or" else all_of(values)
    return Unknown(f"{function} is not a condition function ({', '.join(_OPERATORS)})")


def _equals(run: CfnRun, argument: Any, template: Template, depth: int) -> Any:
    if not (isinstance(argument, list) and len(argument) == 2):
        return Unknown(f"Fn::Equals of {_shown(argument)}")
    left, right = (_comparable(run.resolve(side, template, depth + 1)) for side in argument)
    for side in (left, right):
        if isinstance(side, Unknown):
            return side
    return left == right


def _comparable(value: Any) -> Any:
    """CloudFormation compares the values as strings: ``true`` equals ``"true"``, 2 equals "2"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, Handle):
        return Unknown(f"Fn::Equals of {value.key.rsplit(':', 1)[-1]}, known only after deployment")
    if isinstance(value, list):
        items = [_comparable(item) for item in value]
        unknown = next((item for item in items if isinstance(item, Unknown)), None)
        return unknown if unknown is not None else items
    if isinstance(value, (str, Unknown)):
        return value
    return Unknown(f"Fn::Equals of {_shown(value)}")
