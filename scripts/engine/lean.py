"""The lean run: the same program through the same SDK, without the SDK's per-resource busywork.

A run under mocks spends most of its time in the Pulumi SDK's own machinery, per registration.
Five pieces of it do work whose result is either never read here or can be had more cheaply,
with the same value. While the program runs (and only then: everything is restored afterwards), the
lean run replaces them with functions that return what the SDK's own would:

- **Client-side alias URNs** (``pulumi.resource.collapse_alias_to_urn``). ``Resource.__init__``
  turns every alias option into a URN ``Output`` (about eight Outputs and tasks per alias), and
  every azure-native resource carries one alias per earlier API version of its type (nine on a
  ``RoleAssignment``). Those URNs are read only by ``all_aliases``, which the SDK calls only for a
  monitor *without* alias-spec support; ours has it, as the real engine does, so ``prepare_aliases``
  sends each alias as a spec and the engine (``scripts/engine/urns.py``) builds the URNs. The
  alias is kept as given.
- **The stack trace of each registration** (``pulumi.runtime.resource._get_stack_trace``). The
  SDK calls ``traceback.extract_stack``, which reads every frame's source line through
  ``linecache`` (a ``stat`` per file per call), then builds a ``file://`` URI with ``pathlib`` for
  every frame. :func:`stack_trace` walks the frames directly and remembers each file's URI: the
  same frames, the same URIs, the same line numbers, the same ``StackTrace`` message.
- **Two awaits per alias** (``prepare_aliases``). The SDK resolves each alias as an ``Output``,
  then builds its spec awaiting each field; :func:`prepare_aliases` builds the spec of an alias
  of plain strings at once, and sends any other through the SDK's own steps.
- **A URN for a response nobody fakes** (``create_urn`` as ``pulumi.runtime.resource`` calls it).
  Before every request the SDK computes the URN it would answer with if there were no monitor
  (an ``Output.all`` and three ``apply`` calls, each a task) and uses it only then. There always
  is a monitor here, so :func:`mock_urn` computes it only when there is not.
- **Four futures and a task for every output property** (``rpc.transfer_properties``). Every
  declared output of every resource (36 on a role assignment) gets an ``Output`` over four
  futures that one resolver sets together, and a task that awaits them in turn. The SDK gives
  ``urn`` and ``id`` one future holding the whole ``_OutputData``; :func:`transfer_properties`
  does the same for the others: the same value, flags and dependencies, the same failure.

Two more pieces rely on the capture monitor, not on a replaced function, and are pinned the same
way (:data:`PINNED`): :func:`response_object` builds the monitor's answer to a registration as the
SDK's serialisation would, without an event loop, and :func:`inline_calls` then makes the SDK's
call to the monitor in place instead of on the executor's threads.

Each replacement applies only while the SDK function it replaces is, byte for byte, the one it was
written against (:data:`REPLACED` holds a digest of each one's source): after an SDK upgrade a
changed function is left alone and the run is merely slower, and ``tests/scripts/engine/
test_lean_run.py`` fails until the replacement is checked against the new code. That test also
compares the plans of every example stack run with and without the lean run, byte for byte, and
checks :func:`stack_trace` against the SDK's own at every registration of a run.

The real engine runs the program with the SDK as shipped; none of this is used there.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import inspect
import pathlib
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from types import CodeType, FrameType, ModuleType
from typing import Any

import pulumi.resource
import pulumi.runtime.mocks
import pulumi.runtime.resource
import pulumi.runtime.rpc
from google.protobuf import struct_pb2
from pulumi.output import Output, Unknown, _OutputData
from pulumi.runtime import settings
from pulumi.runtime.proto import alias_pb2, resource_pb2, source_pb2
from pulumi.runtime.settings import SETTINGS


def _alias_input(alias: Any, name: str, type_: str, parent: Any) -> Any:
    """In place of ``collapse_alias_to_urn``: a plain alias as given (``Resource._aliases``, which
    nothing reads here), any other through the SDK's own, which refuses (by failing the program) an
    alias whose name or type resolves to ``None``, as it does under the real engine."""
    if _plain_spec(alias) is not None:
        return alias
    return _SDK_COLLAPSE(alias, name, type_, parent)


_SDK_COLLAPSE = pulumi.resource.collapse_alias_to_urn  # type: ignore[attr-defined]


@functools.lru_cache(maxsize=4096)
def _uri(filename: str) -> str | None:
    """``pathlib.Path(filename).as_uri()``, or ``None`` where the SDK's call would raise."""
    try:
        return pathlib.Path(filename).as_uri()
    except BaseException:  # noqa: BLE001  (the SDK catches everything here too)
        return None


