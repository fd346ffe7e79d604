"""Clarify jobs and models that Python scripts and notebooks start with the SageMaker SDK or boto3.

The code is read with ``ast`` and never imported or run. Statements are followed in order, as the
script would run them: literals and names bound in the file are known; ``os.environ``, function
parameters and anything computed at run time are Unknown, with a reason naming what to set. SDK
classes are recognised by their import path (v2 ``sagemaker.clarify``, v3 ``sagemaker.core.clarify``,
any alias) and become the API requests the SDK would send, so the jobs and models are the same
subjects the template readers produce. The SDK ``config.yaml`` defaults fill unset network fields
field by field, as ``resolve_class_attribute_from_config`` does.

Notebooks: the code cells run in order as one script. A finding's line is the line of the notebook
file (the JSON text) holding that source line, and its resource names the cell: ``name (cell 3,
line 2)`` counts every cell of the notebook from 1 and the lines of that cell from 1.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple

from ...awsfacts import CLARIFY_REPOSITORY
from ...keys import model_name, model_name_of, python_call
from ...model import Job, Location, Model, Network, Request
from ...values import Handle, Unknown
from .. import sagemaker
from ..source import ParseError
from .defaults import SdkDefaults, defaults_for, sdk_defaults
from .notebooks import cell_line, cell_place, notebook_cells

__all__ = [
    "PYTHON_EXTENSIONS",
    "SdkDefaults",
    "defaults_for",
    "is_python_source",
    "mentions_sagemaker",
    "read_python",
    "read_python_file",
    "sdk_defaults",
    "without_declared",
]

PYTHON_EXTENSIONS = (".py", ".ipynb")
# a stand-in for the image image_uris.retrieve("clarify", ...) returns: only its repository matters
CLARIFY_IMAGE = f"<account>.dkr.ecr.<region>.amazonaws.com/{CLARIFY_REPOSITORY}:1.0"
MAX_LOOP_ITEMS = 50  # loops are unrolled up to this size and two deep; bigger ones run once
_ESTIMATORS = {
    "Estimator",
    "Framework",
    "XGBoost",
    "SKLearn",
    "PyTorch",
    "TensorFlow",
    "MXNet",
    "HuggingFace",
    "Chainer",
    "RLEstimator",
    "AlgorithmEstimator",
}
# SDK class -> (kind, positional parameter names, as in the SDK's signatures)
_CLASSES: Dict[str, Tuple[str, Tuple[str, ...]]] = {
    "SageMakerClarifyProcessor": ("clarify-processor", ("role", "instance_count", "instance_type")),
    "Processor": ("processor", ("role", "image_uri", "instance_count", "instance_type")),
    "ScriptProcessor": (
        "processor",
        ("role", "image_uri", "command", "instance_count", "instance_type"),
    ),
    "NetworkConfig": (
        "network-config",
        ("enable_network_isolation", "security_group_ids", "subnets"),
    ),
    "VpcConfig": ("vpc-config", ()),
    "ModelConfig": ("model-config", ("model_name", "instance_count", "instance_type")),
    "DataConfig": ("data-config", ()),
    "ProcessingInput": ("processing-input", ("source", "destination", "input_name")),
    "CheckJobConfig": ("check-job-config", ("role", "instance_count", "instance_type")),
    "DataBiasCheckConfig": ("check-config", ("data_config", "data_bias_config")),
    "ModelBiasCheckConfig": ("check-config", ("data_config", "data_bias_config", "model_config")),
    "ModelExplainabilityCheckConfig": (
        "check-config",
        ("data_config", "model_config", "explainability_config"),
    ),
    "ClarifyCheckStep": ("check-step", ("name", "clarify_check_config", "check_job_config")),
    "ModelBiasMonitor": ("bias-monitor", ("role", "instance_count", "instance_type")),
    "ModelExplainabilityMonitor": (
        "explainability-monitor",
        ("role", "instance_count", "instance_type"),
    ),
    "Model": (
        "model",
        ("image_uri", "model_data", "role", "predictor_cls", "env", "name", "vpc_config"),
    ),
}
_CHECK_TYPES = {
    "DataBiasCheckConfig": "DATA_BIAS",
    "ModelBiasCheckConfig": "MODEL_BIAS",
    "ModelExplainabilityCheckConfig": "MODEL_EXPLAINABILITY",
}
# run method -> (position of model_config, needs inference without one)
_RUN_METHODS = {
    "run_pre_training_bias": (None, False),
    "run_post_training_bias": (2, False),
    "run_bias": (2, False),
    "run_explainability": (1, True),
    "run_bias_and_explainability": (1, True),
}


def is_python_source(path: str) -> bool:
    return path.endswith(PYTHON_EXTENSIONS)


def mentions_sagemaker(text: str) -> bool:
    """The cheap test every ``.py``/``.ipynb`` pays: only files that may start jobs are parsed."""
    return "sagemaker" in text or "create_processing_job" in text


def read_python_file(path: str, defaults: Optional[SdkDefaults] = None) -> Network:
    """One ``.py``/``.ipynb`` from disk; a file that never mentions SageMaker costs one byte scan."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as error:
        raise ParseError(f"cannot read: {error.strerror or error}") from None
    if b"sagemaker" not in raw and b"create_processing_job" not in raw:
        return Network()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ParseError("not UTF-8 text", raw[: error.start].count(b"\n") + 1) from None
    return read_python(path, text, defaults)


