"""Run the real Pulumi program under the SDK's mocks and capture every registration in full.

``pulumi.runtime.set_mocks`` with a :class:`CapturingMonitor` sees the whole ``RegisterResource``
request (parent, dependencies, property dependencies, protect, provider, source position), which a
plain ``Mocks.new_resource`` does not. :class:`PreviewMocks` answers like the engine would during a
preview, in one of two modes (``computed``):

- ``"known"`` (the default, as for a stack whose resources already exist): inputs come back as
  outputs, plus the computed values dependents read (``id``, ``name``, principal ids, vault URIs),
  so no dependent input silently vanishes.
- ``"unknown"`` (as in a real *first* ``pulumi preview``, before anything exists): only the inputs
  come back. Ids, names, URIs and principal ids are unknown, the SDK sends unknowns to every
  dependent input, and the capture records them as the engine's unknown sentinel, so policies see
  exactly what they would see under ``pulumi preview --policy-pack``.

This is the one home of the capture: the component tests and ``tvt plan`` both use it.

``run_program(..., lean=True)`` (the default) runs the same program through the same SDK with four
changes that alter nothing the SDK registers, only what a run costs (``docs/performance.md``;
``tests/scripts/engine/test_lean_run.py`` compares its plans with ``lean=False`` byte for byte):

- five pieces of the SDK's per-registration work are replaced by functions that give the same
  result more cheaply (:mod:`scripts.engine.lean`: client-side alias URNs nobody reads, the stack
  trace, the alias specs, a URN for a response that is never faked, and four futures and a task
  for every output property);
- azure-native's packages are loaded name by name as the program asks for them, so the modules
  of resources it never declares never run (:mod:`scripts.engine.on_demand`);
- the cyclic garbage collector does not run while the program runs, nor afterwards over what it
  allocated (:func:`_no_collections`);
- the monitor answers each registration itself, with what the SDK's mock monitor would answer,
  and the SDK's call to it is made in place on the program's thread, not handed to the executor's
  (:class:`CapturingMonitor` with ``direct``, :func:`scripts.engine.lean.inline_calls`;
  ``tests/scripts/engine/test_direct_answer.py`` compares both answers at every registration).
  Registrations are then also captured in the same order on every run.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import functools
import gc
import hashlib
import logging
import os
import runpy
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pulumi.resource
import pulumi.runtime
from pulumi.output import UNKNOWN as UNKNOWN_OUTPUT
from pulumi.output import Unknown
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc, settings
from pulumi.runtime.proto import resource_pb2
from pulumi.runtime.settings import SETTINGS
from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

from policies.catalog import IDENTITY, KEY, STACK, VAULT, WORKSPACE, classify
from scripts.engine.lean import ANSWER, inline_calls, lean_sdk, response_object
from scripts.engine.on_demand import on_demand_packages
from scripts.engine.references import holds_reference, replace_references, signature_bytes
from scripts.engine.urns import AliasSpec, alias_urn, new_urn

PROJECT = "tvt-platform"
# How PreviewMocks answers for computed outputs: invented but plausible values, or unknown.
COMPUTED_MODES = ("known", "unknown")
ROOT = Path(__file__).resolve().parents[2]
STACK_TYPE = STACK


@dataclass(frozen=True)
class SourcePosition:
    file: str  # repository-relative path of the declaring code
    line: int


@dataclass(frozen=True)
class CapturedResource:
    """One registered resource, as the engine would record it after a preview step."""

    urn: str
    type: str
    name: str
    custom: bool
    id: str
    parent: str
    inputs: Mapping[str, Any]
    outputs: Mapping[str, Any]
    dependencies: tuple[str, ...]
    property_dependencies: Mapping[str, tuple[str, ...]]
    provider: str
    protect: bool
    ignore_changes: tuple[str, ...]
    delete_before_replace: bool | None
    additional_secret_outputs: tuple[str, ...]
    aliases: tuple[str, ...]  # the alias URNs the engine would look up old state by (engine semantics)
    source_position: SourcePosition | None
    secret_paths: tuple[str, ...] = ()
    package_version: str = ""  # the provider package version the SDK asked for, e.g. "3.29.0"


@dataclass
class Capture:
    """What one program run registered, in registration order."""

    stack: str
    project: str
    resources: list[CapturedResource] = field(default_factory=list)
    # ``register_outputs`` of components and the stack's exports, by URN, secrets still wrapped.
    registered_outputs: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    # What the program logged through ``pulumi.log`` (severity, message); the engine fails a run
    # that logged an error, so the preview must be able to as well.
    log: list[tuple[str, str]] = field(default_factory=list)

    @property
    def stack_urn(self) -> str:
        return new_urn(self.stack, self.project, "", STACK_TYPE, f"{self.project}-{self.stack}")

    @property
    def errors(self) -> list[str]:
        return [message for severity, message in self.log if severity == "error"]

    @property
    def notes(self) -> list[str]:
        """What the program told the operator (``pulumi.log.info``), as ``pulumi preview`` shows it."""
        return [message for severity, message in self.log if severity == "info"]

    def by_type(self, type_: str) -> list[CapturedResource]:
        return [r for r in self.resources if r.type == type_]

    def by_urn(self) -> dict[str, CapturedResource]:
        return {r.urn: r for r in self.resources}

    def named(self, name: str) -> CapturedResource:
        found = [r for r in self.resources if r.name == name]
        if len(found) != 1:
            raise KeyError(f"expected exactly one resource named {name!r}, found {len(found)}")
        return found[0]


def _guid(seed: str) -> str:
    return str(uuid.UUID(hashlib.sha256(seed.encode()).hexdigest()[:32]))


def azure_name_and_id(
    type_: str, logical_name: str, inputs: Mapping[str, Any], subscription: str
) -> tuple[str, str]:
    """The Azure name a resource would get and an ARM-shaped id, so references in the plan read true."""
    info = classify(type_)
    arm_id = info.arm_id if info is not None else None
    name_key, template = (arm_id.name_input, arm_id.template) if arm_id is not None else ("", "")
    name = str(inputs.get(name_key) or logical_name)
    fields = {
        **{k: v for k, v in inputs.items() if isinstance(v, str)},
        "subscription": subscription,
        "name": name,
    }
    try:
        return name, template.format_map(fields)
    except KeyError:
        module, _, kind = type_.removeprefix("azure-native:").partition(":")
        return name, f"/subscriptions/{subscription}/providers/{module}/{kind}/{name}"


def _identity_output(identity: Mapping[str, Any]) -> dict[str, Any]:
    """Azure answers ``userAssignedIdentities`` (a list of ids as input) with a map id -> identity.

    The SDK checks outputs against their declared types, so echoing the input list would make any
    read of the resource's outputs fail.
    """
    result = dict(identity)
    assigned = identity.get("userAssignedIdentities")
    if isinstance(assigned, list):
        result["userAssignedIdentities"] = {
            str(i): {"principalId": _guid(f"principal:{i}"), "clientId": _guid(f"client:{i}")}
            for i in assigned
        }
    return result


def _unknown_output(type_: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """What a first preview knows of a new resource: its inputs, and nothing the cloud computes.

    Top-level outputs that are not inputs (``id``, ``name``, ``principalId``, ``keyUri``) are simply
    absent, which the SDK resolves as unknown during a preview. Two computed values sit *inside* an
    input object, so they are marked unknown explicitly: a vault's ``properties.vaultUri`` (else
    the program would read a known ``None``) and the map Azure answers for ``userAssignedIdentities``
    (the input is a list of ids, which are unknown themselves).
    """
    outputs: dict[str, Any] = dict(inputs)
    identity = inputs.get("identity")
    if isinstance(identity, Mapping) and "userAssignedIdentities" in identity:
        outputs["identity"] = {**identity, "userAssignedIdentities": UNKNOWN_OUTPUT}
    if type_ == VAULT:
        outputs["properties"] = {**dict(inputs.get("properties") or {}), "vaultUri": UNKNOWN_OUTPUT}
    return outputs


class PreviewMocks(pulumi_mocks.Mocks):
    """Answers registrations like a preview: inputs echoed, plus (``computed="known"``) the computed
    outputs dependents use, or (``computed="unknown"``) nothing computed, as a first preview."""

    def __init__(
        self, subscription_id: str = "00000000-0000-0000-0000-000000000000", computed: str = "known"
    ) -> None:
        if computed not in COMPUTED_MODES:
            raise ValueError(f"computed: expected one of {', '.join(COMPUTED_MODES)}, got {computed!r}")
        self.subscription_id = subscription_id
        self.computed = computed

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        if not args.custom:
            return None, {}  # components have no id; their outputs come from register_outputs
        inputs = dict(args.inputs)
        if self.computed == "unknown":
            return None, _unknown_output(args.typ, inputs)  # no id: the SDK makes it unknown
        azure_name, rid = azure_name_and_id(args.typ, args.name, inputs, self.subscription_id)
        outputs: dict[str, Any] = {**inputs, "name": azure_name, "id": rid}
        if isinstance(inputs.get("identity"), Mapping):
            outputs["identity"] = _identity_output(inputs["identity"])
        if args.typ == IDENTITY:
            outputs["principalId"] = _guid(f"principal:{rid}")
            outputs["clientId"] = _guid(f"client:{rid}")
            outputs["tenantId"] = _guid("tenant")
        elif args.typ == VAULT:
            props = dict(inputs.get("properties") or {})
            props["vaultUri"] = f"https://{azure_name}.vault.azure.net/"
            outputs["properties"] = props
        elif args.typ == KEY:
            vault = inputs.get("vaultName", "vault")
            outputs["keyUri"] = f"https://{vault}.vault.azure.net/keys/{azure_name}"
            outputs["keyUriWithVersion"] = f"https://{vault}.vault.azure.net/keys/{azure_name}/0"
        elif args.typ == WORKSPACE:
            outputs["customerId"] = _guid(f"workspace:{rid}")
        return rid, outputs

    def call(self, args: pulumi_mocks.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        if args.token == "azure-native:authorization:getClientConfig":  # noqa: S105 (an invoke token)
            return {
                "subscriptionId": self.subscription_id,
                "tenantId": _guid("tenant"),
                "clientId": _guid("client"),
                "objectId": _guid("object"),
            }, None
        raise NotImplementedError(f"offline preview cannot answer invoke {args.token}")


def with_unknown_sentinels(value: Any) -> Any:
    """``value`` with the SDK's :class:`Unknown` placeholders replaced by the engine's unknown sentinel.

    During a preview the SDK deserialises unknown values as ``Unknown()`` objects; the engine
    marshals them to analyzers as the string ``04da6b54-...`` (pulumi_policy's
    ``UNKNOWN_STRING_VALUE``), which is what the plan records and the pack recognises.
    """
    if isinstance(value, Unknown):
        return rpc.UNKNOWN
    if isinstance(value, Mapping):
        return {k: with_unknown_sentinels(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [with_unknown_sentinels(v) for v in value]
    return value


def _relative_source(uri: str, line: int, root: Path = ROOT) -> SourcePosition | None:
    if not uri:
        return None
    return SourcePosition(file=_relative_file(uri, root), line=line)


@functools.lru_cache(maxsize=1024)
def _relative_file(uri: str, root: Path) -> str:
    """A source file as the plan shows it: relative to the project, or its bare name outside it.

    Remembered, because every registration made from one file of the program names that file."""
    path = Path(uri.removeprefix("file://"))
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


def _secret_paths(value: Any, path: str = "") -> Iterator[str]:
    if isinstance(value, Mapping):
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:
            yield path
            return
        for k, v in value.items():
            yield from _secret_paths(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _secret_paths(v, f"{path}[{i}]")


# The special objects (assets, archives, output values) other than secrets and resource references
# (which the monitor replaces first, scripts.engine.references): a request holding any of them is
# answered the SDK's way (CapturingMonitor). Each is a Struct whose signature key holds exactly the
# 32-character signature, and protobuf writes that string value one way only:
# ``Value.string_value`` (field 3, length-delimited: tag 0x1A), length 32 (0x20), the signature.
# So a string that merely contains a signature (a tag, a description) does not send a registration
# down the slow path; one exactly equal to it still does (costs only speed).
_SPECIAL = tuple(
    signature_bytes(sig)
    for sig in (
        rpc._special_asset_sig,
        rpc._special_archive_sig,
        rpc._special_output_value_sig,
    )
)


def _holds_special(data: bytes) -> bool:
    """Whether a request's serialised properties may hold a special object other than a secret: a
    string value equal to its signature appears somewhere in them."""
    return any(sig in data for sig in _SPECIAL)


def _as_shown(request: Any, field_name: str) -> tuple[Any, bytes]:
    """``request`` as a pack is shown it, and its ``field_name`` struct's bytes: a copy whose
    resource references are replaced when it holds any (:mod:`scripts.engine.references`), else
    ``request`` itself."""
    data = getattr(request, field_name).SerializeToString()
    if not holds_reference(data):
        return request, data
    copy = type(request)()
    copy.CopyFrom(request)
    replace_references(getattr(copy, field_name))
    return copy, getattr(copy, field_name).SerializeToString()


class OwnThread:
    """One thread of its own for the calls made the SDK's way, as its executor runs a monitor call.

    The SDK's mock monitor makes an event loop on the thread it runs on (``_sync_await``); one
    thread for the whole run makes one loop, which :meth:`close` closes. (A new thread per call
    left a loop, its selector and its self-pipe, three descriptors, behind for every call, and no
    collection runs during the program to free them: a program of a few hundred such
    registrations ran out of file descriptors.)"""

    def __init__(self) -> None:
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None

    def run(self, function: Callable[..., Any], *args: Any) -> Any:
        """``function(*args)`` on the thread, in a copy of this context: its result, or its exception."""
        if self._pool is None:
            self._pool = concurrent.futures.ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="tvt-sdk-call"
            )
        return self._pool.submit(contextvars.copy_context().run, function, *args).result()

    def close(self) -> None:
        """Close the thread's event loop, if it made one, and end the thread."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.submit(_close_thread_loop).result()
            pool.shutdown()


