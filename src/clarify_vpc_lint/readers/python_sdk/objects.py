"""What the reader holds while it walks a script: the SDK objects it builds and the names bound."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any, Dict, MutableMapping, Optional

from ...model import Model
from ...values import Unknown


@dataclass(eq=False)
class Obj:
    """An SDK object the script builds: its class kind and the arguments it was given."""

    kind: str
    cls: str
    args: Dict[str, Any]
    node: ast.AST
    name: str = ""
    model: Optional[Model] = None  # the model entity a Model / create_model made


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
