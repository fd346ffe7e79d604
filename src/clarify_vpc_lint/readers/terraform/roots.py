"""Terraform configuration as written: a root module directory read through the plan's handlers.

``tfconfig`` evaluates the directory offline; each managed resource instance becomes a
``ConfiguredResource``, the ``TfResource`` record ``terraform.HANDLERS`` read, so a ``.tf`` root
and its plan give the same model with the same Terraform defaults. As in a plan, ``values``
holds what is known now; ``value()`` gives, where a value is known only after apply, the
resources its expression references (Handles), or the Unknown saying what to supply.

Keys are scoped to the root module directory (``keys.tf_root_resource``). Data sources are
not modelled (their attributes come from AWS): what references them is a real ID written in
the configuration or Unknown. What ``tfconfig`` could not expand (a remote module, an unknown
``count``/``for_each``) is recorded in ``Network.unknown_addresses`` so that a name under it is
unknown with the reason, and may hold VPC endpoints the VPCs of the run do not know of.
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Mapping, Optional, Tuple

from msgspec import Struct, field

from ... import collector, keys, tfaddress
from ...documents import Document
from ...findings import InputError
from ...model import Location, Network, VpcEndpoint
from ...values import Handle, Unknown, dig
from .. import sagemaker
from ..formats import TERRAFORM_CONFIG_EXTENSIONS, TERRAFORM_LANGUAGE, TERRAFORM_VARIABLE_EXTENSIONS
from .handlers import HANDLERS

if TYPE_CHECKING:  # the evaluator (and tree-sitter) is imported only when .tf files are linted
    from .config import Configuration, Instance, Skipped
    from .config.hcl import FileError
    from .config.module import ModuleConfig

LANGUAGE = TERRAFORM_LANGUAGE
_DATA_SOURCE = (
    "a data source is read from AWS, never offline; add the `aws ec2 describe-*` output "
    "with --context and name the real ID"
)
CONFIG_EXTENSIONS = TERRAFORM_CONFIG_EXTENSIONS
VARIABLE_EXTENSIONS = TERRAFORM_VARIABLE_EXTENSIONS


class ConfiguredResource(Struct, dict=True):
    """One resource instance of a root module as written (implements ``terraform.TfResource``)."""

    instance: Instance
    root: RootModule
    values: Dict[str, Any] = field(default_factory=dict)  # known now, as a plan's values

    def __post_init__(self) -> None:
        self.values = _known(self.instance.values)

    @property
    def address(self) -> str:
        return self.instance.address

    @property
    def type(self) -> str:
        return self.instance.type

    @property
    def mode(self) -> str:
        return self.instance.mode

    @property
    def region(self) -> Any:
        """As ``PlannedResource.region``: the resource's or its provider's ``region``."""
        return self.instance.region

    def value(self, *path: Any) -> Any:
        """As ``PlannedResource.value``: a known value, the Handles of a reference, or Unknown."""
        written = dig(self.instance.values, *path)
        if written is None and self.configured(*path):  # as the plan: null leaves it open
            what = ".".join(str(part) for part in path)
            return Unknown(f"{self.address}: {what} is null, so the provider decides it at apply")
        if isinstance(written, Handle):
            return [written]
        blocks = isinstance(written, dict) or (
            isinstance(written, list) and any(isinstance(item, dict) for item in written)
        )
        if blocks and _known(written) != written:  # blocks holding references: what they name
            return _handles(written) or _first_unknown(written)
        return written

    def configured(self, *path: Any) -> bool:
        """Is the argument written (even as null)?"""
        parent = dig(self.instance.values, *path[:-1]) if path else None
        if isinstance(parent, dict):
            return path[-1] in parent
        return dig(self.instance.values, *path) is not None

    @property
    def handle(self) -> Handle:
        return Handle(keys.tf_root_resource(self.root.directory, self.address))

    @cached_property
    def location(self) -> Location:
        file = self.root.file_of(self.instance.file)
        return Location(file, self.instance.line, 1, self.address, LANGUAGE)

    @property
    def document(self) -> Document:
        return Document(self.root.file_of(self.instance.file), "", None, False)

    def type_of(self, handle: Handle) -> str:
        address = keys.tf_root_address(self.root.directory, handle.key)
        if address is not None:
            return self.root.types.get(address, "")
        for other in self.root.other_roots:  # read through terraform_remote_state
            address = keys.tf_root_address(other, handle.key)
            parsed = tfaddress.parse(address) if address is not None else None
            if parsed is not None:
                return parsed.type
        return ""


class RootModule(Struct):
    """A root module read: its directory as given, and its configuration."""

    directory: str
    configuration: Configuration
    types: Dict[str, str] = field(default_factory=dict)  # address -> type
    names: Mapping[str, str] = field(default_factory=dict)  # real path -> the path as given
    other_roots: List[str] = field(default_factory=list)  # the run's other root directories
    file_names: Dict[str, str] = field(default_factory=dict)  # memo of file_of

    def file_of(self, path: str) -> str:
        name = self.file_names.get(path)
        if name is None:
            name = self.file_names[path] = _file_name(path, self.directory, self.names)
        return name


def _file_name(path: str, directory: str, names: Mapping[str, str]) -> str:
    """A file of a configuration as the run named it, else as its root's folder was named
    (relative stays relative)."""
    if os.path.realpath(path) in names:
        return names[os.path.realpath(path)]
    relative = os.path.relpath(path, os.path.realpath(directory))
    joined = os.path.join(directory, relative)
    return os.path.normpath(joined) if relative.startswith(os.pardir) else joined


class RootsRead(Struct):
    """What reading the ``.tf`` files of a run gave."""

    network: Network = field(default_factory=Network)
    linted: List[str] = field(default_factory=list)  # files read (.tf, .tf.json, .tfvars)
    skipped: List[str] = field(default_factory=list)
    errors: List[InputError] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)  # for --verbose: which input won, and why
    undeclared: List[str] = field(default_factory=list)  # --var names no root module declares


def read_roots(
    files: List[str],
    plans: List[Document],
    var_files: Iterable[str] = (),
    variables: Optional[Mapping[str, str]] = None,
) -> RootsRead:
    """The root modules among the ``.tf``/``.tfvars`` files of a run, each read once.

    A directory of configuration files is a root module unless another directory of the run
    calls it as a local module; a root whose plan is also in the run is left to the plan (the
    more precise input: it knows what only apply would otherwise tell).
    """
    if not files:
        return RootsRead()
    with collector.off():  # parse trees are many small acyclic objects (see collector)
        return _read_roots(files, plans, var_files, variables)


def _read_roots(
    files: List[str],
    plans: List[Document],
    var_files: Iterable[str],
    variables: Optional[Mapping[str, str]],
) -> RootsRead:
    from .config import local_module_calls
    from .config.hcl import FileError

    result = RootsRead()
    var_files = list(var_files)
    names = {os.path.realpath(f): f for f in [*files, *var_files]}
    undeclared: List[set] = []  # per root read: the --var names it does not declare
    by_directory: Dict[str, List[str]] = {}
    for file in files:
        by_directory.setdefault(os.path.dirname(file) or os.curdir, []).append(file)
    modules: Dict[Path, ModuleConfig] = {}
    calls: Dict[str, List[str]] = {}  # directory -> the real paths of the modules it calls
    for directory, listed in by_directory.items():
        if not any(name.endswith(CONFIG_EXTENSIONS) for name in listed):
            continue
        try:
            calls[directory] = [str(p) for p in local_module_calls(Path(directory), modules)]
        except FileError as error:
            result.errors.append(_input_error(error, directory, names))
    roots = _roots(calls)
    planned = {d: _plan_of(d, plans, modules) for d in roots}  # a root's plan is read instead
    states = _RemoteStates(
        [d for d in roots if d in calls and planned[d] is None],
        var_files,
        variables,
        modules,
    )
    read_directories: Dict[str, str] = {}  # real directory -> "linted" | "skipped"
    unread: set = set()  # real paths of files with an input error
    for directory in roots:
        try:
            tree = _tree(directory, modules)
            plan = planned[directory]
            if plan is not None:
                result.notes.append(
                    f"{directory}: Terraform configuration not read; its plan {plan.path} is "
                    "(the more precise input, and the same network)"
                )
                read_directories.update(dict.fromkeys(tree, "skipped"))
                continue
            network, root = read_root(directory, var_files, variables, modules, names, states)
        except FileError as error:
            problem = _input_error(error, directory, names)
            if problem not in result.errors:  # a --var-file that cannot be read: once
                result.errors.append(problem)
            continue
        except Exception as error:  # an evaluator bug must not hide the other inputs' findings
            message = f"internal error while reading: {type(error).__name__}: {error}"
            result.errors.append(InputError(directory, None, message))
            continue
        result.network.extend(network)
        undeclared.append(set(root.configuration.undeclared))
        read_directories.update(dict.fromkeys(tree, "linted"))
        for file, line, what in root.configuration.errors:  # the rest of the root was read
            problem = InputError(_file_name(file, directory, names), line, what)
            if problem not in result.errors:
                result.errors.append(problem)
                unread.add(os.path.realpath(file))
        for file, line, what in root.configuration.notes:
            place = f"{_file_name(file, directory, names)}:{line}" if line else file
            if f"{place}: {what}" not in result.notes:
                result.notes.append(f"{place}: {what}")
    result.undeclared = sorted(set.intersection(*undeclared)) if undeclared else []
    given = {os.path.realpath(f) for f in var_files}
    for file in files:
        status = read_directories.get(os.path.realpath(os.path.dirname(file) or os.curdir))
        read_by_terraform = file.endswith(CONFIG_EXTENSIONS) or _automatic_variables(file)
        if os.path.realpath(file) in unread:
            continue
        if status == "linted" and (read_by_terraform or os.path.realpath(file) in given):
            result.linted.append(file)
        elif status != "skipped":  # a root its plan stands for: the notes say so
            result.skipped.append(file)
    return result


# The settings that say where a backend keeps a state (s3, gcs, azurerm, remote, http, ...).
_STATE_PLACE = (
    *("bucket", "key", "prefix", "path", "address", "container_name"),
    *("storage_account_name", "organization", "workspaces"),
)


class _RemoteStates:
    """Which root module of the run a ``terraform_remote_state`` reads (the same backend and
    state place: a local path, an S3 bucket and key, ...), and that root's outputs, each
    evaluated once. Offline nothing else ties two roots: a state the run does not hold is
    unknown, naming the root to add."""

    def __init__(
        self,
        roots: List[str],
        var_files: List[str],
        variables: Optional[Mapping[str, str]],
        modules: Dict[Path, ModuleConfig],
    ) -> None:
        self.roots = roots  # directories as the run names them (their keys use that name)
        self.var_files = var_files
        self.variables = variables
        self.modules = modules
        self._backends: Dict[str, Any] = {}
        self._outputs: Dict[str, Any] = {}
        self._busy: set = set()

    def reader(self, caller: str) -> Any:
        return lambda backend, config: self.outputs(caller, backend, config)

    def outputs(self, caller: str, backend: str, config: Dict[str, Any]) -> Any:
        from .config import root_outputs
        from .config.hcl import FileError

        root = self._find(caller, backend, config)
        if root is None:
            place = ", ".join(
                f"{k} = {config[k]}" for k in _STATE_PLACE if isinstance(config.get(k), str)
            )
            return Unknown(
                f"terraform_remote_state reads a state ({backend} backend{': ' if place else ''}"
                f"{place}) of no root module in the run; add that root's folder (its .tf files) "
                "to the run"
            )
        if root in self._busy:
            return Unknown(f"the outputs of {root} depend on its own remote state (a cycle)")
        if root not in self._outputs:
            self._busy.add(root)
            try:
                self._outputs[root] = root_outputs(
                    Path(root),
                    [Path(f) for f in self.var_files],
                    self.variables,
                    keys.tf_root_resource(root, ""),
                    self.modules,
                    self.reader(root),
                )
            except FileError as error:
                self._outputs[root] = Unknown(f"the outputs of {root}: {error.what}")
            finally:
                self._busy.discard(root)
        return self._outputs[root]

    def _backend(self, root: str) -> Any:
        from .config import backend_of

        if root not in self._backends:
            self._backends[root] = backend_of(Path(root), self.modules)
        return self._backends[root]

    def _find(self, caller: str, backend: str, config: Dict[str, Any]) -> Optional[str]:
        for root in self.roots:
            kind, settings = self._backend(root)
            if kind != backend or _same_file(root, caller):
                continue
            if backend == "local":  # a path relative to the reading root's folder
                read = str(config.get("path", "terraform.tfstate"))
                kept = str(settings.get("path", "terraform.tfstate"))
                if _same_file(os.path.join(caller, read), os.path.join(root, kept)):
                    return root
                continue
            place = [k for k in _STATE_PLACE if k in config or k in settings]
            if place and all(config.get(k) == settings.get(k) for k in place):
                return root
        return None


def _same_file(one: str, other: str) -> bool:
    try:
        return os.path.realpath(one) == os.path.realpath(other)
    except ValueError:  # a NUL byte in a state path written in the configuration: no file
        return False


def _roots(calls: Dict[str, List[str]]) -> List[str]:
    """The directories no other directory of the run calls as a module; and where modules call
    each other in a circle (a module calling itself, a pair), the first of each circle, so that
    the circle is read and reported rather than nothing checked."""
    real = {directory: os.path.realpath(directory) for directory in calls}
    callers: Dict[str, set] = {}
    for directory, called in calls.items():
        for target in called:
            if target != real[directory]:
                callers.setdefault(target, set()).add(real[directory])
    roots = [d for d in calls if not callers.get(real[d])]
    reached = set()
    pending = [real[d] for d in roots]
    by_real = {real[d]: d for d in calls}
    while pending:
        current = pending.pop()
        if current not in reached:
            reached.add(current)
            pending += calls.get(by_real.get(current, ""), [])
    for directory in calls:  # only in circles: the first of each
        if real[directory] not in reached:
            roots.append(directory)
            pending = [real[directory]]
            while pending:
                current = pending.pop()
                if current not in reached:
                    reached.add(current)
                    pending += calls.get(by_real.get(current, ""), [])
    return roots


def _automatic_variables(file: str) -> bool:
    """terraform.tfvars and *.auto.tfvars beside a root: Terraform reads them unasked."""
    name = os.path.basename(file)
    return name in ("terraform.tfvars", "terraform.tfvars.json") or name.endswith(
        (".auto.tfvars", ".auto.tfvars.json")
    )


def _tree(directory: str, modules: Dict[Path, ModuleConfig]) -> List[str]:
    """The real paths of a root's directory and of every local module it calls, at any depth."""
    from .config import local_module_calls

    tree, pending = [], [os.path.realpath(directory)]
    while pending:
        current = pending.pop()
        if current in tree:
            continue
        tree.append(current)
        pending += [str(p) for p in local_module_calls(Path(current), modules)]
    return tree