def _close_thread_loop() -> None:
    try:
        loop = asyncio.get_event_loop()
    except RuntimeError:  # this thread made none
        return
    asyncio.set_event_loop(None)
    loop.close()  # not running: this thread is running this function


def _serialized(state: Any) -> Any:
    return _sync_await(rpc.serialize_properties(state, {}))


class CapturingMonitor(pulumi_mocks.MockMonitor):
    """A mock resource monitor that records each full registration request.

    With ``direct`` (the lean run) it answers a registration itself, with what the SDK's
    ``MockMonitor.RegisterResource`` would answer and record, pinned to that code
    (:data:`scripts.engine.lean.ANSWER`): the request's properties are deserialised once, not three
    times, and the answer's are built from the mocks' state at once
    (:func:`scripts.engine.lean.response_object`), not by running the SDK's serialisation on an
    event loop of its own. It never enters an event loop, so the lean run can make the call in
    place (:func:`scripts.engine.lean.inline_calls`). A resource reference in a request is first
    replaced by what the engine shows a pack (:mod:`scripts.engine.references`), on both paths; a
    request whose properties hold an asset, an archive or an output value, or a state that is not
    plain, is handled the SDK's way, on a thread of its own as the executor would.
    """

    def __init__(  # noqa: PLR0917  (the monitor's collaborators)
        self,
        mocks: PreviewMocks,
        capture: Capture,
        project_root: Path = ROOT,
        on_register: Callable[[int], None] | None = None,
        on_resource: Callable[[CapturedResource], None] | None = None,
        direct: bool = False,
    ) -> None:
        super().__init__(mocks)
        self.capture = capture
        self.project_root = project_root
        self.on_register = on_register
        self.on_resource = on_resource
        self.direct = direct
        self.own_thread = OwnThread()  # closed by run_program when the program is done

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """The engine's URN (``generateURN``), not the mock's: the parent's full qualified type, no root."""
        return new_urn(self.capture.stack, self.capture.project, parent, type_, name)

    def _aliases(self, request: Any, urn: str) -> tuple[str, ...]:
        """Every alias URN the engine would try for ``request``, in order, without the resource's own."""
        found: list[str] = []
        for alias in request.aliases:
            spec = alias.spec
            candidate = alias_urn(
                AliasSpec(
                    urn=alias.urn,
                    name=spec.name,
                    type=spec.type,
                    stack=spec.stack,
                    project=spec.project,
                    parent=spec.parentUrn,
                    no_parent=spec.noParent,
                ),
                stack=self.capture.stack,
                project=self.capture.project,
                parent=request.parent,
                type_=request.type,
                name=request.name,
            )
            if candidate != urn and candidate not in found:
                found.append(candidate)
        return tuple(found)

    def RegisterResource(self, request: Any) -> Any:
        request, data = _as_shown(request, "object")  # recorded, and answered, as a pack is shown it
        if not self.direct or request.type == STACK_TYPE:
            return self._registered(request)
        if _holds_special(data):
            return self.own_thread.run(self._registered, request)
        urn = self.make_urn(request.parent, request.type, request.name)
        raw_inputs = rpc.deserialize_properties(request.object)
        # Secrets arrive wrapped; the capture unwraps those at the top, as
        # deserialize_properties_unwrap_secrets does, into copies of its own.
        inputs = {k: rpc.unwrap_rpc_secret(v) for k, v in raw_inputs.items()}
        args = pulumi_mocks.MockResourceArgs(
            typ=request.type,
            name=request.name,
            inputs=raw_inputs,
            provider=request.provider,
            resource_id=request.importId,
            custom=request.custom or False,
            transforms=pulumi_mocks._resolve_callbacks(request.transforms),
        )
        id_, state = self.mocks.new_resource(args)
        answer = response_object(state)
        if answer is None:
            answer = self.own_thread.run(_serialized, state)
        # As the SDK's: an id of None (a component, or unknown) is stored so and left unset.
        self.resources[urn] = pulumi_mocks.MockMonitor.ResourceRegistration(urn, id_, state)  # type: ignore[arg-type]
        response = resource_pb2.RegisterResourceResponse(urn=urn, id=id_, object=answer)  # type: ignore[arg-type]
        self._record(request, urn, id_, inputs, state, raw_inputs)
        return response

    def _registered(self, request: Any) -> Any:
        """The SDK's mock monitor's answer, and the capture of the request: the reference path."""
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        if request.type == STACK_TYPE:
            return response
        reg = self.resources[response.urn]
        # Secrets arrive wrapped; record where, so the plan can redact them, then unwrap.
        raw_inputs = rpc.deserialize_properties(request.object)
        inputs, _ = rpc.deserialize_properties_unwrap_secrets(request.object)
        self._record(request, response.urn, reg.id, inputs, reg.state, raw_inputs)
        return response

    def _record(  # noqa: PLR0917  (what one registration gives)
        self, request: Any, urn: str, id_: str | None, inputs: Any, state: Any, raw_inputs: Any
    ) -> None:
        pos = request.sourcePosition
        captured = CapturedResource(
            urn=urn,
            type=request.type,
            name=request.name,
            custom=bool(request.custom),
            id=id_ or "",
            parent=request.parent,
            inputs=with_unknown_sentinels(inputs),
            outputs=with_unknown_sentinels(state),
            dependencies=tuple(request.dependencies),
            property_dependencies={k: tuple(v.urns) for k, v in sorted(request.propertyDependencies.items())},
            provider=request.provider,
            protect=bool(request.protect),
            ignore_changes=tuple(request.ignoreChanges),
            delete_before_replace=request.deleteBeforeReplace if request.deleteBeforeReplaceDefined else None,
            additional_secret_outputs=tuple(request.additionalSecretOutputs),
            aliases=self._aliases(request, urn),
            source_position=_relative_source(pos.uri, pos.line, self.project_root) if pos.uri else None,
            secret_paths=tuple(_secret_paths(raw_inputs)),
            package_version=request.version,
        )
        self.capture.resources.append(captured)
        if self.on_resource is not None:
            self.on_resource(captured)
        if self.on_register is not None:
            self.on_register(len(self.capture.resources))

    def RegisterResourceOutputs(self, request: Any) -> Any:
        request, data = _as_shown(request, "outputs")  # a component's output may be a resource
        if self.direct and _holds_special(data):
            return self.own_thread.run(self._outputs_registered, request)
        return self._outputs_registered(request)

    def _outputs_registered(self, request: Any) -> Any:
        # The engine stores these as the component's (or the stack's) outputs; so does the plan.
        self.capture.registered_outputs[request.urn] = with_unknown_sentinels(
            rpc.deserialize_properties(request.outputs)
        )
        return super().RegisterResourceOutputs(request)  # type: ignore[no-untyped-call]