def read_python(path: str, text: str, defaults: Optional[SdkDefaults] = None) -> Network:
    """The Clarify jobs and models a ``.py`` script or ``.ipynb`` notebook starts.

    Raises ParseError for a script that is not Python or a notebook that is not JSON.
    """
    if not mentions_sagemaker(text):
        return Network()
    try:
        return _read(path, text, defaults or SdkDefaults())
    except RecursionError:
        raise ParseError("nests too deeply to read") from None


def _read(path: str, text: str, defaults: SdkDefaults) -> Network:
    reader = _Reader(path, defaults)
    if path.endswith(".ipynb"):
        for cell, source, lines in notebook_cells(path, text):
            try:
                tree = ast.parse(source, filename=path)
            except SyntaxError as error:
                reader.network.input_errors.append(
                    (path, cell_line(lines, error.lineno)[0], f"cell {cell}: {error.msg}")
                )
                continue
            reader.place = cell_place(cell, lines)
            reader.run_module(tree.body, source)
    else:
        try:
            tree = ast.parse(text, filename=path)
        except SyntaxError as error:
            raise ParseError(f"not valid Python: {error.msg}", error.lineno) from None
        except ValueError as error:  # null bytes
            raise ParseError(f"not valid Python: {error}") from None
        reader.run_module(tree.body, text)
    reader.run_functions()
    return reader.network


def without_declared(jobs: List[Job]) -> List[Job]:
    """A script job and a declared job of the same name are one job: the declared one wins.

    A team declares a job in ``jobs:`` to state what the code cannot show (values read from the
    environment), so its description replaces the script's. The name is the script job's resource
    without its notebook cell (``clarify_processor.run_bias``).
    """
    declared = {job.loc.resource for job in jobs if job.kind == "declared"}
    if not declared:
        return jobs
    return [
        job
        for job in jobs
        if job.loc.language != "python" or job.loc.resource.split(" (cell ")[0] not in declared
    ]


# -- the reader ------------------------------------------------------------------------------------


@dataclass(eq=False)
class Obj:
    """An SDK object the script builds: its class kind and the arguments it was given."""

    kind: str
    cls: str
    args: Dict[str, Any]
    node: ast.AST
    name: str = ""
    model: Optional[Model] = None  # the model entity a Model / create_model made


class _Env:
    def __init__(self, parent: Optional[_Env] = None) -> None:
        self.values: Dict[str, Any] = {}
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


_FunctionNode = (ast.FunctionDef, ast.AsyncFunctionDef)
# a function whose text has none of these cannot start a job or build a model
_JOB_WORDS = ("run", "Model", "Step", "Monitor", "create_", "deploy", "sagemaker_client")


