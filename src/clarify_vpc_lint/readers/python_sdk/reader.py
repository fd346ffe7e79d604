"""The symbolic evaluator: statements are followed in order, as the script would run them.

Literals and names bound in the file are known; ``os.environ``, function parameters and anything
computed at run time are Unknown, with a reason naming what to set. Calls of SDK classes and
methods go to ``SdkRequests``.
"""

from __future__ import annotations

import ast
from collections import ChainMap
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

from ...keys import model_name_of
from ...model import Model, Network
from ...values import Handle, Unknown
from .calls import CLARIFY_IMAGE, RUN_METHODS
from .defaults import SdkDefaults
from .objects import SPREAD, Arguments, Env, Obj
from .places import FixPlace
from .sdk_requests import SdkRequests

MAX_LOOP_ITEMS = 50  # loops are unrolled up to this size and two deep; bigger ones run once
# Budgets that keep the work linear in the file's size, whatever it holds: loop bodies run again
# for their items only while the syntax nodes so read stay under MAX_UNROLLED_NODES per file
# (then a loop is read once, its items unknown); a string or list the script builds is followed
# up to MAX_VALUE_LENGTH characters or items (doubling it forty times is unknown, not gigabytes).
MAX_UNROLLED_NODES = 50_000
MAX_VALUE_LENGTH = 100_000
_FunctionNode = (ast.FunctionDef, ast.AsyncFunctionDef)
# a function whose text has none of these cannot start a job or build a model
_JOB_WORDS = ("run", "Model", "Step", "Monitor", "create_", "deploy", "sagemaker_client")


