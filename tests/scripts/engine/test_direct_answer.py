"""The lean run's capture monitor answers each registration itself, in place, as the SDK's would.

``CapturingMonitor`` with ``direct`` answers from the mocks without the SDK's
``MockMonitor.RegisterResource`` (whose serialisation runs an event loop of its own), and
:func:`scripts.engine.lean.inline_calls` makes the call on the loop's thread instead of the
executor's. Here both answers are compared at every registration of whole runs, and the
fallbacks (special objects, states that are not plain) are run through.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pulumi
import pytest
from google.protobuf import struct_pb2
from preview_helpers import REPO
from pulumi.output import UNKNOWN
from pulumi.runtime import rpc
from pulumi.runtime.sync_await import _sync_await

from components.config.load import read_stack_file, stack_file
from scripts.commands.pipeline import _as_project
from scripts.engine import capture as capture_module
from scripts.engine import lean
from scripts.engine.capture import STACK_TYPE, CapturedResource, CapturingMonitor, run_program


def _serialized(state: dict[str, Any]) -> struct_pb2.Struct:
    """What the SDK's mock monitor answers with: ``serialize_properties`` on a loop of its own."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(rpc.serialize_properties(state, {}))
    finally:
        loop.close()


def _bytes(message: Any) -> bytes:
    return bytes(message.SerializeToString(deterministic=True))


SECRET = {rpc._special_sig_key: rpc._special_secret_sig, "value": "s3cret"}


@pytest.mark.parametrize(
    "state",
    [
        {},
        {"a": "text", "b": True, "c": 3, "d": 2.5, "e": None, "f": 10**15, "g": -0.0},
        {"nested": {"none": None, "list": [1, None, "x", [True]], "empty": {}, "tuple": ("a", 1)}},
        {"unknown": UNKNOWN, "deep": {"list": [UNKNOWN, {"u": UNKNOWN}]}},
        {"secret": SECRET, "inside": {"secret": SECRET, "list": [SECRET]}},
        {"identity": {"type": "UserAssigned", "userAssignedIdentities": {"/s/x": {"principalId": "p"}}}},
    ],
)
def test_a_plain_state_is_answered_as_the_sdk_serialises_it(state: dict[str, Any]) -> None:
    ours = lean.response_object(state)
    assert ours is not None
    assert _bytes(ours) == _bytes(_serialized(state))


@pytest.mark.parametrize(
    "state",
    [
        {"bytes": b"x"},
        {"asset": pulumi.StringAsset("x")},
        {"deep": {"set": {1, 2}}},
        {"key": {1: "not a string key"}},
        {"output": pulumi.Output.from_input("x")},
        {"text": type("Text", (str,), {})("a str subclass")},
    ],
)
def test_anything_else_is_left_to_the_sdk(state: dict[str, Any]) -> None:
    assert lean.response_object(state) is None


def test_a_state_that_is_not_a_dict_is_left_to_the_sdk() -> None:
    assert lean.response_object([("a", 1)]) is None


def _comparing(monkeypatch: pytest.MonkeyPatch) -> list[tuple[bool, bool]]:
    """At every registration, also ask the SDK's mock monitor (on a thread of its own, as its
    executor would) and compare its answer and the capture of it with ours. Returns, for each
    registration, whether it was answered directly and whether on the program's own thread."""
    calls: list[tuple[bool, bool]] = []
    answer = CapturingMonitor.RegisterResource

    def both(self: CapturingMonitor, request: Any) -> Any:
        calls.append((self.direct, threading.current_thread() is threading.main_thread()))
        response = answer(self, request)
        if not self.direct or request.type == STACK_TYPE:
            return response
        ours = self.capture.resources[-1]
        theirs_response = self.own_thread.run(self._registered, request)
        theirs = self.capture.resources.pop()
        assert _bytes(response) == _bytes(theirs_response), f"{ours.urn}: the answers differ"
        assert ours == theirs, f"{ours.urn}: the captures differ"
        return response

    monkeypatch.setattr(CapturingMonitor, "RegisterResource", both)
    return calls


