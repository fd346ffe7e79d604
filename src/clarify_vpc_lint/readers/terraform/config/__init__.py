"""Terraform configuration as written (a root module directory), evaluated offline.

``read_configuration(directory, var_files, variables)`` returns a ``Configuration``:

- ``instances``: the resource instances a plan's ``planned_values`` would list (managed
  resources, and data sources with ``mode == "data"``), each an ``Instance`` with its address
  (``module.net["a"].aws_subnet.private[0]``), type, name, index (count index or for_each
  key), module address, file and line of its block, and ``values``: plain JSON with nested
  blocks as lists of dicts (``dynamic`` blocks expanded), where a leaf may be ``Unknown``
  (the inputs do not tell; the reason says how to supply it) or ``Handle`` (known only after
  apply, such as a new resource's ``id``: the Handle's key is ``key_prefix`` + the address of
  the resource it names, as the plan reader makes from a plan's ``configuration``).
- ``skipped``: what produced no instances: remote modules, and resources or modules whose
  ``count``/``for_each`` is unknown, each with its reason, file and line; ``possible``: those
  resources evaluated as one instance that may exist (``count.index``, ``each.*`` unknown).
- ``undeclared``: ``--var`` names the root module does not declare (likely typos).

Terraform is never run and nothing is downloaded: remote modules and data sources (except
``aws_region``, ``aws_availability_zones`` names, ``aws_vpc_endpoint_service`` service
names and ``aws_iam_policy_document`` JSON, see iam.py) are unknown. tree-sitter is imported only when a file is parsed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterable, Mapping, Optional

from .... import keys
from ....values import Unknown
from . import hcl
from .evaluate import Evaluator
from .module import Configuration, Instance, ModuleConfig, ResourceRef, Scope, Skipped, inside

__all__ = [
    "Configuration",
    "Instance",
    "Skipped",
    "backend_of",
    "local_module_calls",
    "read_configuration",
    "root_outputs",
]


def _var_files(directory: Path, explicit: Iterable[Path]) -> list:
    """Terraform's order: terraform.tfvars(.json), *.auto.tfvars(.json) by name, then -var-file.

    The files Terraform reads unasked must lie in the root directory once symlinks are
    resolved (a link to ~/.aws/credentials is refused, not read); a ``--var-file`` is an input
    the user named. Either way only regular files are read (``hcl.read_file``).
    """
    automatic = sorted(
        path
        for path in directory.iterdir()
        if path.name in ("terraform.tfvars", "terraform.tfvars.json")
        or path.name.endswith((".auto.tfvars", ".auto.tfvars.json"))
    )
    automatic.sort(key=lambda path: not path.name.startswith("terraform.tfvars"))
    return [(path, True) for path in automatic] + [(Path(p), False) for p in explicit]


def read_configuration(
    directory: Path,
    var_files: Iterable[Path] = (),
    variables: Optional[Mapping[str, str]] = None,
    key_prefix: Optional[str] = None,
    modules: Optional[Dict[Path, ModuleConfig]] = None,
    remote_state: Any = None,
) -> Configuration:
    """Evaluate the root module in ``directory``.

    ``variables`` are ``--var NAME=VALUE`` texts (parsed as HCL unless the variable is a
    string, number or bool); ``key_prefix`` starts every Handle key (default: the keys of
    ``keys.tf_root_resource`` for the resolved directory).
    ``modules`` caches parsed module directories across calls (``local_module_calls``);
    ``remote_state`` gives the outputs a ``terraform_remote_state`` reads (``Evaluator``).
    A file that cannot be read (not valid HCL, a FIFO, a link out of the root) is one entry
    of ``errors`` (here, or in the ``ModuleConfig`` of its module directory); the rest is read.
    """
    configuration = Configuration()
    evaluator = _evaluator(directory, var_files, variables, key_prefix, modules, configuration)
    evaluator.remote_state = remote_state
    root = Scope(evaluator, evaluator.module_at(evaluator.root), "", None, None)
    evaluator.root_scope = root
    _emit(root, configuration)
    configuration.undeclared = sorted(set(variables or {}) - set(root.module.variables))
    for module in evaluator.modules.values():
        configuration.errors += [(e.path, e.line, e.what) for e in module.errors]
    configuration.errors += [e for e in evaluator.errors if e not in configuration.errors]
    configuration.notes = evaluator.notes
    return configuration


def root_outputs(
    directory: Path,
    var_files: Iterable[Path],
    variables: Optional[Mapping[str, str]],
    key_prefix: str,
    modules: Dict[Path, ModuleConfig],
    remote_state: Any = None,
) -> Dict[str, Any]:
    """The outputs of the root module in ``directory`` as another root's terraform_remote_state
    reads them: plain values, references to its resources as Handles (``key_prefix``)."""
    evaluator = _evaluator(directory, var_files, variables, key_prefix, modules, Configuration())
    evaluator.remote_state = remote_state
    root = Scope(evaluator, evaluator.module_at(evaluator.root), "", None, None)
    evaluator.root_scope = root
    return {
        name: evaluator.settle(root.output(name), f"output {name}") for name in root.module.outputs
    }


def backend_of(directory: Path, modules: Dict[Path, ModuleConfig]) -> Any:
    """The root module's state backend: (type, its literal settings); ("local", {}) where the
    configuration names none."""
    evaluator = Evaluator(Path(directory).resolve(), {}, {}, "")
    evaluator.modules = modules
    module = evaluator.module_at(evaluator.root)
    for block in module.backends:
        context = evaluator.bare.context({}, "backend")
        settings = {
            name: evaluator.eval(expression, context)
            for name, expression in block.body.attributes.items()
        }
        return (block.labels[0] if block.labels else "", settings)
    return ("local", {})


def _evaluator(
    directory: Path,
    var_files: Iterable[Path],
    variables: Optional[Mapping[str, str]],
    key_prefix: Optional[str],
    modules: Optional[Dict[Path, ModuleConfig]],
    configuration: Configuration,
) -> Evaluator:
    """An evaluator of the root in ``directory`` with its variable files read (what cannot be
    read is in ``configuration.errors``)."""
    directory = Path(directory).resolve()
    prefix = key_prefix if key_prefix is not None else keys.tf_root_resource(str(directory), "")
    evaluator = Evaluator(directory, {}, dict(variables or {}), prefix)
    if modules is not None:
        evaluator.modules = modules
    for path, automatic in _var_files(directory, var_files):
        if automatic and not inside(path, directory):
            what = "a symbolic link to a file outside its root module folder; not read"
            configuration.errors.append((str(path), None, what))
            continue
        try:
            body = hcl.read_file(path)
        except hcl.FileError as error:
            configuration.errors.append((error.path, error.line, error.what))
            continue
        for name, expression in body.attributes.items():
            evaluator.variables[name] = evaluator.eval(
                expression, evaluator.bare.context({}, f"{path.name}: {name}")
            )
    return evaluator


def local_module_calls(directory: Path, modules: Dict[Path, ModuleConfig]) -> list:
    """The directories of the local modules (``source = "./..."``) a module directory calls.

    A directory that another one calls is a child module, not a root. ``modules`` caches the
    parsed directories for ``read_configuration``; files that cannot be read are in their
    ``ModuleConfig.errors``.
    """
    directory = Path(directory).resolve()
    evaluator = Evaluator(directory, {}, {}, "")
    evaluator.modules = modules
    module = evaluator.module_at(directory)
    called = []
    for block in module.calls.values():
        source = evaluator.module_source(evaluator.bare, block)
        if isinstance(source, Path):
            called.append(source)
    return called


def _emit(scope: Scope, configuration: Configuration) -> None:
    for key, block in scope.module.resources.items():
        try:
            _emit_resource(scope, key, block, configuration)
        except Exception as error:  # an evaluator bug: this block is lost, never the root
            address = scope.address_of(key, None)
            what = f"internal error while evaluating {address}: {type(error).__name__}: {error}"
            configuration.errors.append((block.file, block.line, what[:300]))
    for name, block in scope.module.calls.items():
        child = scope.child(name)
        if isinstance(child, Unknown):
            address = f"{scope.address + '.' if scope.address else ''}module.{name}"
            expansion = scope.expansion(("module", name), block)
            unknown_count = isinstance(expansion, Unknown) and expansion.reason == child.reason
            cause = "expansion" if unknown_count else "source"
            configuration.skipped.append(
                Skipped(address, child.reason, block.file, block.line, cause)
            )
            continue
        if isinstance(child, dict):
            child = list(child.values())
        for item in child if isinstance(child, list) else [child]:
            _emit(item.scope, configuration)


def _emit_resource(scope: Scope, key: Any, block: Any, configuration: Configuration) -> None:
    """The instances of one resource block (or what skipped it)."""
    expansion = scope.expansion(key, block)
    if isinstance(expansion, Unknown):
        address = scope.address_of(key, None)
        configuration.skipped.append(Skipped(address, expansion.reason, block.file, block.line))
        if key[0] == "managed":
            values = scope.instance_values(ResourceRef(scope, key, None))
            configuration.possible.append(
                Instance(address, *key, None, scope.address, values, block.file, block.line)
            )
        return
    indices: Any = [None] if expansion is None else list(expansion)
    region = _written_region(scope, block) if indices else None
    for index in indices:
        ref = ResourceRef(scope, key, index)
        mode, kind, name = key
        values = scope.instance_values(ref) if mode == "managed" else _data_values(scope, ref)
        configuration.instances.append(
            Instance(
                address=ref.address,
                mode=mode,
                type=kind,
                name=name,
                index=index,
                module=scope.address,
                values=values,
                file=block.file,
                line=block.line,
                region=region,
            )
        )


def _written_region(scope: Scope, block: Any) -> Any:
    """The region a block's resources are created in, as its plan's provider configuration says
    it: None where the configuration writes none (the run's ``--region`` stands)."""
    region = scope.evaluator.region(scope, block)
    return region if isinstance(region, str) else None


def _data_values(scope: Scope, ref: ResourceRef) -> Dict[str, Any]:
    block = scope.module.resources[ref.key]
    values = {
        name: scope.evaluator.settle(scope.attribute(ref, name), ref.address)
        for name in block.body.attributes
        if name not in ("count", "for_each", "provider", "depends_on")
    }
    if ref.key[1] in ("aws_availability_zones", "aws_region"):
        attribute = "names" if ref.key[1] == "aws_availability_zones" else "name"
        values[attribute] = scope.attribute(ref, attribute)
    return values