class _LogRecorder(logging.Handler):
    """Keeps what the program logs, so errors fail the preview as they fail ``pulumi up``, and
    what it tells the operator is shown. Debug messages (the SDK writes several for every
    registration) are not kept: ``pulumi preview`` hides them too unless asked, and nothing here
    reads them."""

    def __init__(self, capture: Capture) -> None:
        super().__init__(level=logging.INFO)
        self.capture = capture

    def emit(self, record: logging.LogRecord) -> None:
        self.capture.log.append((record.levelname.lower(), record.getMessage()))


def _program_logger(capture: Capture) -> logging.Logger:
    logger = logging.Logger(f"tvt.preview.{capture.project}.{capture.stack}", level=logging.INFO)
    logger.addHandler(_LogRecorder(capture))
    return logger


def config_for_runtime(config: Mapping[str, Any]) -> dict[str, str]:
    """Stack-file config values as the engine hands them to a program: strings, objects as JSON."""
    import json  # noqa: PLC0415  (only needed here)

    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}


_RUNNING: list[bool] = []  # a program of this process is running under run_program


def program_running() -> bool:
    """Whether a program is running under :func:`run_program` in this process."""
    return bool(_RUNNING)


@contextmanager
def _running() -> Iterator[None]:
    _RUNNING.append(True)
    try:
        yield
    finally:
        _RUNNING.pop()