class Reader(SdkRequests):
    """One script or notebook, read statement by statement; its jobs and models go to network."""

    def __init__(self, path: str, defaults: SdkDefaults) -> None:
        self.path = path
        self.defaults = defaults
        self.network = Network()
        self.places: List[Tuple[Any, FixPlace]] = []
        self.imports: Dict[str, str] = {}
        self.module = Env()
        self.functions: List[Tuple[Any, Env, str, Callable[[int], Tuple[int, int, str]], int]] = []
        self.source_lines: List[str] = []
        self.loops: List[str] = []
        self.unrolled_left = MAX_UNROLLED_NODES
        # a function body runs once, however often it is defined; nodes are kept, not their
        # ids (a notebook's earlier cells are freed, and Python may give their ids to new nodes)
        self.deferred: Set[ast.AST] = set()
        self.sizes: Dict[ast.AST, int] = {}
        self.fixtures: Dict[str, Any] = {}  # pytest fixtures of the module: what each returns
        self.returned: List[Any] = []  # what the function body being read returns or yields
        self.statements_read = 0  # the work done: within the file's statements and the budget
        # source line -> (file line, columns before the source text, resource suffix)
        self.place: Callable[[int], Tuple[int, int, str]] = lambda line: (line, 0, "")
        self.cell = 0  # the notebook cell being read (0: a script)
        self.node_cells: Dict[ast.AST, int] = {}  # an SDK object's call -> the cell it is in

    # statements

    def run_module(self, body: List[ast.stmt], source: str) -> None:
        self.source_lines = source.split("\n")
        self.block(body, self.module)

    def defer(self, node: Any, env: Env, owner: str) -> None:
        """Queue a function body, unless its text names nothing that starts a job or model."""
        if node in self.deferred:
            return
        self.deferred.add(node)
        text = self.source_lines[node.lineno - 1 : node.end_lineno]
        fixture = node.name in self.fixtures and not owner  # what it returns may start a job
        if fixture or any(word in line for line in text for word in _JOB_WORDS):
            self.functions.append((node, env, owner, self.place, self.cell))

    def run_functions(self) -> None:
        """Function bodies run after the module, with their parameters unknown, pytest fixtures
        first: a parameter named after a fixture of this file that returns one value is that
        value (a monitor built in a fixture is the monitor the test uses)."""
        self.functions.sort(key=lambda queued: queued[0].name not in self.fixtures)
        queued = 0
        while queued < len(self.functions):
            node, parent, owner, self.place, self.cell = self.functions[queued]
            queued += 1
            env = Env(parent)
            args = node.args
            for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
                if arg is not None:
                    env.set(arg.arg, self.fixture_value(arg.arg, owner, node.name))
            self.returned = []
            self.block(node.body, env)
            if node.name in self.fixtures and not owner:
                self.fixtures[node.name] = (
                    self.returned[0]
                    if len(self.returned) == 1
                    else Unknown(f"fixture {node.name}() returns one of several values")
                )

    def fixture_value(self, parameter: str, owner: str, function: str) -> Any:
        value = self.fixtures.get(parameter)
        if isinstance(value, Obj):
            value.name = value.name or parameter
            return value
        return Unknown(
            f"parameter {parameter} of {owner}{function}() is given by its caller;"
            " write the value in the script or declare the job in the config file"
        )

    def block(self, body: List[ast.stmt], env: Env) -> None:
        for statement in body:
            self.statement(statement, env)

    def statement(self, node: ast.stmt, env: Env) -> None:
        self.statements_read += 1
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    self.imports[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    self.imports[top] = top
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if node.module and alias.name != "*":
                    self.imports[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Assign):
            value = self.eval(node.value, env)
            for target in node.targets:
                self.assign(target, value, env)
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            self.assign(node.target, self.eval(node.value, env), env)
        elif isinstance(node, ast.AugAssign):
            self.aug_assign(node, env)
        elif isinstance(node, ast.Return) and node.value is not None:
            self.returned.append(self.eval(node.value, env))
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Yield):
            self.returned.append(self.eval(node.value.value, env))
        elif isinstance(node, ast.Expr):
            self.eval(node.value, env)
        elif isinstance(node, ast.If):
            self.if_statement(node, env)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            self.for_statement(node, env)
        elif isinstance(node, ast.While):
            self.branches(node, [node.body, node.orelse], env)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                value = self.eval(item.context_expr, env)
                if item.optional_vars is not None:
                    self.assign(item.optional_vars, value, env)
            self.block(node.body, env)
        elif isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
            self.block(node.body, env)
            for handler in node.handlers:
                self.block(handler.body, env)
            self.block(node.orelse, env)
            self.block(node.finalbody, env)
        elif type(node).__name__ == "Match":  # Python 3.10+; each case may start jobs
            self.branches(node, [case.body for case in node.cases], env)
        elif isinstance(node, _FunctionNode):
            env.set(node.name, Unknown(f"the result of {node.name}() is computed at run time"))
            if env is self.module and any(map(_is_fixture, node.decorator_list)):
                self.fixtures.setdefault(node.name, None)
            self.defer(node, env, "")
        elif isinstance(node, ast.ClassDef):
            env.set(node.name, Unknown(f"class {node.name} is built at run time"))
            for item in node.body:
                if isinstance(item, _FunctionNode):
                    self.defer(item, env, f"{node.name}.")

    def assign(self, target: ast.expr, value: Any, env: Env) -> None:
        if isinstance(target, ast.Name):
            if isinstance(value, Obj) and not value.name:
                value.name = target.id
                loc = value.model.loc if value.model is not None else None
                if loc is not None and loc.resource.startswith(f"{value.cls}()"):
                    loc.resource = target.id + loc.resource[len(value.cls) + 2 :]
            env.set(target.id, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            known = isinstance(value, list) and len(value) == len(target.elts)
            for position, element in enumerate(target.elts):
                self.assign(
                    element,
                    value[position]
                    if known
                    else Unknown(f"unpacking at line {target.lineno} happens at run time"),
                    env,
                )
        elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
            container = env.get(target.value.id)
            key = self.eval(target.slice, env)
            if isinstance(container, dict) and isinstance(key, str):
                container[key] = value

    def aug_assign(self, node: ast.AugAssign, env: Env) -> None:
        if not isinstance(node.target, ast.Name):
            return
        current, extra = env.get(node.target.id), self.eval(node.value, env)
        if isinstance(node.op, ast.Add) and _addable(current, extra):
            env.set(node.target.id, _sum(current, extra, node.lineno))
        elif isinstance(node.op, ast.Add) and isinstance(current, Unknown):
            env.set(node.target.id, current)
        else:
            env.set(
                node.target.id,
                Unknown(f"{node.target.id} is changed at line {node.lineno} at run time"),
            )

    def if_statement(self, node: ast.If, env: Env) -> None:
        test = node.test
        if (
            isinstance(test, ast.Compare)
            and isinstance(test.left, ast.Name)
            and test.left.id == "__name__"
        ):
            self.block(node.body, env)  # the script's main block: it runs
            return
        self.branches(node, [node.body, node.orelse], env)

    def branches(self, node: ast.stmt, bodies: List[List[ast.stmt]], env: Env) -> None:
        """Each branch is read (its jobs are jobs); a name a branch sets is unknown after it.

        A branch writes into a layer over the names bound before it, so a branch costs what it
        changes, not every name of the script."""
        before = env.values
        changes: List[Dict[str, Any]] = []
        for body in bodies:
            layer: Dict[str, Any] = {}
            env.values = ChainMap(layer, before)
            self.block(body, env)
            changes.append(layer)
        env.values = before
        for name in {name for layer in changes for name in layer}:
            values = [layer.get(name, before.get(name)) for layer in changes]
            if all(value is values[0] for value in values) and len(changes) > 1:
                before[name] = values[0]
            elif any(before.get(name) is not value for value in values):
                before[name] = Unknown(
                    f"{name} is set under the condition at line {node.lineno}; its value is "
                    "chosen at run time"
                )

    def for_statement(self, node: ast.For, env: Env) -> None:
        items = self.eval(node.iter, env)
        if isinstance(items, dict):
            items = list(items)
        if (
            isinstance(items, list)
            and len(items) <= MAX_LOOP_ITEMS
            and len(self.loops) < 2
            and self.unroll(node, len(items))
        ):
            for item in items:
                self.assign(node.target, item, env)
                self.loops.append(_label(item))
                try:
                    self.block(node.body, env)
                finally:
                    self.loops.pop()
            self.block(node.orelse, env)
            return
        self.assign(
            node.target,
            Unknown(f"the loop at line {node.lineno} takes its items at run time"),
            env,
        )
        self.branches(node, [node.body, node.orelse], env)

    def unroll(self, node: ast.stmt, times: int) -> bool:
        """Whether a loop's body may be read once per item, within the file's budget."""
        size = self.sizes.get(node)
        if size is None:
            size = self.sizes[node] = sum(1 for _ in ast.walk(node))
        if size * times > self.unrolled_left:
            return False
        self.unrolled_left -= size * times
        return True

    # expressions

    def qualified(self, node: ast.expr, env: Env) -> Optional[str]:
        """The import path a name or attribute chain stands for (``c.NetworkConfig`` ->
        ``sagemaker.clarify.NetworkConfig``), or None for a value bound in the script."""
        if isinstance(node, ast.Name):
            if env.has(node.id):
                return None
            return self.imports.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.qualified(node.value, env)
            return f"{base}.{node.attr}" if base else None
        return None

    def eval(self, node: Optional[ast.expr], env: Env) -> Any:
        if node is None:
            return None
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            if env.has(node.id):
                return env.get(node.id)
            if node.id in self.imports:
                return Unknown(f"{node.id} is imported, not a value of this file")
            return Unknown(f"{node.id} is not bound to a value in this file")
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            result: List[Any] = []
            for element in node.elts:
                if isinstance(element, ast.Starred):
                    spread = self.eval(element.value, env)
                    if isinstance(spread, Unknown):
                        return spread
                    if not isinstance(spread, list):
                        return Unknown(f"the list at line {node.lineno} is built at run time")
                    result.extend(spread)
                else:
                    result.append(self.eval(element, env))
                if len(result) > MAX_VALUE_LENGTH:
                    return _too_long(node.lineno)
            return result
        if isinstance(node, ast.Dict):
            return self.eval_dict(node, env)
        if isinstance(node, ast.JoinedStr):
            return self.eval_fstring(node, env)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.eval(node.left, env), self.eval(node.right, env)
            if _addable(left, right):
                return _sum(left, right, node.lineno)
            for side in (left, right):
                if isinstance(side, Unknown):
                    return side
            return Unknown(f"the expression at line {node.lineno} is computed at run time")
        if isinstance(node, ast.Subscript):
            return self.eval_subscript(node, env)
        if isinstance(node, ast.Attribute):
            return self.eval_attribute(node, env)
        if isinstance(node, ast.Call):
            return self.eval_call(node, env)
        if isinstance(node, ast.NamedExpr):
            value = self.eval(node.value, env)
            self.assign(node.target, value, env)
            return value
        reasons = [  # calls inside still start jobs; an unknown inside says why
            value
            for child in ast.iter_child_nodes(node)
            if isinstance(child, ast.expr) and isinstance(value := self.eval(child, env), Unknown)
        ]
        if reasons:
            return reasons[0]
        return Unknown(f"the expression at line {node.lineno} is computed at run time")

    def eval_dict(self, node: ast.Dict, env: Env) -> Any:
        result: Dict[Any, Any] = {}
        for key, value in zip(node.keys, node.values, strict=False):
            if key is None:
                spread = self.eval(value, env)
                if not isinstance(spread, dict):
                    return Unknown(f"the dictionary at line {node.lineno} is built at run time")
                result.update(spread)
                continue
            name = self.eval(key, env)
            if isinstance(name, (str, int)):
                result[name] = self.eval(value, env)
        return result

    def eval_fstring(self, node: ast.JoinedStr, env: Env) -> Any:
        parts: List[str] = []
        unknown = None
        for part in node.values:
            if isinstance(part, ast.FormattedValue):
                value = self.eval(part.value, env)
                if isinstance(value, (str, int)) and not isinstance(value, bool):
                    parts.append(str(value))
                else:
                    expression = ast.unparse(part.value)
                    parts.append("{" + expression + "}")
                    if unknown is None:
                        unknown = (
                            value
                            if isinstance(value, Unknown)
                            else Unknown(f"{{{expression}}} is not known")
                        )
            elif isinstance(part, ast.Constant):
                parts.append(str(part.value))
        if sum(map(len, parts)) > MAX_VALUE_LENGTH:
            return _too_long(node.lineno)
        text = "".join(parts)
        return Unknown(unknown.reason, text) if unknown is not None else text

    def eval_subscript(self, node: ast.Subscript, env: Env) -> Any:
        key = self.eval(node.slice, env)
        if self.qualified(node.value, env) == "os.environ":
            return _environment(key)
        container = self.eval(node.value, env)
        if isinstance(container, dict) and isinstance(key, (str, int)) and key in container:
            return container[key]
        if (
            isinstance(container, list)
            and isinstance(key, int)
            and -len(container) <= key < len(container)
        ):
            return container[key]
        if isinstance(container, Unknown):
            return container
        return Unknown(f"{ast.unparse(node)} is not known before the script runs")

    def eval_attribute(self, node: ast.Attribute, env: Env) -> Any:
        if node.attr == "sagemaker_client":  # sagemaker.Session().sagemaker_client: boto3's
            self.eval(node.value, env)
            return Obj("client", "client", {}, node)
        base = self.eval(node.value, env)
        if isinstance(base, Obj):
            if base.model is not None and node.attr == "name":
                return _model_reference(base.model)
            if node.attr in base.args:
                return base.args[node.attr]
            if node.attr == "endpoint_name":
                return Unknown(f"{base.name or 'the predictor'}'s endpoint is created at run time")
        if isinstance(base, Unknown):
            return base
        return Unknown(f"{ast.unparse(node)} is known only when the script runs")

    def arguments(self, node: ast.Call, params: Tuple[str, ...], env: Env) -> Arguments:
        """The call's arguments by parameter name; ``**dict`` spreads its keys, and one whose
        keys are not known makes every argument not written unknown."""
        values = Arguments()
        for position, argument in enumerate(node.args):
            value = self.eval(argument, env)
            if isinstance(argument, ast.Starred):
                if not isinstance(value, list):
                    values[SPREAD] = _spread(value, argument)
                    continue
                for offset, item in enumerate(value):
                    if position + offset < len(params):
                        values[params[position + offset]] = item
            elif position < len(params):
                values[params[position]] = value
        for keyword in node.keywords:
            value = self.eval(keyword.value, env)
            if keyword.arg is not None:
                values[keyword.arg] = value
            elif isinstance(value, dict):
                values.update({k: v for k, v in value.items() if isinstance(k, str)})
            else:
                values[SPREAD] = _spread(value, keyword)
        return values

    def eval_call(self, node: ast.Call, env: Env) -> Any:
        name = self.qualified(node.func, env)
        if name in ("os.getenv", "os.environ.get"):
            args = self.arguments(node, ("key", "default"), env)
            return _environment(args.get("key"))
        if name and name.split(".")[-1] == "retrieve" and "image_uris" in name:
            args = self.arguments(node, ("framework", "region", "version"), env)
            framework = args.get("framework")
            if framework == "clarify":
                return CLARIFY_IMAGE
            if isinstance(framework, Unknown):
                return framework
            return f"<account>.dkr.ecr.<region>.amazonaws.com/{framework}:image"
        if name and name.startswith("sagemaker") and name.endswith(".Model.create"):
            return self.create_model_resource(node, env)  # v3 sagemaker.core.resources.Model
        if name and name.startswith("sagemaker") and name.endswith(".ProcessingJob.create"):
            return self.create_processing_job_resource(node, env)
        if name and name.startswith("sagemaker"):
            built = self.construct(name, node, env)
            if built is not None:
                return built
        if isinstance(node.func, ast.Attribute):
            if node.func.attr == "client":
                args = self.arguments(node, ("service_name",), env)
                if args.get("service_name") == "sagemaker":
                    return Obj("client", "client", {}, node)
            receiver = self.eval(node.func.value, env)
            if isinstance(receiver, Obj):
                return self.method(receiver, node.func.attr, node, env)
            if isinstance(receiver, Unknown) and node.func.attr in RUN_METHODS:
                # a Clarify processor this file does not build (a parameter, a factory's result)
                settings = {"network_config": receiver, "instance_count": receiver}
                processor = Obj("clarify-processor", "SageMakerClarifyProcessor", settings, node)
                processor.name = ast.unparse(node.func.value)
                return self.method(processor, node.func.attr, node, env)
            if isinstance(receiver, Unknown) and _clarify_baseline(node, env, self):
                # a Clarify monitor this file does not build (a pytest fixture, a parameter)
                settings = {"network_config": receiver, "instance_count": receiver}
                monitor = Obj("clarify-monitor", "ModelMonitor", settings, node)
                monitor.name = ast.unparse(node.func.value)
                return self.method(monitor, node.func.attr, node, env)
        self.arguments(node, (), env)  # calls in the arguments still start jobs
        what = ast.unparse(node.func)
        return Unknown(f"the result of {what}() is computed at run time")


def _is_fixture(decorator: ast.expr) -> bool:
    """``@pytest.fixture``, ``@fixture``, ``@pytest.fixture(scope=...)``."""
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return ast.unparse(target).split(".")[-1] == "fixture"


_CLARIFY_BASELINE_ARGUMENTS = (
    "data_config",
    "bias_config",
    "explainability_config",
    "model_config",
)


def _clarify_baseline(node: ast.Call, env: Env, reader: Reader) -> bool:
    """``monitor.suggest_baseline(...)`` of a Clarify monitor (its arguments are Clarify's
    configs; a data-quality monitor's are a dataset and its format)."""
    if not isinstance(node.func, ast.Attribute) or node.func.attr != "suggest_baseline":
        return False
    if any(keyword.arg in _CLARIFY_BASELINE_ARGUMENTS for keyword in node.keywords):
        return True
    first = node.args[0] if node.args else None
    return (
        isinstance(first, ast.Name)
        and _is_kind(env.get(first.id), "data-config")
        or (
            isinstance(first, ast.Call)
            and (reader.qualified(first.func, env) or "").endswith(".DataConfig")
        )
    )


def _is_kind(value: Any, kind: str) -> bool:
    return isinstance(value, Obj) and value.kind == kind


def _spread(value: Any, node: Any) -> Unknown:
    """What ``*values``/``**mapping`` of unknown content gives each argument it may set."""
    written = ast.unparse(node)
    if isinstance(value, Unknown):
        return Unknown(f"{written} ({value.reason})", value.text)
    return Unknown(f"{written}, whose content is known only at run time")


def _addable(left: Any, right: Any) -> bool:
    return type(left) is type(right) and type(left) in (str, list, int)


def _sum(left: Any, right: Any, line: int) -> Any:
    if isinstance(left, int) or len(left) + len(right) <= MAX_VALUE_LENGTH:
        return left + right
    return _too_long(line)


def _too_long(line: int) -> Unknown:
    return Unknown(
        f"the value built at line {line} is longer than {MAX_VALUE_LENGTH:,} characters or "
        "items; it is not followed"
    )


def _model_reference(model: Model) -> Any:
    """The model's SageMaker name where the script gives one, else the model itself."""
    name = next((n for n in map(model_name_of, model.keys) if n is not None), None)
    return name if name is not None else Handle(model.keys[0])


def _environment(key: Any) -> Unknown:
    if isinstance(key, str):
        return Unknown(
            f"os.environ[{key!r}] is read at run time; write the value in the script or declare "
            "the job in the config file's jobs:"
        )
    return Unknown("an environment variable is read at run time")


def _label(item: Any) -> str:
    text = item if isinstance(item, str) else repr(item)
    return text if len(text) <= 40 else text[:37] + "..."