@pytest.mark.parametrize("computed", ["known", "unknown"])
def test_every_registration_is_answered_and_captured_as_the_sdks(
    computed: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _comparing(monkeypatch)
    config = read_stack_file(stack_file("prod", REPO), root=REPO)
    with _as_project(REPO):
        capture = run_program(
            REPO / "__main__.py", stack="prod", config=config, project_root=REPO, computed=computed
        )
    assert len(calls) == len(capture.resources) + 1, "every registration and the stack's were seen"
    assert all(direct and inline for direct, inline in calls), "each was answered directly, in place"
    if computed == "unknown":
        assert any(rpc.UNKNOWN in str(r.outputs) for r in capture.resources), "no unknown was compared"


def test_the_reference_run_answers_the_sdks_way_on_the_executor(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _comparing(monkeypatch)
    config = read_stack_file(stack_file("dev", REPO), root=REPO)
    with _as_project(REPO):
        run_program(REPO / "__main__.py", stack="dev", config=config, project_root=REPO, lean=False)
    assert calls and not any(direct or inline for direct, inline in calls)


def test_the_loop_gets_its_executor_back() -> None:
    loop = asyncio.new_event_loop()
    try:
        with lean.inline_calls(loop, True) as applied:
            assert applied and "run_in_executor" in vars(loop)
        assert "run_in_executor" not in vars(loop)
        with lean.inline_calls(loop, False) as applied:
            assert not applied and "run_in_executor" not in vars(loop)
    finally:
        loop.close()


def test_only_the_registrations_own_calls_are_made_in_place() -> None:
    """The program's own use of the executor still runs on the executor's threads."""
    loop = asyncio.new_event_loop()

    async def elsewhere() -> bool:
        return await loop.run_in_executor(None, lambda: threading.current_thread() is threading.main_thread())

    try:
        with lean.inline_calls(loop, True):
            assert loop.run_until_complete(elsewhere()) is False
    finally:
        loop.close()


def test_an_exception_of_the_monitor_fails_the_program_as_it_does_on_the_executor(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def program() -> None:
        pulumi.CustomResource("t:m:R", "bad", {"value": 1})

    def refusing(self: Any, args: Any) -> Any:
        raise RuntimeError(f"refused {args.name}")

    monkeypatch.setattr(capture_module.PreviewMocks, "new_resource", refusing)
    failures = []
    for lean_run in (False, True):
        with pytest.raises(Exception, match="refused bad") as raised:
            run_program(program, stack="dev", config={}, lean=lean_run)
        failures.append(type(raised.value))
    assert failures[0] is failures[1]


def _special_program() -> None:
    """Special objects in a request: an asset, a resource reference (components'
    outputs), and a state the mocks answer that is not plain (an asset echoed back)."""
    first = pulumi.CustomResource("t:m:R", "first", {"size": 1})
    pulumi.CustomResource("t:m:R", "with-asset", {"script": pulumi.StringAsset("echo"), "size": 2})
    component = pulumi.ComponentResource("t:m:C", "parent")
    component.register_outputs({"first": first, "plain": first.id})


def _comparable(value: Any) -> Any:
    """Assets compare by identity: compare them by kind and text."""
    if isinstance(value, pulumi.StringAsset):
        return ("StringAsset", value.text)
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    return value


def _sorted(resources: list[CapturedResource]) -> list[CapturedResource]:
    return [
        dataclasses.replace(r, inputs=_comparable(r.inputs), outputs=_comparable(r.outputs))
        for r in sorted(resources, key=lambda r: r.urn)
    ]


def test_special_objects_are_handled_the_sdks_way(monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[bool] = []
    registered = CapturingMonitor._registered

    def watched(self: CapturingMonitor, request: Any) -> Any:
        threads.append(threading.current_thread() is threading.main_thread())
        return registered(self, request)

    monkeypatch.setattr(CapturingMonitor, "_registered", watched)
    reference = run_program(_special_program, stack="dev", config={}, lean=False)
    threads.clear()
    ours = run_program(_special_program, stack="dev", config={}, lean=True)
    assert _sorted(ours.resources) == _sorted(reference.resources)
    assert ours.registered_outputs.keys() == reference.registered_outputs.keys()
    with_asset = ours.named("with-asset")
    assert isinstance(with_asset.inputs["script"], pulumi.StringAsset)
    # The stack's registration is answered where it is made; the asset's on a thread of its own.
    assert threads.count(False) == 1, threads


def _holding(value: Any) -> struct_pb2.Struct:
    return _sync_await(rpc.serialize_properties({"value": value}, {}))


SIGNATURES = [  # a resource reference is not among them: the monitor replaces it first
    rpc._special_asset_sig,
    rpc._special_archive_sig,
    rpc._special_output_value_sig,
]


def _special(value: Any) -> bool:
    return capture_module._holds_special(_holding(value).SerializeToString())


def test_a_request_is_special_when_it_holds_a_signature() -> None:
    assert _special(pulumi.StringAsset("x"))
    assert _special(pulumi.FileArchive("/tmp"))
    assert _special([{"deep": pulumi.StringAsset("x")}])
    for sig in SIGNATURES:
        assert _special({"text": sig}), sig  # equal to one: only slower
        # A string that merely contains one is plain: no slow path for a tag a stack file sets.
        assert not _special({"text": f"ref {sig}"}), sig
        assert not _special({"text": f"{sig}x", sig: "key"}), sig
    assert not _special({"a": [1, "b"], "s": SECRET})


def _open_descriptors() -> int:
    return len(list(Path("/proc/self/fd").iterdir()))  # Linux, as CI


def _many_assets() -> None:
    for i in range(150):
        pulumi.CustomResource("t:m:R", f"asset-{i}", {"script": pulumi.StringAsset("echo")})


def test_registrations_made_the_sdks_way_leave_no_descriptors_behind() -> None:
    """Each special registration runs on the run's one thread of its own, whose event loop is made
    once and closed with the run (a thread per call left three descriptors per registration)."""
    run_program(_many_assets, stack="dev", config={}, lean=True)  # warm: imports, the runtime's own
    gc.collect()  # whatever the warm run left for the collector goes now, not during the next run
    before = _open_descriptors()
    counts: list[int] = []
    captured = run_program(
        _many_assets,
        stack="dev",
        config={},
        lean=True,
        on_resource=lambda _: counts.append(_open_descriptors()),
    )
    assert len(captured.resources) == len(counts) == 150
    assert max(counts) - before <= 6, (before, max(counts))  # one thread's loop, not one per call
    assert _open_descriptors() - before <= 1
    assert not [t for t in threading.enumerate() if t.name.startswith("tvt-sdk-call")]


@pytest.fixture(autouse=True)
def _no_leftover_mocks() -> Iterator[None]:
    yield
    pulumi.runtime.settings.ROOT.set(None)


def test_registrations_are_captured_in_the_same_order_on_every_run() -> None:
    """On one thread, the order is the event loop's, which is the program's: no executor races."""
    config = read_stack_file(stack_file("prod", REPO), root=REPO)
    orders = []
    for _ in range(2):
        with _as_project(REPO):
            capture = run_program(REPO / "__main__.py", stack="prod", config=config, project_root=REPO)
        orders.append([r.urn for r in capture.resources])
    assert orders[0] == orders[1] and len(set(orders[0])) == len(orders[0])