_UNSCANNED: list[bool] = []  # a run of this process left its objects in the oldest generation, unscanned


@contextmanager
def _no_collections(enabled: bool) -> Iterator[None]:
    """No cyclic collection while the program runs, and none of what it allocated afterwards.

    A run allocates millions of futures, tasks and Outputs, most of them alive until it ends (the
    SDK's resources hold them), so each collection meanwhile scanned them again to free little: on
    3,014 resources 19 young and one middle collection, 1.8 s, then one of every young object once
    the threshold was restored. Here the objects alive before the run are frozen out of scans, the
    collector is off while it runs, and afterwards everything is moved, unscanned, into the oldest
    generation: nothing alive is ever freed, and the program's cyclic garbage (it leaves little) is
    freed by the next full collection. ``tvt plan`` runs one program and ends; a process that runs
    more (the tests) has the last run's garbage collected before the next run starts, so it never
    holds more than one run's. Someone else's freeze is left as it is.
    """
    if not enabled or gc.get_freeze_count():
        yield
        return
    if _UNSCANNED:
        gc.collect()
        _UNSCANNED.clear()
    saved = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(0, *saved[1:])  # a first threshold of 0: no automatic collection
    try:
        yield
    finally:
        gc.freeze()  # the program's objects join the earlier ones, unscanned
        gc.unfreeze()  # and all go to the oldest generation, for the next full collection
        gc.set_threshold(*saved)
        _UNSCANNED.append(True)