def _plan_of(
    directory: str, plans: List[Document], modules: Dict[Path, ModuleConfig]
) -> Optional[Document]:
    """A plan of this root in the run: in its directory, or declaring the same root module."""
    real = os.path.realpath(directory)
    module = modules.get(Path(real))
    declared = _declared(module) if module is not None else None
    for plan in plans:
        if os.path.dirname(os.path.realpath(plan.path)) == real:
            return plan
    for plan in plans:
        configuration = plan.data.get("configuration")
        root = configuration.get("root_module") if isinstance(configuration, dict) else None
        if isinstance(root, dict) and declared and _plan_declared(root) == declared:
            return plan
    return None


def _declared(module: ModuleConfig) -> Tuple[frozenset, frozenset]:
    resources = frozenset(
        f"{'data.' if mode == 'data' else ''}{kind}.{name}" for mode, kind, name in module.resources
    )
    return resources, frozenset(module.calls)


def _plan_declared(root: Dict[str, Any]) -> Tuple[frozenset, frozenset]:
    resources = root.get("resources") if isinstance(root.get("resources"), list) else []
    calls = root.get("module_calls") if isinstance(root.get("module_calls"), dict) else {}
    return (
        frozenset(r.get("address") for r in resources if isinstance(r, dict)),
        frozenset(calls),
    )