@functools.lru_cache(maxsize=65536)
def _frame(filename: str, line: int | None) -> source_pb2.StackFrame:
    """The SDK's ``StackFrame`` for a frame at ``filename:line`` (``_get_source_position_for_frame``).

    Messages are copied into the ``StackTrace`` that holds them, so one may be shared."""
    uri = _uri(filename) if filename != "" else None
    if uri is None or line is None:
        return source_pb2.StackFrame(pc=None)
    return source_pb2.StackFrame(pc=source_pb2.SourcePosition(uri=uri, line=line))


def stack_trace() -> source_pb2.StackTrace:
    """What ``pulumi.runtime.resource._get_stack_trace`` returns when called from the same frame.

    The SDK lists the stack innermost last, finds the third ``__init__`` frame counting from the
    innermost (``Resource``, ``CustomResource`` or ``ComponentResource``, then the concrete type's)
    and returns every frame outside it, innermost first; if there is no third one, or nothing
    outside it, an empty trace. Its own frame, like this function's, is inside and not listed.
    A program that sets ``sys.tracebacklimit`` gets the SDK's own walk, which that limit cuts.
    """
    if hasattr(sys, "tracebacklimit"):
        return _limited_stack_trace()
    frame: FrameType | None = sys._getframe()
    inits = 0
    while frame is not None:
        if frame.f_code.co_name == "__init__":
            inits += 1
            if inits == 3:
                break
        frame = frame.f_back
    if frame is None or frame.f_back is None:
        return source_pb2.StackTrace()
    frames = []
    outer: FrameType | None = frame.f_back
    while outer is not None:
        frames.append(_frame(outer.f_code.co_filename, outer.f_lineno))
        outer = outer.f_back
    return source_pb2.StackTrace(frames=frames)


def _limited_stack_trace() -> source_pb2.StackTrace:
    """The SDK's steps exactly, from :func:`stack_trace`'s frame as the SDK's start from its own:
    ``traceback.extract_stack`` honours ``sys.tracebacklimit`` (and with nothing left the SDK
    fails on an unbound name, and so does this)."""
    stack = traceback.extract_stack(sys._getframe(1))
    inits = 0
    found: int | None = None
    for index in range(len(stack) - 1, -1, -1):
        found = index
        if stack[index].name == "__init__":
            inits += 1
            if inits == 3:
                break
    if found is None:
        raise UnboundLocalError("cannot access local variable 'i' where it is not associated with a value")
    if found < 1:
        return source_pb2.StackTrace()
    position = pulumi.runtime.resource._get_source_position_for_frame
    return source_pb2.StackTrace(
        frames=[source_pb2.StackFrame(pc=position(f)) for f in reversed(stack[:found])]
    )


def mock_urn(
    name: Any, type_: Any, parent: Any = None, project: str | None = None, stack: str | None = None
) -> Output[str | None]:
    """In place of ``create_urn`` inside ``pulumi.runtime.resource``: nothing, when a monitor answers.

    ``register_resource`` and ``read_resource`` compute a URN with ``create_urn`` (an ``Output.all``
    and three ``apply`` calls, each a task) before every request, and use it only to fake a
    response when there is no monitor. Here there always is one. The module's other callers are
    ``all_aliases`` (not called: aliases go to the monitor as specs) and, for an alias that is not
    plain (:func:`_alias_input`), ``collapse_alias_to_urn``, whose URN is stored where nothing
    reads it; its refusals come before it asks for one.
    """
    if settings.get_monitor() is None:
        return _SDK_CREATE_URN(name, type_, parent, project, stack)
    return Output.from_input(None)


_SDK_CREATE_URN = pulumi.runtime.resource.create_urn


