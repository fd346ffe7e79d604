"""Values produced by reading inputs: plain JSON values, or one of these markers.

A reader never guesses. Where a value depends on something the inputs do not show, it becomes
``Unknown`` with a sentence saying what is missing and how to supply it.
"""

from __future__ import annotations

from typing import Any, Tuple

from msgspec import Struct


class Unknown(Struct, frozen=True):
    """A value the inputs do not determine; ``reason`` tells the user how to supply it."""

    reason: str
    text: str = ""  # what is known of a partly resolved string, e.g. "com.amazonaws.${R}.s3"
    # what is known of a partly resolved JSON text (``jsonencode`` of a policy whose ARNs hold
    # an unknown account ID): the value it encodes, with Unknown where parts are not known
    encodes: Any = None

    # two unknowns are the same when they say the same (reason and text): what one encodes
    # is not compared, and may be a list or mapping, which would make it unhashable
    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.reason == other.reason and self.text == other.text  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((self.reason, self.text))

    def __bool__(self) -> bool:  # an unknown is never silently truthy or falsy
        raise TypeError("Unknown has no truth value; test isinstance(value, Unknown)")


class Handle(Struct, frozen=True):
    """A reference to an entity defined in the inputs (a CloudFormation resource, a Terraform address).

    ``key`` is the entity's identity in the network model, ``attribute`` a sub-entity such as a
    VPC's default security group.
    """

    key: str
    attribute: str = ""

    @property
    def full_key(self) -> str:
        return f"{self.key}#{self.attribute}" if self.attribute else self.key


class Joined(Struct, frozen=True):
    """``Fn::Join`` over parts that are not all strings, kept so ``Fn::Split`` can undo it."""

    separator: str
    parts: Tuple[Any, ...]


def dig(value: Any, *keys: Any) -> Any:
    """``value[k1][k2]...`` of read or parsed data (mappings, and lists by integer index): None
    where a key is absent, the Unknown where a level is unknown."""
    for key in keys:
        if isinstance(value, dict):  # most levels: asked first (a plan's model digs ten times)
            value = value.get(key)
        elif isinstance(value, Unknown):
            return value
        elif isinstance(value, list) and isinstance(key, int) and key < len(value):
            value = value[key]
        else:
            return None
    return value


def items(value: Any) -> list:
    """A list as written, or no items where the input holds something else (or nothing)."""
    return value if isinstance(value, list) else []


def as_bool(value: Any, default: bool | None = None) -> bool | Unknown | None:
    """Booleans as CloudFormation and the APIs accept them: true, "true", "True"."""
    if value is None:
        return default
    if isinstance(value, (bool, Unknown)):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return Unknown(f"{value!r} is not a boolean")


def as_int(value: Any) -> int | Unknown | None:
    if value is None or isinstance(value, Unknown):
        return value
    if isinstance(value, bool):
        return Unknown(f"{value!r} is not a number")
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        return Unknown(f"{value!r} is not a number")


def kind_of(value: Any) -> str:
    """What sort of value an input holds where another was expected, for a one-line message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "text" if isinstance(value, str) else "a value built from other resources"


def shown(value: Any) -> str:
    """A short description of a value for a message (an input's value can be huge or deep)."""
    if isinstance(value, (dict, list)):
        return f"a {'mapping' if isinstance(value, dict) else 'list'} of {len(value)} item(s)"
    if isinstance(value, Handle):  # a reference: the name it is written with
        name = value.key.split(":", 2)[-1]
        return (
            f"a reference to {name}.{value.attribute}"
            if value.attribute
            else f"a reference to {name}"
        )
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
