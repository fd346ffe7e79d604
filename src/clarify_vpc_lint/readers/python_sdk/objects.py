"""What the reader holds while it walks a script: the SDK objects it builds and the names bound."""

from __future__ import annotations

import ast
from typing import Any, Dict, MutableMapping, Optional

from msgspec import Struct

from ...model import Job, Model
from ...values import Unknown

SPREAD = "**"  # the key of what ``**mapping`` or ``*values`` of unknown content may give


class Arguments(Dict[str, Any]):
    """A call's arguments by parameter name. Where ``**mapping`` or ``*values`` of unknown
    content was passed, an argument not written is that unknown, never absent."""

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        if name in self:
            return self[name]
        spread = super().get(SPREAD)
        if spread is None:
            return default
        return Unknown(f"{name} may be given by {spread.reason}", spread.text)


class Obj(Struct, eq=False):
    """An SDK object the script builds: its class kind and the arguments it was given."""

    kind: str
    cls: str
    args: Dict[str, Any]  # Arguments where a call built it
    node: ast.AST
    name: str = ""
    module: str = ""  # the import path of its class (sagemaker.core.clarify...): its SDK version
    model: Optional[Model] = None  # the model entity a Model / create_model made
    job: Optional[Job] = None  # the Clarify job a run_* call (its step arguments) or step describes


class Env:
    def __init__(self, parent: Optional[Env] = None) -> None:
        self.values: MutableMapping[str, Any] = {}  # a branch's layer over them: a ChainMap
        self.assigned: Dict[str, int] = {}
        self.parent = parent

    def get(self, name: str) -> Any:
        if name in self.values:
            return self.values[name]
        if self.parent is not None:
            value = self.parent.get(name)
            if self.parent.assigned.get(name, 0) > 1:
                return Unknown(f"{name} is assigned more than once in the module")
            return value
        return None

    def has(self, name: str) -> bool:
        return name in self.values or (self.parent is not None and self.parent.has(name))

    def set(self, name: str, value: Any) -> None:
        self.values[name] = value
        self.assigned[name] = self.assigned.get(name, 0) + 1
