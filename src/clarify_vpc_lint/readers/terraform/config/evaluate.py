"""The expression evaluator: HCL syntax trees and ``.tf.json`` values to plain values.

Values are computed lazily and memoised by the module instances (``module.Scope``): a
resource's attribute is evaluated when the resource is emitted or when another expression
refers to it. What only ``apply`` knows (a new resource's ``id``) becomes a ``Handle`` naming
the resource, as the plan reader makes from a plan's ``configuration``; what the inputs do not
determine becomes ``Unknown`` saying why.
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

from ....documents import ParseError, read_regular_file
from ....values import Handle, Unknown
from . import hcl
from .functions import (
    FUNCTIONS,
    MAX_CHARACTERS,
    EvalError,
    has_unknown,
    number_literal,
    to_number,
    to_string,
)
from .iam import partial_policy_document, policy_document
from .module import (
    MISSING,
    Context,
    ItsOwn,
    ModuleConfig,
    ModuleRef,
    Namespace,
    ResourceRef,
    Scope,
    has_reference,
    load_module,
    plain,
)

_META_BLOCKS = {"lifecycle", "provisioner", "connection", "dynamic"}
_MAX_DEPTH = 60
# Budgets of one root module, so that no configuration hangs the run or fills memory (issue
# 27): expressions evaluated plus elements built, and the size of one value (elements plus
# characters / 64). Past them a value is unknown, and the root says why once.
_MAX_STEPS = 1_000_000  # a configuration of 1,000 resource blocks takes 40,000
_MAX_LISTING_BYTES = 4 * 1024 * 1024  # .terraform/modules/modules.json
_MAX_KNOWN_TEXT = 4096  # of an unknown string, the part known shown in messages
_MAX_WEIGHT = 1_000_000
_PARTITIONS = (("cn-", "aws-cn"), ("us-gov-", "aws-us-gov"), ("us-iso-", "aws-iso"))


# -- the evaluator ------------------------------------------------------------------------------------------

_BINARY_PRECEDENCE = {
    "||": 1,
    "&&": 2,
    "==": 3,
    "!=": 3,
    "<": 4,
    "<=": 4,
    ">": 4,
    ">=": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "/": 6,
    "%": 6,
}


class Evaluator:
    def __init__(
        self, root: Path, variables: Dict[str, Any], var_texts: Dict[str, str], key_prefix: str
    ) -> None:
        self.root = root
        self.variables = variables  # evaluated values from tfvars files
        self.var_texts = var_texts  # --var NAME=TEXT, parsed per the variable's type
        self.key_prefix = key_prefix
        self.modules: Dict[Path, ModuleConfig] = {}
        self.file_names: Dict[str, str] = {}  # file -> its name relative to the root, for messages
        self.depth = 0
        self.steps = 0  # spent of _MAX_STEPS
        self.module_instances = 0
        # input errors that leave the rest readable: (file, line or None, what is wrong)
        self.errors: List[Tuple[str, Optional[int], str]] = []
        self._installed: Optional[Dict[str, Path]] = None  # see installed()
        # what the user should know though it is no error: (file, line, what)
        self.notes: List[Tuple[str, Optional[int], str]] = []
        self.bare = Scope(self, ModuleConfig(root), "", None, None)  # for tfvars and --var values
        # the outputs of the root whose state a terraform_remote_state reads: (backend type,
        # its config) -> {output: value}, or Unknown naming the root to add (see roots.py)
        self.remote_state: Optional[Callable[[Any, Any], Any]] = None
        self._regions: Dict[Tuple[int, Optional[str]], Any] = {}  # see region()
        self.root_scope: Optional[Scope] = None  # set once the variable values are read

    def where(self, block: hcl.Block) -> str:
        """A block's place for messages: its file relative to the root module, and line."""
        name = self.file_names.get(block.file)
        if name is None:
            try:
                name = str(Path(block.file).relative_to(self.root))
            except ValueError:  # a module outside the root directory ("../modules/x")
                name = block.file
            self.file_names[block.file] = name
        return f"{name}:{block.line}"

    def folder_name(self, directory: Path) -> str:
        """A module folder for messages: from the root module's folder where it is inside it."""
        try:
            return str(directory.relative_to(self.root.parent))
        except ValueError:
            return str(directory)

    def module_at(self, directory: Path) -> ModuleConfig:
        directory = directory.resolve()
        if directory not in self.modules:
            self.modules[directory] = load_module(directory)
        return self.modules[directory]

    def root_value(self, name: str, kind: str) -> Any:
        if name in self.var_texts:
            text = self.var_texts[name]
            if kind in ("string", "number", "bool", "any"):  # Terraform: a literal string
                return text
            expression = hcl.parse_expression(text)
            if expression is None:
                return text
            value = self.eval(expression, self.bare.context({}, f"--var {name}"))
            return text if isinstance(value, Unknown) else value
        return self.variables.get(name, MISSING)

    def problem(self, file: str, line: Optional[int], what: str) -> None:
        if (file, line, what) not in self.errors:
            self.errors.append((file, line, what))

    def spend(self, steps: int) -> None:
        """Count work against the root's budget; past it, EvalError (the value is unknown)."""
        self.steps += steps
        if self.steps > _MAX_STEPS:
            what = (
                f"evaluation stopped after {_MAX_STEPS:,} steps (counts, ranges or loops "
                "build too many values); what is left is unknown"
            )
            self.problem(str(self.root), None, what)
            raise EvalError(what)

    def weigh(self, value: Any) -> None:
        """EvalError for a value too large to walk (shared parts count each time they appear);
        its weight is spent from the budget."""
        weight, pending = 0, [value]
        while pending:
            item = pending.pop()
            weight += 1
            if isinstance(item, str):
                weight += len(item) >> 6
            elif isinstance(item, list):
                pending.extend(item)
            elif isinstance(item, dict):
                pending.extend(item.values())
            if weight > _MAX_WEIGHT:
                raise EvalError(f"a value larger than {_MAX_WEIGHT:,} elements")
        self.spend(weight)

    def settle(self, value: Any, where: str) -> Any:
        """A value as it lands in an instance (``plain``), or Unknown if it is too large."""
        try:
            self.weigh(value)
        except EvalError as error:
            return Unknown(f"{where}: {error}")
        return plain(value, self.key_prefix)

    def installed(self) -> Dict[str, Path]:
        """The modules `terraform init` placed under .terraform/modules: call key -> folder.

        Only folders inside the root module's (symlinks resolved) are taken."""
        if self._installed is None:
            self._installed = {}
            listing = self.root / ".terraform" / "modules" / "modules.json"
            try:
                data = json.loads(read_regular_file(str(listing), _MAX_LISTING_BYTES))
            except (ParseError, ValueError, RecursionError):
                return self._installed
            entries = data.get("Modules") if isinstance(data, dict) else None
            for entry in entries if isinstance(entries, list) else []:
                key = entry.get("Key") if isinstance(entry, dict) else None
                folder = entry.get("Dir") if isinstance(entry, dict) else None
                if isinstance(key, str) and key and isinstance(folder, str):
                    try:
                        directory = (self.root / folder).resolve()
                    except (OSError, ValueError, RuntimeError):
                        continue
                    if directory.is_relative_to(self.root) and directory.is_dir():
                        self._installed[key] = directory
        return self._installed

    def module_source(self, scope: Scope, block: hcl.Block) -> Any:
        name = block.labels[0]
        source = self.eval(block.body.attributes.get("source"), scope.context({}, "source"))
        key = f"{scope.call_key}.{name}" if scope.call_key else name
        if key in self.installed():
            return self.installed()[key]
        if not (isinstance(source, str) and source.startswith(("./", "../"))):
            return Unknown(
                f"module {name} comes from {str(source)[:200]!r}, which is not downloaded (run "
                "`terraform init` to read it from .terraform/modules); its resources and "
                "outputs are not known"
            )
        try:
            written = Path(os.path.normpath(scope.module.directory / source))
            directory = written.resolve()
            found = directory.is_dir()
        except (OSError, ValueError, RuntimeError) as error:  # NUL byte, too long, a link loop
            reason = getattr(error, "strerror", None) or type(error).__name__
            return Unknown(f"module {name}: {source[:200]!r} cannot be read ({reason})")
        if directory != written and not directory.is_relative_to(self.root):
            what = f"module {name}: {source} is a symbolic link out of the root module; not read"
            self.problem(block.file, block.line, what)
            return Unknown(what)
        if found:
            return directory
        what = f"module {name}: {source} is not a directory; nothing it makes is checked"
        if (block.file, block.line, what) not in self.notes:
            self.notes.append((block.file, block.line, what))
        return Unknown(what)

    # data sources that can be known offline

    def region(self, scope: Optional[Scope] = None, block: Optional[hcl.Block] = None) -> Any:
        """The region a resource is in: its own ``region`` argument (AWS provider v6), else
        its provider's (``provider = aws.west``, through module calls' ``providers`` maps),
        else the default aws provider's of the root module."""
        if block is not None and scope is not None and "region" in block.body.attributes:
            return self.eval(block.body.attributes["region"], scope.context({}, "region"))
        alias = _provider_alias(block.body.attributes.get("provider")) if block else None
        key = (id(scope), alias)  # every block of a module instance with one provider: once
        if key not in self._regions:
            self._regions[key] = self._provider_chain_region(scope, alias)
        return self._regions[key]

    def _provider_chain_region(self, scope: Optional[Scope], alias: Optional[str]) -> Any:
        while scope is not None and scope.parent is not None:
            found = self._provider_region(scope, alias)
            if found is not None:
                return found
            mapping = _providers_map(scope.call[0]) if scope.call else {}
            name = f"aws.{alias}" if alias else "aws"
            alias = mapping.get(name, alias)  # not in the map: inherited as named
            scope = scope.parent
        root = self.root_scope
        found = self._provider_region(root, alias) if root is not None else None
        if found is not None:
            return found
        named = f"the aws provider block aliased {alias}" if alias else "the aws provider block"
        return Unknown(f"the AWS region is not set in {named} (the environment is not read)")

    def _provider_region(self, scope: Scope, alias: Optional[str]) -> Any:
        for block in scope.module.providers:
            attributes = block.body.attributes
            if block.labels not in (["aws"], ["awscc"]) or "region" not in attributes:
                continue
            context = scope.context({}, "provider aws")
            written = self.eval(attributes["alias"], context) if "alias" in attributes else None
            if written == alias:
                return self.eval(attributes["region"], scope.context({}, "provider aws"))
        return None

    def data_attribute(self, scope: Scope, ref: ResourceRef, block: hcl.Block, name: str) -> Any:
        kind = ref.key[1]
        if kind == "aws_region" and name in ("name", "region", "id"):
            return self.region(scope, block)
        if kind == "aws_availability_zones" and name == "names":
            region = self.region(scope, block)
            if isinstance(region, Unknown):
                return [Unknown("availability zone names depend on the region") for _ in "abc"]
            return [f"{region}{letter}" for letter in "abcdef"]
        if kind == "aws_partition" and name in ("partition", "id"):
            region = self.region(scope, block)
            if isinstance(region, str):
                return next((p for r, p in _PARTITIONS if region.startswith(r)), "aws")
            return region
        if kind == "aws_vpc_endpoint_service" and name == "service_name":
            service = block.body.attributes.get("service")
            if service is not None:
                value = scope._attribute(ref, block, "service")
                region = self.region(scope, block)
                if isinstance(value, Unknown) or isinstance(region, Unknown):
                    return value if isinstance(value, Unknown) else region
                return f"com.amazonaws.{region}.{value}"
        if kind == "aws_iam_policy_document" and name in ("json", "minified_json"):
            return self._policy_document(scope, ref, name)
        if kind == "terraform_remote_state" and name == "outputs":
            return scope.memo(("outputs", ref.key, ref.index), lambda: self._outputs(scope, ref))
        if name in block.body.attributes:
            return scope.memo(
                ("attr", ref.key, ref.index, name), lambda: scope._attribute(ref, block, name)
            )
        return Unknown(f"{ref.address}.{name} is read from AWS; data sources are not read offline")

    def _outputs(self, scope: Scope, ref: ResourceRef) -> Any:
        """The outputs a terraform_remote_state reads: those of a root module of the run whose
        backend it names (values as Handles to that root's resources), else Unknown."""
        block = scope.module.resources[ref.key]
        backend = (
            scope._attribute(ref, block, "backend") if "backend" in block.body.attributes else None
        )
        config = scope._attribute(ref, block, "config") if "config" in block.body.attributes else {}
        if self.remote_state is not None and isinstance(backend, str) and isinstance(config, dict):
            return self.remote_state(backend, config)
        return Unknown(
            f"{ref.address} reads the state of another root module; add that root's folder "
            "(its .tf files) to the run"
        )

    def _policy_document(self, scope: Scope, ref: ResourceRef, name: str) -> Any:
        values = scope.instance_values(ref)
        if isinstance(values, Unknown):
            return values
        unknown = has_unknown(values)
        if unknown is None and has_reference(values):
            unknown = Unknown(f"{ref.address}.{name} depends on a value known only after apply")
        if unknown is not None:
            reason = unknown.reason if unknown.reason.startswith(ref.address) else None
            return Unknown(
                reason or f"{ref.address}.{name}: {unknown.reason}",
                encodes=partial_policy_document(values),
            )
        document = policy_document(values, ref.address)
        if isinstance(document, Unknown):
            return document
        return document[0] if name == "json" else document[1]

    # expressions

    def eval(self, node: Any, context: Context) -> Any:
        self.depth += 1
        try:
            if self.depth > _MAX_DEPTH:
                return Unknown(f"{context.where}: expressions nest too deeply")
            self.spend(1)
            return self._eval(node, context)
        except EvalError as error:
            return Unknown(f"{context.where}: {error}")
        finally:
            self.depth -= 1

    def _eval(self, node: Any, context: Context) -> Any:
        if node is None:
            return None
        if isinstance(node, hcl.JsonExpr):
            return self._json(node.value, context)
        method = getattr(self, f"_e_{node.kind}", None)
        if method is None:
            raise EvalError(f"{node.kind} expressions are not evaluated")
        return method(node, context)

    def _e_string(self, node: hcl.Node, context: Context) -> Any:
        return self.template(node.text, context, escapes=True)

    def _e_heredoc(self, node: hcl.Node, context: Context) -> Any:
        body = node.text.split("\n")[:-1]
        if node.flag:  # <<- strips the common indentation
            indents = [len(line) - len(line.lstrip()) for line in body if line.strip()]
            cut = min(indents) if indents else 0
            body = [line[cut:] for line in body]
        return self.template("\n".join(body) + "\n", context, escapes=False)

    def _json(self, value: Any, context: Context) -> Any:
        if isinstance(value, str):
            return self.template(value, context, escapes=False)
        if isinstance(value, list):
            return [self._json(item, context) for item in value]
        if isinstance(value, dict):
            return {k: self._json(v, context) for k, v in value.items()}
        return value

    def template(self, text: str, context: Context, escapes: bool) -> Any:
        parts: List[Any] = []
        sources: List[str] = []
        position = 0
        literal: List[str] = []
        while position < len(text):
            if text.startswith("$${", position) or text.startswith("%%{", position):
                literal.append(text[position + 1 : position + 3])
                position += 3
            elif text.startswith("${", position) or text.startswith("%{", position):
                end = _interpolation_end(text, position + 2)
                if text[position] == "%":
                    raise EvalError("template directives (%{...}) are not evaluated")
                inner = text[position + 2 : end].strip().strip("~").strip()
                if literal:
                    parts.append(_unescape("".join(literal)) if escapes else "".join(literal))
                    sources.append(parts[-1])
                    literal = []
                expression = hcl.parse_expression(inner)
                if expression is None:
                    raise EvalError(f"cannot parse ${{{inner}}}")
                value = self.eval(expression, context)
                if len(text) == end + 1 and position == 0:
                    return value  # "${x}" alone keeps x's type
                parts.append(value)
                sources.append("${" + inner + "}")
                position = end + 1
            elif escapes and text[position] == "\\" and position + 1 < len(text):
                literal.append(text[position : position + 2])
                position += 2
            else:
                literal.append(text[position])
                position += 1
        if literal:
            parts.append(_unescape("".join(literal)) if escapes else "".join(literal))
            sources.append(parts[-1])
        unknown = next((p for p in parts if isinstance(p, Unknown)), None)
        if unknown is not None or has_reference(parts):
            # what is known of the string, the unknown parts as written: "com.amazonaws.${var.r}.s3"
            pieces = [
                (part.text or source) if isinstance(part, Unknown) else _text_part(part, source)
                for part, source in zip(parts, sources, strict=False)
            ]
            reason = unknown.reason if unknown is not None else "a value known only after apply"
            if sum(map(len, pieces)) > _MAX_KNOWN_TEXT:  # a hint for messages, not a value
                return Unknown(reason)
            return Unknown(reason, "".join(pieces))
        texts = [to_string(p) if p is not None else "" for p in parts]
        if sum(map(len, texts)) > MAX_CHARACTERS:
            raise EvalError(f"a string of more than {MAX_CHARACTERS:,} characters")
        return "".join(texts)

    # tree nodes

    def _e_paren(self, node: hcl.Node, context: Context) -> Any:
        return self.eval(node.children[0], context)

    def _e_number(self, node: hcl.Node, context: Context) -> Any:
        return number_literal(node.text)

    def _e_bool(self, node: hcl.Node, context: Context) -> Any:
        return node.text == "true"

    def _e_null(self, node: hcl.Node, context: Context) -> Any:
        return None

    def _e_tuple(self, node: hcl.Node, context: Context) -> Any:
        return [self.eval(child, context) for child in node.children]

    def _e_object(self, node: hcl.Node, context: Context) -> Any:
        out: Dict[str, Any] = {}
        for pair in node.children:
            key_node, value_node = pair.children
            if key_node.kind == "variable":  # a bare name is the key itself
                key: Any = key_node.text
            else:
                key = self.eval(key_node, context)
                if isinstance(key, Unknown):
                    return key
                key = to_string(key)
            out[key] = self.eval(value_node, context)
        return out

    def _e_variable(self, node: hcl.Node, context: Context) -> Any:
        name = node.text
        if name in context.names:
            return context.names[name]
        if name in ("var", "local", "module", "data"):
            return Namespace(name, context.scope)
        if name == "path":
            return {
                "module": str(context.scope.module.directory),
                "root": str(self.root),
                "cwd": str(self.root),
            }
        if name == "terraform":
            return {"workspace": "default"}
        if name in ("count", "each", "self"):
            raise EvalError(f"{name} is not available here")
        return Namespace("resource", context.scope, name)

    def _e_get_attr(self, node: hcl.Node, context: Context) -> Any:
        return self.get_attr(self.eval(node.children[0], context), node.text, context)

    def _e_index(self, node: hcl.Node, context: Context) -> Any:
        base = self.eval(node.children[0], context)
        return self.index(base, self.eval(node.children[1], context))

    def _e_splat(self, node: hcl.Node, context: Context) -> Any:
        base = self.eval(node.children[0], context)
        if isinstance(base, Unknown):
            return base
        if base is None:
            return []
        items = base if isinstance(base, list) else [base]
        out = []
        for item in items:
            for step in node.children[1:]:
                if step.kind == "get_attr":
                    item = self.get_attr(item, step.text, context)
                else:
                    item = self.index(item, self.eval(step.children[0], context))
            out.append(item)
        return out

    def get_attr(self, base: Any, name: str, context: Context) -> Any:
        if isinstance(base, (Unknown, ItsOwn)):
            return base
        if isinstance(base, Namespace):
            return self._namespace_attr(base, name)
        if isinstance(base, ResourceRef):
            return base.scope.attribute(base, name)
        if isinstance(base, ModuleRef):
            return base.scope.output(name)
        if isinstance(base, Handle):
            return Unknown("a value known only after apply")
        if isinstance(base, dict):
            if name in base:
                return base[name]
            raise EvalError(f"no attribute {name}")
        raise EvalError(f"cannot read .{name} of {type(base).__name__}")

    def _namespace_attr(self, space: Namespace, name: str) -> Any:
        scope = space.scope
        if space.kind == "var":
            return scope.variable(name)
        if space.kind == "local":
            return scope.local(name)
        if space.kind == "module":
            return scope.child(name)
        if space.kind == "data":
            return Namespace("data_type", scope, name)
        mode = "data" if space.kind == "data_type" else "managed"
        return scope.resource_value((mode, space.prefix, name))

    def index(self, base: Any, key: Any) -> Any:
        if isinstance(base, (Unknown, ItsOwn)):
            return base
        if isinstance(key, Unknown):
            return key
        if isinstance(base, list):
            if isinstance(key, str) and key.isdigit():
                key = number_literal(key)
            if isinstance(key, float) and not key.is_integer():
                raise EvalError(f"index {key} is not a whole number")
            if isinstance(key, (int, float)) and not isinstance(key, bool):
                if 0 <= int(key) < len(base):
                    return base[int(key)]
                raise EvalError(f"index {key} is out of range ({len(base)} items)")
        if isinstance(base, dict):
            if to_string(key) in base:
                return base[to_string(key)]
            raise EvalError(f"no key {key!r}")
        if isinstance(base, Handle):
            return Unknown("a value known only after apply")
        raise EvalError(f"cannot index {type(base).__name__} with {key!r}")

    def _e_binary(self, node: hcl.Node, context: Context) -> Any:
        return self._precedence(list(node.children), list(node.names), context)

    def _e_too_deep(self, node: hcl.Node, context: Context) -> Any:
        raise EvalError("expressions nest too deeply")

    def _precedence(self, operands: List[Any], operators: List[str], context: Context) -> Any:
        """Left-associative operators by precedence (shunting-yard)."""
        values: List[Any] = []
        stack: List[str] = []

        def reduce() -> None:
            right, left = values.pop(), values.pop()
            values.append(_binary(stack.pop(), left, right))

        for position, operand in enumerate(operands):
            values.append(self.eval(operand, context))
            if position < len(operators):
                operator = operators[position]
                while stack and _BINARY_PRECEDENCE[stack[-1]] >= _BINARY_PRECEDENCE[operator]:
                    reduce()
                stack.append(operator)
        while stack:
            reduce()
        return values[0]

    def _e_unary(self, node: hcl.Node, context: Context) -> Any:
        operator = node.text
        value = self.eval(node.children[0], context)
        if isinstance(value, Unknown):
            return value
        if operator == "!":
            if not isinstance(value, bool):
                raise EvalError("! wants a bool")
            return not value
        return -to_number(value)

    def _e_conditional(self, node: Any, context: Context) -> Any:
        condition = self.eval(node.children[0], context)
        if isinstance(condition, Unknown):
            return condition
        if isinstance(condition, str) and condition in ("true", "false"):
            condition = condition == "true"
        if not isinstance(condition, bool):
            raise EvalError("the condition is not a bool")
        return self.eval(node.children[1 if condition else 2], context)

    def _e_call(self, node: hcl.Node, context: Context) -> Any:
        name, arguments, expand = node.text, list(node.children), node.flag
        if "::" in name:
            return Unknown(f"{context.where}: provider functions are not evaluated offline")
        if name in ("try", "can"):
            return self._try(name, arguments, context)
        values = [self.eval(argument, context) for argument in arguments]
        if expand:
            last = values.pop()
            if isinstance(last, Unknown):
                return last
            values.extend(last if isinstance(last, list) else [last])
        if name == "coalesce":
            for value in values:
                if isinstance(value, Unknown):
                    return value
                if value is not None and value != "":
                    return value
            raise EvalError("coalesce: no non-empty argument")
        if name == "coalescelist":
            for value in values:
                if isinstance(value, Unknown) or value:
                    return value
            return []
        if name == "length":
            value = values[0] if values else None
            if isinstance(value, Unknown):
                return value
            if isinstance(value, (list, dict, str)):
                return len(value)
            raise EvalError("length wants a collection")
        function = FUNCTIONS.get(name)
        if function is None:
            return Unknown(f"{context.where}: function {name}() is not evaluated offline")
        self.weigh(values)
        unknown = has_unknown(values)
        if unknown is not None:
            if name == "jsonencode":  # a policy's statements stay readable around the unknown
                return Unknown(unknown.reason, encodes=values[0] if values else None)
            return unknown
        if name == "jsonencode" and has_reference(values):
            reason = f"{context.where}: jsonencode() of a value known only after apply"
            return Unknown(reason, encodes=values[0] if values else None)
        if name not in _HANDLE_SAFE and has_reference(values):
            return Unknown(f"{context.where}: {name}() of a value known only after apply")
        try:
            return function(*values)
        except EvalError:
            raise
        except (TypeError, ValueError, IndexError, KeyError, OverflowError, RecursionError) as e:
            raise EvalError(f"{name}(): {str(e)[:200]}") from None

    def _try(self, name: str, arguments: List[Any], context: Context) -> Any:
        for argument in arguments:
            try:
                value = self._eval(argument, context)
            except EvalError:
                continue
            if name == "can":
                return not isinstance(value, Unknown) or value
            return value
        if name == "can":
            return False
        raise EvalError("try: no argument could be evaluated")

    def _e_for(self, node: hcl.Node, context: Context) -> Any:
        source_node, key_node, value_node, condition = node.children
        names, as_object, grouping = node.names, node.text == "object", node.flag
        source = self.eval(source_node, context)
        if isinstance(source, Unknown):
            return source
        if isinstance(source, dict):
            pairs: Iterator[Tuple[Any, Any]] = iter(source.items())
        elif isinstance(source, list):
            pairs = iter(enumerate(source))
        else:
            raise EvalError("for wants a list or a map")
        out_list: List[Any] = []
        out_map: Dict[str, Any] = {}
        for key, value in pairs:
            self.spend(1)  # past the budget the loop stops here, not after every item
            inner = dict(context.names)
            if len(names) == 2:
                inner[names[0]], inner[names[1]] = key, value
            else:
                inner[names[0]] = value
            local = Context(context.scope, inner, context.where)
            if condition is not None:
                keep = self.eval(condition, local)
                if isinstance(keep, Unknown):
                    return keep
                if keep is not True:
                    continue
            if as_object:
                result_key = self.eval(key_node, local)
                if isinstance(result_key, Unknown):
                    return result_key
                result = self.eval(value_node, local)
                if grouping:
                    out_map.setdefault(to_string(result_key), []).append(result)
                else:
                    out_map[to_string(result_key)] = result
            else:
                out_list.append(self.eval(value_node, local))
        return out_map if as_object else out_list

    # nested blocks

    def blocks(self, body: hcl.Body, context: Context) -> Dict[str, List[Dict[str, Any]]]:
        """Nested blocks (``dynamic`` ones expanded) as a plan lists them: name -> [values]."""
        out: Dict[str, List[Any]] = {}
        for block in body.blocks:
            if block.type == "dynamic" and block.labels:
                out.setdefault(block.labels[0], [])
                expanded = self._dynamic(block, context)
                if isinstance(expanded, Unknown):
                    out[block.labels[0]] = expanded  # type: ignore[assignment]
                elif isinstance(out[block.labels[0]], list):
                    out[block.labels[0]].extend(expanded)
            elif block.type not in _META_BLOCKS:
                target = out.setdefault(block.type, [])
                if isinstance(target, list):
                    target.append(self.block_values(block.body, context))
        return out

    def block_values(self, body: hcl.Body, context: Context) -> Dict[str, Any]:
        values = {
            name: self.settle(self.eval(expression, context), context.where)
            for name, expression in body.attributes.items()
        }
        values.update(self.blocks(body, context))
        return values

    def _dynamic(self, block: hcl.Block, context: Context) -> Any:
        items = self.eval(block.body.attributes.get("for_each"), context)
        if isinstance(items, Unknown):
            return Unknown(f"dynamic {block.labels[0]} blocks: {items.reason}", items.text)
        if not isinstance(items, (list, dict, type(None))):
            return Unknown(f"dynamic {block.labels[0]} blocks: for_each is not a collection")
        try:
            self.spend(len(items or ()))
        except EvalError as error:
            return Unknown(f"dynamic {block.labels[0]} blocks: {error}")
        iterator = block.labels[0]
        if "iterator" in block.body.attributes:
            iterator_node = block.body.attributes["iterator"]
            iterator = _identifier_text(iterator_node) or iterator
        content = next((b for b in block.body.blocks if b.type == "content"), None)
        if content is None:
            return []
        pairs = items.items() if isinstance(items, dict) else enumerate(items or [])
        out = []
        for key, value in pairs:
            if self.steps > _MAX_STEPS:
                return Unknown(f"dynamic {block.labels[0]} blocks: evaluation budget spent")
            names = dict(context.names)
            names[iterator] = {"key": key, "value": value}
            out.append(
                self.block_values(content.body, Context(context.scope, names, context.where))
            )
        return out