def _input_error(error: FileError, directory: str, names: Mapping[str, str]) -> InputError:
    return InputError(_file_name(error.path, directory, names), error.line, error.what)


def read_root(
    directory: str,
    var_files: Iterable[str] = (),
    variables: Optional[Mapping[str, str]] = None,
    modules: Optional[Dict[Path, ModuleConfig]] = None,
    names: Optional[Mapping[str, str]] = None,
    states: Optional[_RemoteStates] = None,
) -> Tuple[Network, RootModule]:
    """The network a root module directory describes. Raises ``FileError`` on invalid HCL.
    ``states`` gives the outputs its terraform_remote_state data sources read."""
    from .config import read_configuration

    configuration = read_configuration(
        Path(directory),
        [Path(f) for f in var_files],
        variables,
        keys.tf_root_resource(directory, ""),
        modules,
        states.reader(directory) if states is not None else None,
    )
    root = RootModule(directory, configuration, names=names or {})
    if states is not None:
        root.other_roots = [r for r in states.roots if r != directory]
    root.types = {i.address: i.type for i in configuration.instances}
    network = Network()
    for instance in configuration.instances:
        handler = HANDLERS.get((instance.mode, instance.type))
        if instance.mode == "data":  # read from AWS: named in a job, it is unknown
            network.unknown_addresses.append((instance.address, _DATA_SOURCE))
        elif handler is not None:
            _handle(handler, instance, root, network)
    starts_jobs = set()  # the possible instances that would be Clarify jobs or models
    for instance in configuration.possible:
        handler = HANDLERS.get((instance.mode, instance.type))
        if handler is not None:
            possible = Network()
            _handle(handler, instance, root, possible)
            if possible.jobs or possible.models:
                starts_jobs.add(instance.address)
            network.extend(_conditional(possible))
    for skipped in configuration.skipped:
        network.unknown_addresses.append((skipped.address, skipped.reason))
        if _is_module(skipped):
            network.endpoints.append(_possible_endpoint(skipped, root))
    network.extend(_hidden(configuration, root, starts_jobs))
    return network, root