class _Reader:
    def __init__(self, path: str, defaults: SdkDefaults) -> None:
        self.path = path
        self.defaults = defaults
        self.network = Network()
        self.imports: Dict[str, str] = {}
        self.module = _Env()
        self.functions: List[Tuple[Any, _Env, str, Callable[[int], Tuple[int, int, str]]]] = []
        self.source_lines: List[str] = []
        self.loops: List[str] = []
        # source line -> (file line, columns before the source text, resource suffix)
        self.place: Callable[[int], Tuple[int, int, str]] = lambda line: (line, 0, "")

    # statements

    def run_module(self, body: List[ast.stmt], source: str) -> None:
        self.source_lines = source.split("\n")
        self.block(body, self.module)

    def defer(self, node: Any, env: _Env, owner: str) -> None:
        """Queue a function body, unless its text names nothing that starts a job or model."""
        text = self.source_lines[node.lineno - 1 : node.end_lineno]
        if any(word in line for line in text for word in _JOB_WORDS):
            self.functions.append((node, env, owner, self.place))

    def run_functions(self) -> None:
        """Function bodies run after the module, with their parameters unknown."""
        while self.functions:
            node, parent, owner, self.place = self.functions.pop(0)
            env = _Env(parent)
            args = node.args
            for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
                if arg is not None:
                    env.set(
                        arg.arg,
                        Unknown(
                            f"parameter {arg.arg} of {owner}{node.name}() is given by its caller;"
                            " write the value in the script or declare the job in the config file"
                        ),
                    )
            self.block(node.body, env)

    def block(self, body: List[ast.stmt], env: _Env) -> None:
        for statement in body:
            self.statement(statement, env)

    def statement(self, node: ast.stmt, env: _Env) -> None:
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
        elif isinstance(node, (ast.Expr, ast.Return)) and node.value is not None:
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
            self.defer(node, env, "")
        elif isinstance(node, ast.ClassDef):
            env.set(node.name, Unknown(f"class {node.name} is built at run time"))
            for item in node.body:
                if isinstance(item, _FunctionNode):
                    self.defer(item, env, f"{node.name}.")

    def assign(self, target: ast.expr, value: Any, env: _Env) -> None:
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

    def aug_assign(self, node: ast.AugAssign, env: _Env) -> None:
        if not isinstance(node.target, ast.Name):
            return
        current, extra = env.get(node.target.id), self.eval(node.value, env)
        if isinstance(node.op, ast.Add) and _addable(current, extra):
            env.set(node.target.id, current + extra)
        else:
            env.set(
                node.target.id,
                Unknown(f"{node.target.id} is changed at line {node.lineno} at run time"),
            )

    def if_statement(self, node: ast.If, env: _Env) -> None:
        test = node.test
        if (
            isinstance(test, ast.Compare)
            and isinstance(test.left, ast.Name)
            and test.left.id == "__name__"
        ):
            self.block(node.body, env)  # the script's main block: it runs
            return
        self.branches(node, [node.body, node.orelse], env)

    def branches(self, node: ast.stmt, bodies: List[List[ast.stmt]], env: _Env) -> None:
        """Each branch is read (its jobs are jobs); a name a branch sets is unknown after it."""
        before = dict(env.values)
        results = []
        for body in bodies:
            env.values = dict(before)
            self.block(body, env)
            results.append(env.values)
        env.values = dict(before)
        for name in {name for result in results for name in result}:
            values = [result.get(name) for result in results]
            if all(value is values[0] for value in values) and len(results) > 1:
                env.values[name] = values[0]
            elif any(before.get(name) is not value for value in values):
                env.values[name] = Unknown(
                    f"{name} is set under the condition at line {node.lineno}; its value is "
                    "chosen at run time"
                )

    def for_statement(self, node: ast.For, env: _Env) -> None:
        items = self.eval(node.iter, env)
        if isinstance(items, dict):
            items = list(items)
        if isinstance(items, list) and len(items) <= MAX_LOOP_ITEMS and len(self.loops) < 2:
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

    # expressions

    def qualified(self, node: ast.expr, env: _Env) -> Optional[str]:
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

    def eval(self, node: Optional[ast.expr], env: _Env) -> Any:
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
                    if not isinstance(spread, list):
                        return Unknown(f"the list at line {node.lineno} is built at run time")
                    result.extend(spread)
                else:
                    result.append(self.eval(element, env))
            return result
        if isinstance(node, ast.Dict):
            return self.eval_dict(node, env)
        if isinstance(node, ast.JoinedStr):
            return self.eval_fstring(node, env)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.eval(node.left, env), self.eval(node.right, env)
            if _addable(left, right):
                return left + right
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

    def eval_dict(self, node: ast.Dict, env: _Env) -> Any:
        result: Dict[Any, Any] = {}
        for key, value in zip(node.keys, node.values):
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

    def eval_fstring(self, node: ast.JoinedStr, env: _Env) -> Any:
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
        text = "".join(parts)
        return Unknown(unknown.reason, text) if unknown is not None else text

    def eval_subscript(self, node: ast.Subscript, env: _Env) -> Any:
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

    def eval_attribute(self, node: ast.Attribute, env: _Env) -> Any:
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

    def arguments(self, node: ast.Call, params: Tuple[str, ...], env: _Env) -> Dict[str, Any]:
        """The call's arguments by parameter name; ``**dict`` spreads its keys."""
        values: Dict[str, Any] = {}
        for position, argument in enumerate(node.args):
            value = self.eval(argument, env)
            if position < len(params) and not isinstance(argument, ast.Starred):
                values[params[position]] = value
        for keyword in node.keywords:
            value = self.eval(keyword.value, env)
            if keyword.arg is not None:
                values[keyword.arg] = value
            elif isinstance(value, dict):
                values.update({k: v for k, v in value.items() if isinstance(k, str)})
            else:
                values["**"] = (
                    value
                    if isinstance(value, Unknown)
                    else Unknown(f"**{ast.unparse(keyword.value)} is built at run time")
                )
        return values

    def eval_call(self, node: ast.Call, env: _Env) -> Any:
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
        if name and name.startswith("sagemaker"):
            built = self.construct(name.split(".")[-1], node, env)
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
            if isinstance(receiver, Unknown) and node.func.attr in _RUN_METHODS:
                # a Clarify processor this file does not build (a parameter, a factory's result)
                settings = {"network_config": receiver, "instance_count": receiver}
                processor = Obj("clarify-processor", "SageMakerClarifyProcessor", settings, node)
                processor.name = ast.unparse(node.func.value)
                return self.method(processor, node.func.attr, node, env)
        self.arguments(node, (), env)  # calls in the arguments still start jobs
        what = ast.unparse(node.func)
        return Unknown(f"the result of {what}() is computed at run time")

    # SDK classes and methods

    def construct(self, cls: str, node: ast.Call, env: _Env) -> Optional[Obj]:
        if cls in _CLASSES:
            kind, params = _CLASSES[cls]
        elif cls in _ESTIMATORS:
            kind, params = "estimator", ()
        elif cls.endswith("Model") and len(cls) > len("Model"):
            kind, params = "model", ("model_data", "role")  # XGBoostModel, PyTorchModel, ...
        else:
            return None
        obj = Obj(kind, cls, self.arguments(node, params, env), node)
        if kind == "model":
            self.add_model(obj, node, obj.args.get("vpc_config"), obj.args.get("model_data"))
        elif kind == "check-step":
            self.check_step(obj, node)
        return obj

    def create_model_resource(self, node: ast.Call, env: _Env) -> Obj:
        args = self.arguments(node, ("model_name", "primary_container"), env)
        obj = Obj("model", "Model", {"name": args.get("model_name")}, node)
        container = args.get("primary_container", args.get("containers"))
        data = None if container is None else Unknown("the model's container is not read")
        self.add_model(obj, node, args.get("vpc_config"), data)
        return obj

    def method(self, receiver: Obj, name: str, node: ast.Call, env: _Env) -> Any:
        kind = receiver.kind
        if kind in ("clarify-processor", "processor") and (name in _RUN_METHODS or name == "run"):
            self.processor_run(receiver, name, node, env)
        elif kind in ("bias-monitor", "explainability-monitor") and name == "suggest_baseline":
            self.baseline(receiver, node, env)
        elif kind in ("bias-monitor", "explainability-monitor") and name in (
            "create_monitoring_schedule",
            "update_monitoring_schedule",
        ):
            self.schedule(receiver, node, env)
        elif kind == "estimator" and name in ("create_model", "deploy"):
            args = self.arguments(node, (), env)
            if "model_name" in args:  # deploy(model_name=...) names the model it creates
                args["name"] = args["model_name"]
            model = Obj("model", receiver.cls, args, node, name=f"{receiver.name}.{name}")
            vpc = args.get("vpc_config_override", _estimator_vpc(receiver, self.defaults))
            self.add_model(model, node, vpc, "s3://<the training job's output>")
            return model if name == "create_model" else _predictor(node)
        elif kind == "model" and name == "deploy":
            self.arguments(node, (), env)
            return _predictor(node)
        elif kind == "client" and name in ("create_processing_job", "create_model"):
            self.api_call(name, node, env)
        else:
            self.arguments(node, (), env)
        return Unknown(f"the result of {name}() is computed at run time")

    def location(self, node: ast.AST, resource: str) -> Location:
        line, indent, cell = self.place(node.lineno)
        if self.loops:
            resource += f" [{', '.join(self.loops)}]"
        return Location(self.path, line, indent + node.col_offset + 1, resource + cell, "python")

    def network_config(self, value: Any, chain: Tuple[Any, ...]) -> Any:
        """The request's NetworkConfig: explicit fields, then each defaults section in turn."""
        if isinstance(value, Unknown):
            return value
        fields: Dict[str, Any] = {}
        if isinstance(value, Obj) and value.kind == "network-config":
            fields = dict(value.args)
            vpc = fields.pop("vpc_config", None)  # v3 shapes: NetworkConfig(vpc_config=VpcConfig)
            if isinstance(vpc, Obj):
                fields.update({k: vpc.args.get(k) for k in ("subnets", "security_group_ids")})
            elif isinstance(vpc, Unknown):
                fields.update(subnets=vpc, security_group_ids=vpc)
        elif value is not None:
            return Unknown("network_config is not a NetworkConfig built in this file")
        return sagemaker.sdk_network_config(fields, chain)

    def processor_run(self, processor: Obj, method: str, node: ast.Call, env: _Env) -> None:
        image = (
            CLARIFY_IMAGE
            if processor.kind == "clarify-processor"
            else processor.args.get("image_uri")
        )
        if method == "run":
            args = self.arguments(node, ("inputs",), env)
            inference: Any = True
            model, existing_endpoint = None, False
            inputs = (
                [
                    {
                        "InputName": item.args.get("input_name"),
                        "S3Input": {"S3Uri": item.args.get("source")},
                    }
                    for item in args["inputs"]
                    if isinstance(item, Obj) and item.kind == "processing-input"
                ]
                if isinstance(args.get("inputs"), list)
                else []
            )
        else:
            position, always = _RUN_METHODS[method]
            params = ["data_config", "x", "y"]
            if position is not None:
                params[position] = "model_config"
            args = self.arguments(node, tuple(params), env)
            inference, model, existing_endpoint = _predictor_of(args.get("model_config"), always)
            inputs = []
        request = {
            "AppSpecification": {"ImageUri": image},
            "NetworkConfig": self.network_config(
                processor.args.get("network_config"), (self.defaults.processing,)
            ),
            "ProcessingResources": {"ClusterConfig": _cluster(processor.args)},
            "ProcessingInputs": inputs,
        }
        loc = self.location(node, f"{processor.name or processor.cls}.{method}")
        job = sagemaker.processing_job(request, loc, inference)
        if job is not None:
            job.model, job.existing_endpoint = model, existing_endpoint
            self.network.jobs.append(job)

    def check_step(self, step: Obj, node: ast.Call) -> None:
        config, job_config = (
            step.args.get("clarify_check_config"),
            step.args.get("check_job_config"),
        )
        check_type: Any = Unknown("the step's clarify_check_config is not built in this file")
        model, existing_endpoint = None, False
        if isinstance(config, Obj) and config.kind == "check-config":
            check_type = _CHECK_TYPES[config.cls]
            if check_type != "DATA_BIAS":
                _, model, existing_endpoint = _predictor_of(config.args.get("model_config"), True)
        settings = job_config.args if isinstance(job_config, Obj) else {}
        network = (
            self.network_config(settings.get("network_config"), self._monitoring_chain())
            if isinstance(job_config, Obj)
            else Unknown("the step's check_job_config is not built in this file")
        )
        request = {
            "NetworkConfig": network,
            "ProcessingResources": {"ClusterConfig": _cluster(settings, default=1)},
        }
        name = step.args.get("name")
        loc = self.location(node, name if isinstance(name, str) else "ClarifyCheckStep")
        job = sagemaker.clarify_check_job(request, loc, check_type)
        if job.inference is not False:
            job.model, job.existing_endpoint = model, existing_endpoint
        self.network.jobs.append(job)

    def _monitoring_chain(self) -> Tuple[Any, ...]:
        # the baselining processor takes monitoring defaults first, then processing defaults
        return (self.defaults.monitoring, self.defaults.processing)

    def baseline(self, monitor: Obj, node: ast.Call, env: _Env) -> None:
        bias = monitor.kind == "bias-monitor"
        params = ("data_config", "bias_config" if bias else "explainability_config", "model_config")
        args = self.arguments(node, params, env)
        inference, model, existing_endpoint = _predictor_of(args.get("model_config"), not bias)
        request = {
            "AppSpecification": {"ImageUri": CLARIFY_IMAGE},
            "NetworkConfig": self.network_config(
                monitor.args.get("network_config"), self._monitoring_chain()
            ),
            "ProcessingResources": {"ClusterConfig": _cluster(monitor.args, default=1)},
        }
        loc = self.location(node, f"{monitor.name or monitor.cls}.suggest_baseline")
        job = sagemaker.processing_job(request, loc, inference)
        if job is not None:
            job.model, job.existing_endpoint = model, existing_endpoint
            self.network.jobs.append(job)

    def schedule(self, monitor: Obj, node: ast.Call, env: _Env) -> None:
        args = self.arguments(node, ("endpoint_input",), env)
        endpoint = args.get("endpoint_input")
        if isinstance(endpoint, Obj):
            endpoint = endpoint.args.get("endpoint_name")
        request = {
            "NetworkConfig": self.network_config(
                monitor.args.get("network_config"), (self.defaults.monitoring,)
            ),
            "JobResources": {"ClusterConfig": _cluster(monitor.args, default=1)},
        }
        loc = self.location(node, f"{monitor.name or monitor.cls}.create_monitoring_schedule")
        self.network.jobs.append(sagemaker.monitoring_job(request, loc, monitor.kind, endpoint))

    def add_model(self, obj: Obj, node: ast.Call, vpc: Any, data: Any) -> None:
        model_defaults = self.defaults.model if isinstance(self.defaults.model, dict) else {}
        if vpc is None:  # Model() reads SageMaker.Model.VpcConfig when given none
            vpc = model_defaults.get("VpcConfig")
        if isinstance(vpc, Obj):
            vpc = {
                "Subnets": vpc.args.get("subnets"),
                "SecurityGroupIds": vpc.args.get("security_group_ids"),
            }
        request: Dict[str, Any] = {"ModelName": obj.args.get("name")}
        if vpc is not None:
            request["VpcConfig"] = vpc
        if data is not None:
            request["PrimaryContainer"] = {"ModelDataUrl": data}
        resource = obj.name or (
            obj.args["name"] if isinstance(obj.args.get("name"), str) else f"{obj.cls}()"
        )
        loc = self.location(node, resource)
        keys = [python_call(self.path, loc.line, loc.column)]
        if isinstance(request["ModelName"], str):
            keys.append(model_name(request["ModelName"]))
        obj.model = sagemaker.model(request, loc, keys)
        self.network.models.append(obj.model)

    def api_call(self, operation: str, node: ast.Call, env: _Env) -> None:
        request = self.arguments(node, (), env)
        if "**" in request:
            request = {"NetworkConfig": request["**"], "AppSpecification": {"ImageUri": None}}
        api = "CreateProcessingJob" if operation == "create_processing_job" else "CreateModel"
        member = "ProcessingJobName" if api == "CreateProcessingJob" else "ModelName"
        name = request.get(member)
        loc = self.location(node, name if isinstance(name, str) else operation)
        if _plain(request):
            self.network.requests.append(Request(loc, api, _problems(api, request, loc)))
        if api == "CreateProcessingJob":
            job = sagemaker.processing_job(request, loc)
            if job is not None:
                self.network.jobs.append(job)
        else:
            keys = [python_call(self.path, loc.line, loc.column)]
            if isinstance(name, str):
                keys.append(model_name(name))
            self.network.models.append(sagemaker.model(request, loc, keys))


