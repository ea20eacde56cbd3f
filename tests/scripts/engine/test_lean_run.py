"""The lean run (the default) registers exactly what the SDK as shipped registers: same plan bytes.

Each of :mod:`scripts.engine.lean`'s replacements is also checked against the SDK function it
replaces, at every call of a whole run of the prod stack, and pinned to that function's source.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pulumi.resource
import pytest
from preview_helpers import REPO
from pulumi.runtime import settings
from pulumi.runtime.proto import source_pb2

from components.config.load import read_stack_file, stack_file
from scripts.commands.pipeline import _as_project
from scripts.engine import lean
from scripts.engine.capture import run_program
from scripts.engine.export import build_deployment, dumps
from tests.conftest import TODAY


def _plan_bytes(root: Path, stack: str, *, lean: bool) -> bytes:
    return _timed_plan(root, stack, lean=lean)[0]


def _timed_plan(root: Path, stack: str, *, lean: bool) -> tuple[bytes, float]:
    """plan.json of ``stack`` and the CPU seconds its program took."""
    config = read_stack_file(stack_file(stack, root), root=root)
    start = time.process_time()
    with _as_project(root):
        capture = run_program(
            root / "__main__.py",
            stack=stack,
            config=config,
            subscription_id=str(config["tvt:subscriptionId"]),
            project_root=root,
            lean=lean,
        )
    cpu = time.process_time() - start
    return dumps(build_deployment(capture, config)), cpu


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TVT_TODAY", TODAY)


@pytest.mark.parametrize("stack", ["dev", "test", "prod"])
def test_lean_plan_is_byte_identical_to_the_reference_run(stack: str) -> None:
    _plan_bytes(REPO, stack, lean=True)  # imports and lazily loaded types, so both runs are warm
    reference, reference_cpu = _timed_plan(REPO, stack, lean=False)
    lean, lean_cpu = _timed_plan(REPO, stack, lean=True)
    assert lean == reference, f"stack {stack}: the lean run changed plan.json"
    assert b'"aliases"' in lean, f"stack {stack}: no resource has aliases, so the check proves nothing"
    # Measured in this run, so a ratio: the lean run has saved at least half (about 80% when written);
    # an SDK that renamed what scripts.engine.lean replaces would make it quietly as slow as the reference.
    assert lean_cpu <= 0.5 * reference_cpu, (
        f"stack {stack}: the lean program took {lean_cpu:.2f}s CPU, the reference {reference_cpu:.2f}s"
    )


def test_lean_run_restores_the_sdk_and_the_collector() -> None:
    replaced = {r.name: getattr(r.module, r.name) for r in lean.REPLACED}
    threshold = gc.get_threshold()
    _plan_bytes(REPO, "dev", lean=True)
    for r in lean.REPLACED:
        assert getattr(r.module, r.name) is replaced[r.name], f"the SDK's {r.name} was left replaced"
    assert gc.get_threshold() == threshold, "the collector's threshold was left changed"
    assert gc.get_freeze_count() == 0, "objects were left frozen out of collection"


def test_every_replacement_matches_the_sdk_it_was_checked_against() -> None:
    """An SDK upgrade that changes a replaced function (or one it reproduces or relies on) turns
    that piece of the lean run off; this fails until someone has read the new code against it."""
    stale = [r.name for r in lean.REPLACED if r.current_digest() != r.digest]
    stale += [p.name for p in lean.PINNED if not p.holds()]
    assert not stale, f"re-check these against the SDK's new code, then update their digests: {stale}"


def _checking(name: str, check: Callable[..., Any]) -> tuple[lean.Replacement, ...]:
    return tuple(dataclasses.replace(r, by=check) if r.name == name else r for r in lean.REPLACED)


def test_the_stack_trace_is_the_sdks_at_every_registration(monkeypatch: pytest.MonkeyPatch) -> None:
    sdk = pulumi.runtime.resource._get_stack_trace
    seen: list[source_pb2.StackTrace] = []

    def both() -> source_pb2.StackTrace:
        ours, theirs = lean.stack_trace(), sdk()  # from the same frame, as register_resource calls it
        assert ours == theirs and ours.SerializeToString() == theirs.SerializeToString()
        seen.append(ours)
        return ours

    monkeypatch.setattr(lean, "REPLACED", _checking("_get_stack_trace", both))
    _plan_bytes(REPO, "prod", lean=True)
    assert len(seen) > 100 and all(t.frames for t in seen), "every registration has a trace to compare"
    assert all(t.frames[0].pc.uri.endswith(".py") for t in seen)


def test_a_stack_without_three_constructors_has_an_empty_trace() -> None:
    assert lean.stack_trace() == pulumi.runtime.resource._get_stack_trace() == source_pb2.StackTrace()


def test_the_aliases_are_the_sdks_at_every_registration(monkeypatch: pytest.MonkeyPatch) -> None:
    sdk = pulumi.runtime.resource.prepare_aliases
    compared: list[int] = []

    async def both(resource: Any, options: Any, specs: bool) -> list[Any]:
        ours = await lean.prepare_aliases(resource, options, specs)
        theirs = await sdk(resource, options, specs)
        assert [a.SerializeToString(deterministic=True) for a in ours] == [
            a.SerializeToString(deterministic=True) for a in theirs
        ]
        compared.append(len(ours))
        return ours

    monkeypatch.setattr(lean, "REPLACED", _checking("prepare_aliases", both))
    _plan_bytes(REPO, "prod", lean=True)
    assert sum(compared) > 100, "aliases were compared"


@pytest.mark.parametrize(
    "alias",
    [
        pulumi.Alias(type_="azure-native:storage/v20220901:StorageAccount"),
        pulumi.Alias(name="old"),
    ],
)
def test_a_plain_alias_is_the_spec_the_sdk_builds(alias: pulumi.Alias) -> None:
    plain = lean._plain_spec(alias)
    spec = pulumi.runtime.sync_await._sync_await(pulumi.runtime.resource.create_alias_spec(alias))
    assert plain is not None and plain.spec.SerializeToString() == spec.SerializeToString()


@pytest.mark.parametrize(
    "alias",
    [
        "urn:pulumi:prod::tvt-platform::azure-native:storage:StorageAccount::old",
        pulumi.Alias(name="old", parent=None),
        pulumi.Alias(name=None, type_=None),  # refused by the SDK: it must take the SDK's path
        pulumi.Alias(name="old", stack="test"),
        pulumi.Alias(name="old", project="other"),
        pulumi.Alias(name=pulumi.Output.from_input("old")),  # type: ignore[arg-type]
    ],
)
def test_any_other_alias_goes_through_the_sdks_own_steps(alias: object) -> None:
    assert lean._plain_spec(alias) is None


def test_the_mock_urn_is_computed_only_without_a_monitor(monkeypatch: pytest.MonkeyPatch) -> None:
    computed: list[tuple[Any, ...]] = []
    monkeypatch.setattr(lean, "_SDK_CREATE_URN", lambda *args: computed.append(args) or "sdk")
    monkeypatch.setattr(settings, "get_monitor", lambda: None)
    assert lean.mock_urn("n", "t:m:T") == "sdk" and computed == [("n", "t:m:T", None, None, None)]
    monkeypatch.setattr(settings, "get_monitor", object)  # any monitor
    unused = lean.mock_urn("n", "t:m:T")
    assert isinstance(unused, pulumi.Output) and len(computed) == 1


@pytest.mark.parametrize("limit", [4, 12])
def test_a_traceback_limit_cuts_the_trace_as_it_cuts_the_sdks(
    limit: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    sdk = pulumi.runtime.resource._get_stack_trace
    monkeypatch.setattr(sys, "tracebacklimit", limit, raising=False)
    compared: list[int] = []

    def both() -> source_pb2.StackTrace:
        ours, theirs = lean.stack_trace(), sdk()
        assert ours.SerializeToString() == theirs.SerializeToString()
        compared.append(len(ours.frames))
        return ours

    monkeypatch.setattr(lean, "REPLACED", _checking("_get_stack_trace", both))
    _plan_bytes(REPO, "dev", lean=True)
    assert compared


def test_with_no_frames_left_the_trace_fails_as_the_sdks_does(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "tracebacklimit", 0, raising=False)
    with pytest.raises(UnboundLocalError):
        pulumi.runtime.resource._get_stack_trace()
    with pytest.raises(UnboundLocalError):
        lean.stack_trace()


def test_an_alias_the_sdk_refuses_still_fails_the_program() -> None:
    """``Alias(name=None)`` fails a real preview (collapse_alias_to_urn refuses it): so it must here."""

    def program() -> None:
        pulumi.ComponentResource(
            "t:m:C", "c", None, pulumi.ResourceOptions(aliases=[pulumi.Alias(name=None)])
        )

    from scripts.engine.capture import run_program as run

    for lean_run in (False, True):
        with pytest.raises(Exception, match="No valid 'name' passed in for alias"):
            capture = run(program, stack="dev", config={}, lean=lean_run)
            assert not capture.errors, "no error logged either"


def _settled(output: pulumi.Output[Any]) -> tuple[str, Any]:
    """What an output resolved to: its failure, or its data with the dependencies by identity."""
    data = output._data
    assert data.done(), "an output of a finished run is still unresolved"
    if data.exception() is not None:
        return "failed", data.exception()
    settled = data.result()
    return "data", (sorted(map(id, settled.resources)), settled.value, settled.is_known, settled.is_secret)


def _comparing_outputs(
    monkeypatch: pytest.MonkeyPatch,
) -> list[tuple[str, pulumi.Output[Any], pulumi.Output[Any]]]:
    """Run both versions of ``transfer_properties`` at every registration, each resolver call
    going to both; returns (property, the SDK's output, ours) for each output property."""
    sdk = pulumi.runtime.rpc.transfer_properties
    pairs: list[tuple[str, pulumi.Output[Any], pulumi.Output[Any]]] = []

    def both(res: Any, props: Any, custom: bool) -> dict[str, Any]:
        theirs = sdk(res, props, custom)
        their_outputs = {name: res.__dict__[name] for name in theirs}
        ours = lean.transfer_properties(res, props, custom)
        assert ours.keys() == theirs.keys()
        pairs.extend((name, their_outputs[name], res.__dict__[name]) for name in ours)

        def resolver(name: str) -> Callable[..., None]:
            return lambda *args: (theirs[name](*args), ours[name](*args))[-1]

        return {name: resolver(name) for name in ours}

    monkeypatch.setattr(lean, "REPLACED", _checking("transfer_properties", both))
    return pairs


@pytest.mark.parametrize("computed", ["known", "unknown"])
def test_every_output_property_resolves_as_the_sdks(computed: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every output of a whole prod run settles to what the SDK's settles to: the same value,
    known and secret flags, the same dependencies."""
    pairs = _comparing_outputs(monkeypatch)
    config = read_stack_file(stack_file("prod", REPO), root=REPO)
    with _as_project(REPO):
        run_program(REPO / "__main__.py", stack="prod", config=config, project_root=REPO, computed=computed)
    assert len(pairs) > 1000, "output properties were compared"
    assert all(_settled(ours) == _settled(theirs) for _, theirs, ours in pairs)
    if computed == "unknown":
        assert any(not ours._data.result().is_known for _, _, ours in pairs), "no unknown was compared"


def test_a_secret_output_property_resolves_as_the_sdks(monkeypatch: pytest.MonkeyPatch) -> None:
    pairs = _comparing_outputs(monkeypatch)

    def program() -> None:
        first = pulumi.CustomResource("t:m:R", "first", {"password": pulumi.Output.secret("s"), "size": 1})
        pulumi.CustomResource("t:m:R", "second", {"password": first.password, "size": None})  # type: ignore[attr-defined]

    run_program(program, stack="dev", config={})
    settled = [_settled(ours) for _, theirs, ours in pairs if _settled(ours) == _settled(theirs)]
    assert len(settled) == len(pairs) == 4
    assert [data[3] for _, data in settled] == [True, False, True, False], "secret flags as the SDK's"


def test_an_output_property_fails_as_the_sdks_does() -> None:
    """A failed registration resolves every output with its exception; awaiting one raises it."""
    failure = RuntimeError("registration failed")

    async def resolve_both() -> list[BaseException | None]:
        resources: list[Any] = [type("Res", (), {})() for _ in range(2)]
        sdk = pulumi.runtime.rpc.transfer_properties(resources[0], {"a": 1, "urn": 0, "id": 0}, True)
        ours = lean.transfer_properties(resources[1], {"a": 1, "urn": 0, "id": 0}, True)
        assert list(ours) == list(sdk) == ["a"]
        sdk["a"](None, False, False, None, failure)
        ours["a"](None, False, False, None, failure)
        raised: list[BaseException | None] = []
        for res in resources:
            try:
                await res.__dict__["a"].future()
                raised.append(None)
            except RuntimeError as error:
                raised.append(error)
        return raised

    loop = asyncio.new_event_loop()  # not made current: the next test's program finds the default
    try:
        assert loop.run_until_complete(resolve_both()) == [failure, failure]
    finally:
        loop.close()