_HANDLE_SAFE = {
    "sensitive",
    "nonsensitive",
    "concat",
    "element",
    "lookup",
    "merge",
    "slice",
    "tolist",
    "toset",
    "flatten",
    "distinct",
    "compact",
    "keys",
    "values",
    "zipmap",
    "one",
    "reverse",
    "tomap",
    "coalesce",
}


def _text_part(value: Any, source: str) -> str:
    if value is None:
        return ""
    try:
        return to_string(value)
    except EvalError:  # a reference or a collection: keep it as written
        return source


def _provider_alias(node: Any) -> Optional[str]:
    """``aws.west`` written as a resource's ``provider``: "west"; None for the default."""
    if isinstance(node, hcl.Node) and node.kind == "get_attr":
        return node.text
    return None


def _providers_map(call: hcl.Block) -> Dict[str, Optional[str]]:
    """A module call's ``providers = { aws = aws.west, aws.east = aws }``: the child's provider
    ("aws" or "aws.ALIAS" as the child names it) -> the parent's alias (None: the default)."""
    node = call.body.attributes.get("providers")
    mapping: Dict[str, Optional[str]] = {}
    for pair in node.children if isinstance(node, hcl.Node) and node.kind == "object" else ():
        key, value = pair.children
        name = key.text if key.kind == "variable" else None
        if key.kind == "get_attr" and key.children[0].kind == "variable":
            name = key.children[0].text + "." + key.text
        if name is not None:
            mapping[name] = _provider_alias(value)
    return mapping