def _hidden(configuration: Configuration, root: RootModule, starts_jobs: set) -> Network:
    """What the configuration cannot read and may hold Clarify jobs, one info per cause: a
    local module whose folder is missing (naming the module and the path), and root module
    calls, and resources that would be jobs or models (``starts_jobs``), whose ``count`` or
    ``for_each`` is unknown (an unset variable: naming it and the blocks it hides). What else
    such a resource makes is read as possible instances; remote modules are unknown as the
    SPEC says, not reported."""
    missing = {what for _, _, what in configuration.notes}
    causes: Dict[str, List[Skipped]] = {}
    for skipped in configuration.skipped:
        in_root = skipped.address.count(".") == 1
        hides = _is_module(skipped) or skipped.address in starts_jobs
        if skipped.reason in missing or (skipped.cause == "expansion" and in_root and hides):
            causes.setdefault(skipped.reason, []).append(skipped)
    network = Network()
    for reason, hidden in causes.items():
        first = hidden[0]
        loc = Location(root.file_of(first.file), first.line, 1, first.address, LANGUAGE)
        if reason not in missing:
            names = ", ".join(
                f"{s.address} ({os.path.basename(s.file)}:{s.line})" for s in hidden[:8]
            )
            reason = (
                f"{reason}; the count or for_each of {names}"
                f"{', ...' if len(hidden) > 8 else ''} depends on it, so nothing "
                f"{'they make is' if len(hidden) > 1 else 'it makes is'} checked"
            )
        unknown = Unknown(reason)
        network.jobs.append(sagemaker.defaults_job(unknown, loc, unknown, inference=unknown))
    return network