def _plain_spec(alias: object) -> alias_pb2.Alias | None:
    """The spec ``create_alias_spec`` builds for an ``Alias`` of plain strings that keeps its parent,
    stack and project (what azure-native gives every type for its earlier API versions); ``None``
    for any other alias."""
    if type(alias) is not pulumi.Alias:
        return None
    # The SDK's annotations leave out the ``...`` ("not given") its defaults are.
    fields: dict[str, Any] = vars(alias)
    if fields["stack"] is not ... or fields["project"] is not ... or fields["parent"] is not ...:
        return None
    name, type_ = fields["name"], fields["type_"]
    # ``None`` is no plain value: the SDK refuses it (collapse_alias_to_urn), so it takes that path.
    if not (name is ... or isinstance(name, str)) or not (type_ is ... or isinstance(type_, str)):
        return None
    return _spec(name if isinstance(name, str) else "", type_ if isinstance(type_, str) else "")


@functools.lru_cache(maxsize=4096)
def _spec(name: str, type_: str) -> alias_pb2.Alias:
    """One message per (name, type): a request copies the aliases it is built with, so it may be
    shared (azure-native gives every resource of a type the same ones)."""
    return alias_pb2.Alias(
        spec=alias_pb2.Alias.Spec(name=name, type=type_, stack="", project="", parentUrn="")
    )


async def prepare_aliases(
    resource: Any, resource_options: Any, supports_alias_specs: bool
) -> list[alias_pb2.Alias]:
    """``prepare_aliases`` with a plain alias turned into its spec at once, not over two awaits.

    The SDK resolves each alias as an ``Output`` (a task), then builds its spec awaiting each
    field. For an alias of plain strings both steps give what :func:`_plain_spec` gives; any
    other alias goes through the SDK's own steps, in its place in the list.
    """
    if not supports_alias_specs or resource_options is None or resource_options.aliases is None:
        return await _SDK_PREPARE_ALIASES(resource, resource_options, supports_alias_specs)
    aliases: list[alias_pb2.Alias] = []
    for alias in resource_options.aliases:
        plain = _plain_spec(alias)
        if plain is not None:
            aliases.append(plain)
            continue
        resolved = await Output.from_input(alias).future()
        if resolved is None:
            continue
        if isinstance(resolved, str):
            aliases.append(alias_pb2.Alias(urn=resolved))
        else:
            aliases.append(alias_pb2.Alias(spec=await pulumi.runtime.resource.create_alias_spec(resolved)))
    return aliases


_SDK_PREPARE_ALIASES = pulumi.runtime.resource.prepare_aliases


def transfer_properties(res: Any, props: Any, custom: bool) -> dict[str, Callable[..., None]]:
    """``rpc.transfer_properties`` with one future per output property instead of four and a task.

    The SDK gives each output property of a resource an ``Output`` over four futures (value,
    known, secret, dependencies) and a task that awaits them in turn to build the ``_OutputData``
    the ``Output`` holds. The resolver sets all four at once, so the task only ever sees them
    complete; here the resolver sets that ``_OutputData`` on one future, as the SDK itself does for
    ``urn`` and ``id`` (``resource_output``): the same value, known and secret flags, the same
    dependencies (the resource and those the engine reported), the same exception on failure.
    """
    resolvers: dict[str, Callable[..., None]] = {}
    for name in props:
        if name == "urn" or (name == "id" and custom):
            continue
        data: asyncio.Future[_OutputData[Any]] = asyncio.Future()
        resolvers[name] = functools.partial(_resolve, res, data)
        res.__dict__[name] = Output._from_data(data)
    return resolvers


def _resolve(  # noqa: PLR0917  (the SDK's resolver signature, after the two it binds)
    res: Any,
    data: asyncio.Future[_OutputData[Any]],
    value: Any,
    is_known: bool,
    is_secret: bool,
    deps: Any,
    failed: Exception | None,
) -> None:
    if failed is not None:
        data.set_exception(failed)
        return
    resources = set(deps) if deps else set()
    resources.add(res)
    data.set_result(_OutputData(resources=resources, value=value, is_known=is_known, is_secret=is_secret))


def source_digest(functions: tuple[Callable[..., Any], ...]) -> str:
    """SHA-256 of the functions' sources, one after another; empty if a source cannot be read."""
    try:
        sources = [inspect.getsource(f) for f in functions]
    except (OSError, TypeError):
        return ""
    return hashlib.sha256("\n".join(sources).encode()).hexdigest()


