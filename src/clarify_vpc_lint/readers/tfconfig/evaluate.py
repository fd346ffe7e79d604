"""The expression evaluator: HCL syntax trees and ``.tf.json`` values to plain values.

Values are computed lazily and memoised by the module instances (``module.Scope``): a
resource's attribute is evaluated when the resource is emitted or when another expression
refers to it. What only ``apply`` knows (a new resource's ``id``) becomes a ``Handle`` naming
the resource, as the plan reader makes from a plan's ``configuration``; what the inputs do not
determine becomes ``Unknown`` saying why.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

from ...values import Handle, Unknown
from . import hcl
from .functions import FUNCTIONS, EvalError, has_unknown, to_number, to_string
from .iam import partial_policy_document, policy_document
from .module import (
    MISSING,
    Context,
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
        self.bare = Scope(self, ModuleConfig(root), "", None, None)  # for tfvars and --var values
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

    def module_source(self, scope: Scope, block: hcl.Block) -> Any:
        source = self.eval(block.body.attributes.get("source"), scope.context({}, "source"))
        if isinstance(source, str) and source.startswith(("./", "../")):
            directory = (scope.module.directory / source).resolve()
            if directory.is_dir():
                return directory
            return Unknown(f"module {block.labels[0]}: {source} is not a directory")
        return Unknown(
            f"module {block.labels[0]} comes from {source!r}, which is not downloaded; "
            "resources and outputs of remote modules are not known"
        )

    # data sources that can be known offline

    def region(self) -> Any:
        scope = self.root_scope
        for block in scope.module.providers if scope is not None else []:
            attributes = block.body.attributes
            aws = block.labels in (["aws"], ["awscc"])
            if aws and "alias" not in attributes and "region" in attributes:
                return self.eval(attributes["region"], scope.context({}, "provider aws"))
        return Unknown(
            "the AWS region is not set in the aws provider block (the environment is not read)"
        )

    def data_attribute(self, scope: Scope, ref: ResourceRef, block: hcl.Block, name: str) -> Any:
        kind = ref.key[1]
        if kind == "aws_region" and name in ("name", "region", "id"):
            return self.region()
        if kind == "aws_availability_zones" and name == "names":
            region = self.region()
            if isinstance(region, Unknown):
                return [Unknown("availability zone names depend on the region") for _ in "abc"]
            return [f"{region}{letter}" for letter in "abcdef"]
        if kind == "aws_partition" and name in ("partition", "id"):
            region = self.region()
            if isinstance(region, str):
                return next((p for r, p in _PARTITIONS if region.startswith(r)), "aws")
            return region
        if kind == "aws_vpc_endpoint_service" and name == "service_name":
            service = block.body.attributes.get("service")
            if service is not None:
                value = scope._attribute(ref, block, "service")
                region = self.region()
                if isinstance(value, Unknown) or isinstance(region, Unknown):
                    return value if isinstance(value, Unknown) else region
                return f"com.amazonaws.{region}.{value}"
        if kind == "aws_iam_policy_document" and name in ("json", "minified_json"):
            return self._policy_document(scope, ref, name)
        if name in block.body.attributes:
            return scope.memo(
                ("attr", ref.key, ref.index, name), lambda: scope._attribute(ref, block, name)
            )
        return Unknown(f"{ref.address}.{name} is read from AWS; data sources are not read offline")

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
        data = getattr(node, "data", None)
        if data is None:  # a token
            return self._token(node, context)
        method = getattr(self, f"_e_{data}", None)
        if method is None:
            raise EvalError(f"{data} expressions are not evaluated")
        return method(node, context)

    def _token(self, token: Any, context: Context) -> Any:
        kind = token.type
        if kind == "STRING_LIT":
            return self.template(str(token)[1:-1], context, escapes=True)
        raise EvalError(f"unexpected token {token}")

    def _heredoc(self, text: str, context: Context) -> Any:
        trim = text.startswith("<<-")
        lines = text.split("\n")
        body = lines[1:-1]
        if trim:
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
            known = "".join(
                (part.text or source) if isinstance(part, Unknown) else _text_part(part, source)
                for part, source in zip(parts, sources)
            )
            reason = unknown.reason if unknown is not None else "a value known only after apply"
            return Unknown(reason, known)
        return "".join(to_string(p) if p is not None else "" for p in parts)

    # tree nodes

    def _e_expr_term(self, node: Any, context: Context) -> Any:
        return self._eval(node.children[0], context)

    def _e_int_lit(self, node: Any, context: Context) -> Any:
        return int("".join(str(c) for c in node.children))

    def _e_float_lit(self, node: Any, context: Context) -> Any:
        return float("".join(str(c) for c in node.children))

    def _e_tuple(self, node: Any, context: Context) -> Any:
        return [self.eval(child, context) for child in node.children]

    def _e_object(self, node: Any, context: Context) -> Any:
        out: Dict[str, Any] = {}
        for element in node.children:
            key_node, value_node = element.children[0], element.children[-1]
            if getattr(key_node, "data", None) == "identifier":
                key: Any = str(key_node.children[0])
            else:
                key = self.eval(key_node, context)
                if isinstance(key, Unknown):
                    return key
                key = to_string(key)
            out[key] = self.eval(value_node, context)
        return out

    def _e_identifier(self, node: Any, context: Context) -> Any:
        name = str(node.children[0])
        if name in context.names:
            return context.names[name]
        if name in ("true", "false"):
            return name == "true"
        if name == "null":
            return None
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

    def _e_get_attr_expr_term(self, node: Any, context: Context) -> Any:
        base = self.eval(node.children[0], context)
        return self.get_attr(base, str(node.children[1].children[0].children[0]), context)

    def _e_index_expr_term(self, node: Any, context: Context) -> Any:
        base = self.eval(node.children[0], context)
        return self.index(base, self._index_key(node.children[1], context))

    def _index_key(self, index: Any, context: Context) -> Any:
        child = index.children[0]
        if getattr(child, "type", None) == "DECIMAL":  # legacy a.0
            return int("".join(str(c) for c in index.children))
        return self.eval(child, context)

    def _splat(self, node: Any, context: Context) -> Any:
        base = self.eval(node.children[0], context)
        if isinstance(base, Unknown):
            return base
        if base is None:
            return []
        items = base if isinstance(base, list) else [base]
        out = []
        for item in items:
            for step in node.children[1].children:
                if step.data == "get_attr":
                    item = self.get_attr(item, str(step.children[0].children[0]), context)
                else:
                    item = self.index(item, self._index_key(step, context))
            out.append(item)
        return out

    _e_full_splat_expr_term = _splat
    _e_attr_splat_expr_term = _splat

    def get_attr(self, base: Any, name: str, context: Context) -> Any:
        if isinstance(base, Unknown):
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
        if isinstance(base, Unknown):
            return base
        if isinstance(key, Unknown):
            return key
        if isinstance(base, list):
            if isinstance(key, str) and key.isdigit():
                key = int(key)
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

    def _e_binary_op(self, node: Any, context: Context) -> Any:
        # The grammar nests operators to the right whatever their precedence: flatten the chain
        # (without recursion: a chain may be long) and rebuild it by precedence.
        operands: List[Any] = []
        operators: List[str] = []
        pending = [node]
        while pending:
            item = pending.pop()
            if isinstance(item, str):
                operators.append(item)
            elif getattr(item, "data", None) == "binary_op":
                term = item.children[1]
                pending += [term.children[1], str(term.children[0].children[0]), item.children[0]]
            else:
                operands.append(item)
        last = operands[-1]
        if getattr(last, "data", None) == "conditional":
            # "a && b ? x : y" parses as "a && (b ? x : y)"; the condition is "a && b"
            condition = self._precedence([*operands[:-1], last.children[0]], operators, context)
            return self._choose(condition, last, context)
        return self._precedence(operands, operators, context)

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

    def _e_unary_op(self, node: Any, context: Context) -> Any:
        operator = str(node.children[0])
        value = self.eval(node.children[1], context)
        if isinstance(value, Unknown):
            return value
        if operator == "!":
            if not isinstance(value, bool):
                raise EvalError("! wants a bool")
            return not value
        return -to_number(value)

    def _e_conditional(self, node: Any, context: Context) -> Any:
        return self._choose(self.eval(node.children[0], context), node, context)

    def _choose(self, condition: Any, node: Any, context: Context) -> Any:
        if isinstance(condition, Unknown):
            return condition
        if isinstance(condition, str) and condition in ("true", "false"):
            condition = condition == "true"
        if not isinstance(condition, bool):
            raise EvalError("the condition is not a bool")
        return self.eval(node.children[1 if condition else 2], context)

    def _e_function_call(self, node: Any, context: Context) -> Any:
        name = str(node.children[0].children[0])
        arguments = node.children[1].children if len(node.children) > 1 else []
        expand = bool(arguments) and getattr(arguments[-1], "type", None) == "ELLIPSIS"
        if expand:
            arguments = arguments[:-1]
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
        except (TypeError, ValueError, IndexError, KeyError, OverflowError) as error:
            raise EvalError(f"{name}(): {error}") from None

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

    def _e_for_tuple_expr(self, node: Any, context: Context) -> Any:
        return self._for(node, context, as_object=False)

    def _e_for_object_expr(self, node: Any, context: Context) -> Any:
        return self._for(node, context, as_object=True)

    def _for(self, node: Any, context: Context, as_object: bool) -> Any:
        parts = [c for c in node.children if hasattr(c, "data")]
        intro = parts[0]
        trees = [c for c in intro.children if hasattr(c, "data")]
        names = [str(c.children[0]) for c in trees if c.data == "identifier"]
        source_node = next(c for c in trees if c.data != "identifier")
        source = self.eval(source_node, context)
        if isinstance(source, Unknown):
            return source
        grouping = any(str(c) == "..." for c in node.children if not hasattr(c, "data"))
        condition = parts[-1] if parts[-1].data == "for_cond" else None
        bodies = parts[1:-1] if condition is not None else parts[1:]
        if isinstance(source, dict):
            pairs: Iterator[Tuple[Any, Any]] = iter(source.items())
        elif isinstance(source, list):
            pairs = iter(enumerate(source))
        else:
            raise EvalError("for wants a list or a map")
        out_list: List[Any] = []
        out_map: Dict[str, Any] = {}
        for key, value in pairs:
            inner = dict(context.names)
            if len(names) == 2:
                inner[names[0]], inner[names[1]] = key, value
            else:
                inner[names[0]] = value
            local = Context(context.scope, inner, context.where)
            if condition is not None:
                keep = self.eval(condition.children[-1], local)
                if isinstance(keep, Unknown):
                    return keep
                if keep is not True:
                    continue
            if as_object:
                result_key = self.eval(bodies[0], local)
                if isinstance(result_key, Unknown):
                    return result_key
                result = self.eval(bodies[1], local)
                if grouping:
                    out_map.setdefault(to_string(result_key), []).append(result)
                else:
                    out_map[to_string(result_key)] = result
            else:
                out_list.append(self.eval(bodies[0], local))
        return out_map if as_object else out_list

    def _e_heredoc_template(self, node: Any, context: Context) -> Any:
        return self._heredoc(str(node.children[0]), context)

    _e_heredoc_template_trim = _e_heredoc_template

    def _e_provider_function_call(self, node: Any, context: Context) -> Any:
        return Unknown(f"{context.where}: provider functions are not evaluated offline")

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
            name: plain(self.eval(expression, context), self.key_prefix)
            for name, expression in body.attributes.items()
        }
        values.update(self.blocks(body, context))
        return values

    def _dynamic(self, block: hcl.Block, context: Context) -> Any:
        items = self.eval(block.body.attributes.get("for_each"), context)
        if isinstance(items, Unknown):
            return Unknown(f"dynamic {block.labels[0]} blocks: {items.reason}", items.text)
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


def _identifier_text(node: Any) -> Optional[str]:
    while hasattr(node, "children") and node.children:
        if getattr(node, "data", None) == "identifier":
            return str(node.children[0])
        node = node.children[0]
    return None


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
