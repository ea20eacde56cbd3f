"""The capture harness: full registrations, computed outputs, and the running count for progress."""

from __future__ import annotations

import gc
import weakref

import pulumi
from pulumi_azure_native import resources, storage

from scripts.engine.capture import run_program

SUBSCRIPTION = "00000000-0000-4000-8000-000000000001"


def _program() -> None:
    rg = resources.ResourceGroup("rg", resource_group_name="rg-x", location="uksouth")
    storage.StorageAccount(
        "st",
        account_name="stx",
        resource_group_name=rg.name,
        location=rg.location,
        kind=storage.Kind.STORAGE_V2,
        sku=storage.SkuArgs(name=storage.SkuName.STANDARD_GZRS),
        opts=pulumi.ResourceOptions(protect=True),
    )


def test_capture_records_options_dependencies_and_arm_ids() -> None:
    capture = run_program(_program, stack="dev", config={}, subscription_id=SUBSCRIPTION)
    rg, account = capture.named("rg"), capture.named("st")
    assert rg.outputs["name"] == "rg-x", "the mock must answer with the Azure name, not the logical one"
    assert rg.id == f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-x"
    assert account.id.endswith("/resourceGroups/rg-x/providers/Microsoft.Storage/storageAccounts/stx")
    assert account.inputs["resourceGroupName"] == "rg-x", "a dependent input vanished"
    assert account.property_dependencies["resourceGroupName"] == (rg.urn,)
    assert account.protect and not rg.protect
    assert account.source_position is not None
    assert account.source_position.file == "tests/scripts/engine/test_capture.py"


def test_on_register_reports_a_running_count() -> None:
    counts: list[int] = []
    capture = run_program(
        _program, stack="dev", config={}, subscription_id=SUBSCRIPTION, on_register=counts.append
    )
    assert counts == list(range(1, len(capture.resources) + 1)) == [1, 2]


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_no_collection_runs_while_the_program_runs_and_its_garbage_is_freed_later() -> None:
    collections: list[int] = []
    made: list[weakref.ref[_Cycle]] = []

    def counting(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    def program() -> None:
        gc.callbacks.append(counting)  # from here (a previous run's garbage is collected before)
        made.extend(weakref.ref(_Cycle()) for _ in range(5 * max(gc.get_threshold()[0], 1000)))
        _program()

    threshold = gc.get_threshold()
    try:
        run_program(program, stack="dev", config={}, subscription_id=SUBSCRIPTION)
    finally:
        gc.callbacks.remove(counting)
    assert collections == [], f"collections of generations {collections} ran during the program"
    assert gc.get_threshold() == threshold and gc.get_freeze_count() == 0
    # A process that runs programs one after another holds at most one run's garbage.
    run_program(_program, stack="dev", config={}, subscription_id=SUBSCRIPTION)
    assert all(r() is None for r in made), "the first program's cyclic garbage outlived the next run"