@dataclass(frozen=True)
class Replacement:
    """One SDK function the lean run replaces: where it lives, its source's digest, and by what."""

    module: ModuleType
    name: str
    by: Callable[..., Any]
    # Every SDK function whose behaviour ``by`` reproduces, the replaced one first, and the
    # digest of their sources as they were when ``by`` was checked against them.
    reads: tuple[Callable[..., Any], ...]
    digest: str
    needs_alias_specs: bool = False

    def current_digest(self) -> str:
        return source_digest(self.reads)

    def applies(self) -> bool:
        features = SETTINGS.monitor_features
        if self.needs_alias_specs and resource_pb2.RESOURCE_MONITOR_FEATURE_ALIAS_SPECS not in features:
            return False
        return self.current_digest() == self.digest


def _runtime(*names: str) -> tuple[Callable[..., Any], ...]:
    """Functions of ``pulumi.runtime.resource``, by name."""
    return tuple(getattr(pulumi.runtime.resource, n) for n in names)


# The digests are of the functions in pulumi 3.272.0 (uv.lock), each read against its replacement.
REPLACED: tuple[Replacement, ...] = (
    Replacement(
        pulumi.resource,
        "collapse_alias_to_urn",
        _alias_input,
        (pulumi.resource.collapse_alias_to_urn, *_runtime("prepare_aliases")),  # type: ignore[attr-defined]
        "4c99b83b82b36b6e4b07e8c8f8cfb35935838a4730000824b33007d1c9979c5a",
        needs_alias_specs=True,
    ),
    Replacement(
        pulumi.runtime.resource,
        "_get_stack_trace",
        stack_trace,
        _runtime("_get_stack_trace", "_get_source_position_for_frame"),
        "e61be63c3adf4712c78f07fcce257b335fc1f5ef3edf271da112d599b84bdfa0",
    ),
    Replacement(
        pulumi.runtime.resource,
        "prepare_aliases",
        prepare_aliases,
        (*_runtime("prepare_aliases", "create_alias_spec"), pulumi.Alias.__init__),
        "5d084381bb6c9997f9c928d169d1474a43d6cb1b1c8865aeab02bb28fcd569f6",
    ),
    Replacement(
        pulumi.runtime.resource,
        "create_urn",
        mock_urn,
        # Its callers in the module: only the two that fake a response are left in a lean run.
        _runtime(
            "create_urn",
            "register_resource",
            "read_resource",
            "all_aliases",
            "inherited_child_alias",
            "collapse_alias_to_urn",
        ),
        "ce774d60fcefb92376ba749251da1241d4883f1baedb2b0130177ff857f0d75a",
        needs_alias_specs=True,
    ),
    Replacement(
        pulumi.runtime.rpc,
        "transfer_properties",
        transfer_properties,
        (
            pulumi.runtime.rpc.transfer_properties,
            Output.__init__,
            Output._from_data,
            _OutputData.__post_init__,
        ),
        "aba9b274826c59fa14dea2382dce34bc0af41384c312b2692de50f5f9453f298",
    ),
)


@contextmanager
def _replaced(replacement: Replacement) -> Iterator[None]:
    saved = getattr(replacement.module, replacement.name)
    setattr(replacement.module, replacement.name, replacement.by)
    try:
        yield
    finally:
        setattr(replacement.module, replacement.name, saved)


@contextmanager
def lean_sdk(enabled: bool) -> Iterator[tuple[str, ...]]:
    """Apply every replacement that still matches the SDK; yields the names of those applied."""
    with ExitStack() as stack:
        applied = []
        if enabled:
            for replacement in REPLACED:
                if replacement.applies():
                    stack.enter_context(_replaced(replacement))
                    applied.append(replacement.name)
        yield tuple(applied)


@dataclass(frozen=True)
class Pin:
    """SDK functions a piece of the lean run reproduces or relies on, and their sources' digest
    when it was checked against them: the piece is used only while they are unchanged."""

    name: str
    reads: tuple[Callable[..., Any], ...]
    digest: str

    def current_digest(self) -> str:
        return source_digest(self.reads)

    def holds(self) -> bool:
        return self.current_digest() == self.digest


# What the capture monitor's own answer to a registration reproduces (``CapturingMonitor``): the
# mock monitor's steps, its ``serialize_properties`` of the state the mocks return, and the
# secret unwrapping of the capture's inputs.
ANSWER = Pin(
    "MockMonitor.RegisterResource",
    (
        pulumi.runtime.mocks.MockMonitor.RegisterResource,
        pulumi.runtime.rpc.serialize_properties,
        pulumi.runtime.rpc.serialize_property,
        pulumi.runtime.rpc.deserialize_properties_unwrap_secrets,
    ),
    "c7723f3560afab28beb0a06346b7aef11c3f016e587c3f6259dbd89acf4b3752",
)