@contextmanager
def _environment(updates: Mapping[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in updates}
    os.environ.update(updates)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run_program(
    program: Callable[[], None] | Path,
    *,
    stack: str,
    config: Mapping[str, Any],
    subscription_id: str = "00000000-0000-0000-0000-000000000000",
    project: str = PROJECT,
    preview: bool = True,
    project_root: Path = ROOT,
    on_register: Callable[[int], None] | None = None,
    computed: str = "known",
    lean: bool = True,
    on_resource: Callable[[CapturedResource], None] | None = None,
) -> Capture:
    """Run ``program`` (a callable or a path such as ``__main__.py``) under mocks and return the capture.

    ``config`` is the stack's ``config:`` mapping as in ``stacks/Pulumi.<stack>.yaml``. Each call
    starts from a fresh runtime, so several stacks can be run in one process. Source positions are
    recorded relative to ``project_root`` (the directory holding ``Pulumi.yaml``). ``on_register``
    is told the running count of captured resources (for a progress indicator), ``on_resource``
    each resource as it is captured (``scripts.engine.ahead``), both on the thread the monitor
    is called on (the program's own in a lean run, the SDK's executor's otherwise). ``computed`` is
    :class:`PreviewMocks`' mode: ``"unknown"`` leaves every computed output unknown, as in a first
    ``pulumi preview`` (needs ``preview=True``). ``lean=False`` runs the SDK exactly as shipped (the
    reference the lean run is tested against; see the module docstring).
    """
    capture = Capture(stack=stack, project=project)
    mocks = PreviewMocks(subscription_id, computed)
    direct = lean and ANSWER.holds()
    monitor = CapturingMonitor(mocks, capture, project_root, on_register, on_resource, direct)
    SETTINGS.rpc_manager.clear()
    SETTINGS.outputs.clear()
    settings.ROOT.set(None)  # a fresh Stack resource for every run
    pulumi_mocks.set_mocks(
        mocks, project=project, stack=stack, preview=preview, monitor=monitor, logger=_program_logger(capture)
    )
    pulumi.runtime.set_all_config(config_for_runtime(config))

    def body() -> None:
        if isinstance(program, Path):
            runpy.run_path(str(program), run_name="__main__")
        else:
            program()
        # set_mocks registered the root stack's outputs (none) before the program ran; the engine
        # registers them once the program is done, with its exports (pulumi.runtime.stack.run_in_stack).
        root = settings.get_root_resource()
        if isinstance(root, pulumi.runtime.stack.Stack) and root.outputs:
            root._outputs_registered = False
            root._finish()

    # The program may read its project directory (stack files) relative to the working directory.
    with (
        _environment({"PULUMI_PROJECT": project, "PULUMI_STACK": stack}),
        lean_sdk(lean),
        _no_collections(lean),
        on_demand_packages(lean),
        inline_calls(_ensure_event_loop(), direct),  # type: ignore[no-untyped-call]  # _sync_await's loop
        _running(),
        closing(monitor.own_thread),
    ):
        _sync_await(pulumi.runtime.stack.run_pulumi_func(body))
    return capture
