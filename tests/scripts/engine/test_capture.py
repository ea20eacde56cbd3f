"""The capture harness: full registrations, computed outputs, and the running count for progress."""

from __future__ import annotations

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