def _identifier_text(node: Any) -> Optional[str]:
    return node.text if isinstance(node, hcl.Node) and node.kind == "variable" else None


def _interpolation_end(text: str, start: int) -> int:
    depth, position, quote = 1, start, False
    while position < len(text):
        char = text[position]
        if quote:
            if char == "\\":
                position += 1
            elif char == '"':
                quote = False
        elif char == '"':
            quote = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return position
        position += 1
    raise EvalError("an interpolation is not closed")


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    return re.sub(
        r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)",
        lambda m: (
            chr(int(m.group(1)[1:], 16))
            if m.group(1)[0] in "uU" and len(m.group(1)) > 1
            else _ESCAPES.get(m.group(1), m.group(1))
        ),
        text,
    )


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    return "number" if isinstance(value, (int, float)) else type(value).__name__


def _binary(operator: str, left: Any, right: Any) -> Any:
    result = _operate(operator, left, right)
    if isinstance(result, float) and not math.isfinite(result):
        raise EvalError(f"{operator} gives a number out of range")
    if isinstance(result, int) and result.bit_length() > 256:
        raise EvalError(f"{operator} gives a number of more than 256 bits")
    return result


def _operate(operator: str, left: Any, right: Any) -> Any:
    if operator == "&&" and left is False or operator == "||" and left is True:
        return left  # known whatever the right operand is
    for value in (left, right):
        if isinstance(value, Unknown):
            return value
    if operator in ("==", "!="):
        if isinstance(left, Handle) or isinstance(right, Handle):
            return Unknown("a comparison with a value known only after apply")
        # Terraform compares type and value: 1 != "1", true != 1
        equal = left == right and _kind(left) == _kind(right)
        return equal if operator == "==" else not equal
    if operator in ("&&", "||"):
        if not isinstance(left, bool) or not isinstance(right, bool):
            raise EvalError(f"{operator} wants bools")
        return left and right if operator == "&&" else left or right
    a, b = to_number(left), to_number(right)
    if operator == "+":
        result = a + b
    elif operator == "-":
        result = a - b
    elif operator == "*":
        result = a * b
    elif operator in ("/", "%"):
        if b == 0:
            raise EvalError("division by zero")
        result = a / b if operator == "/" else a % b
    elif operator == "<":
        return a < b
    elif operator == "<=":
        return a <= b
    elif operator == ">":
        return a > b
    else:
        return a >= b
    return int(result) if isinstance(result, float) and result.is_integer() else result