def _addable(left: Any, right: Any) -> bool:
    return type(left) is type(right) and type(left) in (str, list, int)


def _predictor_of(model_config: Any, always: bool) -> Tuple[Any, Any, bool]:
    """(needs inference, the model the shadow endpoint uses, calls an existing endpoint) from a
    run's ``model_config``.

    Without a model_config the SDK writes no predictor: bias comes from predicted labels in the
    data. ``endpoint_name`` uses an existing endpoint: inference, but no shadow endpoint.
    """
    if model_config is None:
        return always, None, False
    if isinstance(model_config, Unknown):
        return Unknown(f"model_config: {model_config.reason}"), None, False
    if not isinstance(model_config, Obj) or model_config.kind != "model-config":
        return True, None, False
    if model_config.args.get("endpoint_name") is not None:
        return True, None, True
    return True, model_config.args.get("model_name"), False


def _cluster(args: Dict[str, Any], default: Any = None) -> Dict[str, Any]:
    count = args.get("instance_count", default)
    if count is None:
        count = Unknown("the processor's instance_count is not given")
    return {"InstanceCount": count}


def _estimator_vpc(estimator: Obj, defaults: SdkDefaults) -> Any:
    """The VpcConfig an estimator passes to the models it creates (None when it has none)."""
    training = defaults.training if isinstance(defaults.training, dict) else {}
    subnets = estimator.args.get("subnets")
    groups = estimator.args.get("security_group_ids")
    if subnets is None:
        subnets = sagemaker.dig(training, "VpcConfig", "Subnets")
    if groups is None:
        groups = sagemaker.dig(training, "VpcConfig", "SecurityGroupIds")
    if subnets is None or groups is None:  # vpc_utils.to_dict: both or no VpcConfig
        return None
    return {"Subnets": subnets, "SecurityGroupIds": groups}


def _predictor(node: ast.Call) -> Obj:
    return Obj("predictor", "Predictor", {}, node)


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


def _plain(value: Any) -> bool:
    """A request with only literal values (CVL001 checks those)."""
    if isinstance(value, dict):
        return all(_plain(item) for item in value.values())
    if isinstance(value, list):
        return all(_plain(item) for item in value)
    return isinstance(value, (str, int, float, bool)) or value is None


def _problems(api: str, request: Dict[str, Any], loc: Location) -> List[Dict[str, Any]]:
    from ...apishape import validate  # botocore only when a boto3 call is linted

    return [
        {"message": message, "line": loc.line, "column": loc.column}
        for _, message in validate(api, request)
    ]
