"""Resource references: a pack is shown a resource's id, or its URN, never the resource rebuilt.

A resource given as an input, or as a component's registered output, reaches the monitor as a
reference. The engine shows an analyzer its id (unknown while the id is) or, for a component, its
URN. Rebuilding it inside the monitor, the SDK's way, made the SDK's own mocks fail and the lean run
wait for ever; these tests hold both runs to the engine's view, in bounded time.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pulumi
import pytest
from google.protobuf import struct_pb2
from pulumi.runtime import rpc
from pulumi_azure_native import resources, storage

from scripts.engine.capture import Capture, run_program
from scripts.engine.references import MalformedReference, holds_reference, without_references

SIG = rpc._special_sig_key
REF = rpc._special_resource_sig
UNKNOWN = rpc.UNKNOWN  # the engine's unknown string, as a pack sees it
URN = "urn:pulumi:dev::tvt-platform::azure-native:resources:ResourceGroup::rg"


def _struct(value: dict[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(value)
    return struct


def _ref(**fields: Any) -> dict[str, Any]:
    return {SIG: REF, **fields}


@pytest.mark.parametrize(
    ("reference", "shown"),
    [
        (_ref(urn=URN, id="/subscriptions/s/resourceGroups/rg"), "/subscriptions/s/resourceGroups/rg"),
        (_ref(urn=URN, id=""), UNKNOWN),  # the engine's unknown id
        (_ref(urn=URN, id=UNKNOWN), UNKNOWN),  # the SDK's unknown id
        (_ref(urn=URN, packageVersion="3.29.0"), URN),  # a component: no id
    ],
)
def test_a_reference_is_shown_as_the_engine_shows_it(reference: dict[str, Any], shown: str) -> None:
    secret = {SIG: rpc._special_secret_sig, "value": reference}
    value = {"direct": reference, "list": [1, reference], "deep": {"secret": secret}}
    replaced = without_references(_struct(value))
    assert replaced.fields["direct"].string_value == shown
    assert replaced.fields["list"].list_value.values[1].string_value == shown
    deep = replaced.fields["deep"].struct_value.fields["secret"].struct_value
    assert deep.fields["value"].string_value == shown
    assert deep.fields[SIG].string_value == rpc._special_secret_sig  # still a secret
    assert not holds_reference(replaced.SerializeToString())
    assert holds_reference(_struct(value).SerializeToString())


def test_the_struct_given_is_not_changed_and_one_without_references_is_copied_as_it_is() -> None:
    value = {"a": [1, "b", {"c": None}], "text": f"see {REF}", "equal": REF, REF: "a key"}
    original = _struct({"ref": _ref(urn=URN), **value})
    before = original.SerializeToString(deterministic=True)
    without_references(original)
    assert original.SerializeToString(deterministic=True) == before
    plain = _struct(value)
    assert without_references(plain) == plain
    # A signature as a bare string is text, not a reference: only a struct holds one.
    assert not holds_reference(_struct({"text": f"see {REF}"}).SerializeToString())


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        (_ref(id="x"), "'bad': urn not a string"),
        (_ref(urn=3, id="x"), "'bad': urn not a string"),
        (_ref(urn=URN, id=7), "'bad': id not a string"),
        (_ref(urn=URN, id=None), "'bad': id not a string"),
    ],
)
def test_a_reference_the_engine_would_refuse_is_refused(reference: dict[str, Any], message: str) -> None:
    with pytest.raises(MalformedReference, match=message):
        without_references(_struct({"bad": [reference]}))


class _Holder(pulumi.ComponentResource):
    def __init__(self, name: str) -> None:
        super().__init__("tvt:test:Holder", name)
        child = pulumi.ResourceOptions(parent=self)
        group = resources.ResourceGroup(
            f"{name}-rg", resource_group_name=f"rg-{name}", location="uksouth", opts=child
        )
        storage.StorageAccount(
            f"{name}sa",
            resource_group_name=group,  # type: ignore[arg-type]  (a resource as an input: a reference)
            kind="StorageV2",
            sku={"name": "Standard_ZRS"},
            opts=child,
        )
        inner = pulumi.ComponentResource("tvt:test:Inner", f"{name}-inner", opts=child)
        inner.register_outputs({})
        self.register_outputs({"group": group, "inner": inner, "listed": [group]})


def _program() -> None:
    for i in range(3):  # the SDK's mocks failed from the second reference to a resource on
        _Holder(f"h{i}")


def _run_bounded(run: Callable[[], Capture], seconds: float = 60) -> Capture:
    """``run()`` on a thread of its own: a run that waits for ever fails the test, not the suite."""
    result: list[Capture] = []
    errors: list[BaseException] = []

    def target() -> None:
        loop = asyncio.new_event_loop()  # as the main thread has one
        asyncio.set_event_loop(loop)
        try:
            result.append(run())
        except BaseException as error:  # noqa: BLE001  (handed to the test)
            errors.append(error)
        finally:
            asyncio.set_event_loop(None)
            loop.close()

    thread = threading.Thread(target=target, name="test-bounded-run", daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"the run did not end within {seconds} s"
    if errors:
        raise errors[0]
    return result[0]


@pytest.fixture(autouse=True)
def _no_leftover_mocks() -> Iterator[None]:
    yield
    pulumi.runtime.settings.ROOT.set(None)


@pytest.mark.parametrize("lean", [True, False])
@pytest.mark.parametrize("computed", ["known", "unknown"])
def test_a_resource_as_an_input_or_a_components_output_is_captured_as_a_pack_sees_it(
    lean: bool, computed: str
) -> None:
    capture = _run_bounded(
        lambda: run_program(_program, stack="dev", config={}, lean=lean, computed=computed)
    )
    for i in range(3):
        group, account = capture.named(f"h{i}-rg"), capture.named(f"h{i}sa")
        holder, inner = capture.named(f"h{i}"), capture.named(f"h{i}-inner")
        group_id = group.id if computed == "known" else UNKNOWN
        if computed == "known":
            assert group_id.endswith(f"/resourceGroups/rg-h{i}")
        assert account.inputs["resourceGroupName"] == group_id
        outputs = capture.registered_outputs[holder.urn]
        assert outputs == {"group": group_id, "inner": inner.urn, "listed": [group_id]}
        assert group.urn in account.dependencies  # the reference is still a dependency