# What making a registration's monitor call in place relies on (:func:`inline_calls`): the
# coroutines that make it await its answer and read nothing else of the executor.
INLINE = Pin(
    "run_in_executor",
    (pulumi.runtime.resource.register_resource, pulumi.runtime.resource.register_resource_outputs),
    "773c968ee8e39b118425a8b9e343dc5e3e2885b5353ff09f93eb04ad2788b064",
)

PINNED: tuple[Pin, ...] = (ANSWER, INLINE)

_NOT_PLAIN = object()
_SCALARS = frozenset({str, bool, int, float})


def response_object(state: Any) -> struct_pb2.Struct | None:
    """``serialize_properties(state, {})`` (no dependencies, no types, no name translation) for a
    state of plain values, without an event loop; ``None`` if anything in it is not plain.

    Plain is what the SDK's ``serialize_property`` passes through or only rebuilds: ``str``,
    ``bool``, ``int``, ``float`` and ``None`` (exactly those types), the SDK's ``Unknown`` (sent as
    the unknown string), and ``dict`` (``str`` keys) and ``list`` or ``tuple`` (sent as a list) of
    plain values. Top-level ``None`` is left out, as the SDK leaves out a property that serialises
    to ``None``; a nested one stays a null. The ``Struct`` is filled by the same protobuf setter.
    """
    if type(state) is not dict:
        return None
    fields: dict[str, Any] = {}
    for key, value in state.items():
        plain = _plain(value)
        if type(key) is not str or plain is _NOT_PLAIN:
            return None
        if plain is not None:
            fields[key] = plain
    struct = struct_pb2.Struct()
    struct.update(fields)
    return struct


def _plain(value: Any) -> Any:
    kind = type(value)
    if kind in _SCALARS or value is None:
        return value
    if kind is Unknown:
        return pulumi.runtime.rpc.UNKNOWN
    if kind is dict:
        mapping: dict[str, Any] = {}
        for key, item in value.items():
            plain = _plain(item)
            if type(key) is not str or plain is _NOT_PLAIN:
                return _NOT_PLAIN
            mapping[key] = plain
        return mapping
    if kind is list or kind is tuple:
        items = []
        for item in value:
            plain = _plain(item)
            if plain is _NOT_PLAIN:
                return _NOT_PLAIN
            items.append(plain)
        return items
    return _NOT_PLAIN


def _inlined_coroutines() -> frozenset[CodeType]:
    """The code of ``register_resource``'s ``do_register`` and ``register_resource_outputs``'
    ``do_register_resource_outputs``: the coroutines whose monitor call is made in place."""
    inner = {"do_register", "do_register_resource_outputs"}
    return frozenset(
        code
        for outer in INLINE.reads
        for code in outer.__code__.co_consts
        if isinstance(code, CodeType) and code.co_name in inner
    )


@contextmanager
def inline_calls(loop: asyncio.AbstractEventLoop, enabled: bool) -> Iterator[bool]:
    """On ``loop``, make the monitor call of each registration in place instead of on the executor.

    ``do_register`` (and ``do_register_resource_outputs``) hand the blocking monitor call to the
    loop's default executor and await the answer. Under the capture monitor that call blocks on
    nothing: it answers from the mocks, on the loop's thread, and never enters the loop
    (``CapturingMonitor``). So the thread hop, the queue, the wake-up of the loop and the handing
    back of the GIL between two threads bring nothing; here the call is made at once and its
    answer (or exception) is a future already done, which the coroutine awaits without yielding.
    Any other use of the executor (the program's own, invokes, the SDK's other calls) gets the
    loop's. Yields whether it applies (``enabled`` and :data:`INLINE` holds).
    """
    if not enabled or not INLINE.holds():
        yield False
        return
    inlined = _inlined_coroutines()
    executor = loop.run_in_executor

    def run_in_executor(pool: Any, func: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
        if pool is not None or sys._getframe(1).f_code not in inlined:
            return executor(pool, func, *args)
        answer = loop.create_future()
        try:
            answer.set_result(func(*args))
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as error:  # noqa: BLE001  (the executor hands back any exception)
            answer.set_exception(error)
        return answer

    loop.run_in_executor = run_in_executor  # type: ignore[method-assign,assignment]
    try:
        yield True
    finally:
        del loop.run_in_executor  # the class's again