def _handle(handler: Any, instance: Instance, root: RootModule, network: Network) -> None:
    """One instance through its handler; a value of the wrong shape the handler does not expect
    loses that instance (an input error on its block), never the root."""
    part = Network()
    try:
        handler(ConfiguredResource(instance, root), part)
    except Exception as error:
        what = f"{instance.address} not read: {type(error).__name__}: {error}"
        root.configuration.errors.append((instance.file, instance.line, what[:300]))
        return
    network.extend(part)


def _conditional(possible: Network) -> Network:
    """What a resource that may exist adds to others, each part conditional. The entities it
    would be (a subnet, a group) are left out: a reference to them is already Unknown."""
    for rule in possible.security_group_rules:
        rule.permission.conditional = True
    for _, route in possible.routes:
        route.conditional = True
    for association in possible.associations:
        association.conditional = True
    for endpoint in possible.endpoints:
        endpoint.conditional = True
    return Network(
        routes=possible.routes,
        associations=possible.associations,
        security_group_rules=possible.security_group_rules,
        endpoints=possible.endpoints,
    )


def _is_module(skipped: Skipped) -> bool:
    """A module call not expanded (a remote module, an unknown count): it may hold anything."""
    return skipped.address.rsplit(".", 2)[-2:-1] == ["module"]


def _possible_endpoint(skipped: Skipped, root: RootModule) -> VpcEndpoint:
    """What a VPC's endpoint checks must count with: endpoints that may exist, nobody knows where."""
    unknown = Unknown(f"{skipped.address}: {skipped.reason}")
    loc = Location(root.file_of(skipped.file), skipped.line, 1, skipped.address, LANGUAGE)
    fields = dict.fromkeys(
        ("vpc", "service", "endpoint_type", "private_dns", "route_tables", "subnets"), unknown
    )
    return VpcEndpoint(loc, [], **fields, security_groups=unknown, conditional=True)


def _known(value: Any) -> Any:
    """A value as a plan knows it before apply: None where any part is a reference or Unknown;
    a block (a dict) keeps its known arguments."""
    if isinstance(value, dict):
        known = {}
        for key, item in value.items():
            item = _known(item)
            if item is not None:
                known[key] = item
        return known
    if isinstance(value, list):
        items = [_known(item) for item in value]
        if all(isinstance(item, dict) for item in value) or None not in items:
            return items
        return None
    return None if isinstance(value, (Handle, Unknown)) else value


def _handles(value: Any) -> List[Handle]:
    if isinstance(value, Handle):
        return [value]
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    found: List[Handle] = []
    for item in items:
        found += [h for h in _handles(item) if h not in found]
    return found


def _first_unknown(value: Any) -> Any:
    if isinstance(value, Unknown):
        return value
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return next((u for u in map(_first_unknown, items) if u is not None), None)
