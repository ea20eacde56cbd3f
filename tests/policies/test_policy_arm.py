"""policies/arm.py: ARM ids, vault URIs and principal ids parsed into types and compared as Azure does."""

from __future__ import annotations

import pytest

from policies.arm import parse_arm_id, parse_guid, parse_vault_uri, vault_uri_of

SUB = "/subscriptions/00000000-0000-4000-8000-100000000042"
ACCOUNT = f"{SUB}/resourceGroups/rg-tvt-prod-l3/providers/Microsoft.Storage/storageAccounts/sttvtprodl3"


@pytest.mark.parametrize(
    ("value", "kind", "shown"),
    [
        (SUB, "subscription", "the subscription '00000000-0000-4000-8000-100000000042'"),
        (f"{SUB}/resourceGroups/rg", "resource group", "resource group 'rg'"),
        (ACCOUNT, "Microsoft.Storage/storageAccounts", "Microsoft.Storage/storageAccounts 'sttvtprodl3'"),
        (
            f"{ACCOUNT}/blobServices/default/containers/matched",
            "Microsoft.Storage/storageAccounts/blobServices/containers",
            "Microsoft.Storage/storageAccounts/blobServices/containers 'matched'",
        ),
        (
            f"{SUB}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv/keys/k/providers/"
            "Microsoft.Authorization/roleAssignments/g",
            "Microsoft.Authorization/roleAssignments",
            "Microsoft.Authorization/roleAssignments 'g'",
        ),
        (
            "/providers/Microsoft.Authorization/roleDefinitions/2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
            "Microsoft.Authorization/roleDefinitions",
            "Microsoft.Authorization/roleDefinitions '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'",
        ),
        (
            f"{SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/providers",
            "Microsoft.Storage/storageAccounts",
            "Microsoft.Storage/storageAccounts 'providers'",
        ),
    ],
)
def test_ids_parse_into_their_kind(value: str, kind: str, shown: str) -> None:
    arm = parse_arm_id(value)
    assert arm is not None and (arm.kind, arm.describe()) == (kind, shown)


@pytest.mark.parametrize(
    "value",
    [
        None,
        42,
        "",
        "/",
        "subscriptions/x",
        "/subscriptions",
        "/subscriptions//resourceGroups/rg",
        "/subscriptions/x/resourceGroups",
        "/subscriptions/x/resourceGroups/rg/providers",
        "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Storage",
        "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts",
        "/subscriptions/x/nothing/y",
        "/providers/Microsoft.Authorization",
        "/subscriptions/x/resourceGroups/ rg",
        "/subscriptions/x/providers/Microsoft.Storage",  # a provider namespace naming nothing
        "/subscriptions/x/providers/Microsoft.Storage/storageAccounts",
    ],
)
def test_what_is_not_an_id_does_not_parse(value: object) -> None:
    assert parse_arm_id(value) is None


def test_what_an_id_holds_is_what_it_says() -> None:
    tenant = parse_arm_id("/providers/Microsoft.Authorization/roleDefinitions/g")
    assert tenant is not None and tenant.subscription is None and tenant.resource_group is None
    group = parse_arm_id(f"{SUB}/resourceGroups/rgX/")
    assert (
        group is not None
        and group.resource_group == "rgX"
        and group.key == f"{SUB}/resourcegroups/rgx".lower()
    )
    uri = parse_vault_uri("https://kv1.vault.azure.net")
    assert uri is not None and uri.text == "https://kv1.vault.azure.net"
    assert parse_vault_uri("https://kv1.vault.azure.net/") is not None
    assert vault_uri_of("KV1") == "https://kv1.vault.azure.net/"


def test_ids_compare_without_case_or_trailing_slash() -> None:
    a, b = parse_arm_id(ACCOUNT), parse_arm_id(ACCOUNT.upper() + "/")
    assert a is not None and b is not None and a.same(b) and a.key == ACCOUNT.lower()
    c = parse_arm_id(ACCOUNT.replace("sttvtprodl3", "sttvtprodl1"))
    assert c is not None and not a.same(c)
    assert a.subscription == "00000000-0000-4000-8000-100000000042" and a.resource_group == "rg-tvt-prod-l3"
    assert a.names == ("sttvtprodl3",)


@pytest.mark.parametrize(
    ("value", "vault"),
    [
        ("https://kv-tvt-prod-l3.vault.azure.net/", "kv-tvt-prod-l3"),
        ("https://KV-tvt-prod-l3.vault.azure.net", "kv-tvt-prod-l3"),
        (" https://kv1.vault.azure.net/ ", "kv1"),
    ],
)
def test_vault_uris_name_their_vault(value: str, vault: str) -> None:
    uri = parse_vault_uri(value)
    assert uri is not None and uri.vault == vault and uri.key == vault_uri_of(vault)
    assert uri.describe() == f"vault '{vault}'"


@pytest.mark.parametrize(
    "value",
    [
        None,
        "kv-tvt-prod-l3",
        "http://kv1.vault.azure.net/",
        "https://kv1.vault.azure.net/keys/k",
        "https://kv1.vault.azure.net:8443/",
        "https://kv1.vault.azure.net/?x=1",
        "https://kv1.vault.azure.net/#f",
        "https://user@kv1.vault.azure.net/",
        "https://kv1.vault.azure.net.evil.example/",
        "https://kv1.blob.core.windows.net/",
        "https://-kv.vault.azure.net/",
        "https://k.vault.azure.net/",  # vault names have 3-24 characters
        "https://kv.vault.azure.net/",
        "https://" + "k" * 25 + ".vault.azure.net/",
        "https:///",
    ],
)
def test_what_is_not_a_vault_uri_does_not_parse(value: object) -> None:
    assert parse_vault_uri(value) is None


def test_principal_ids_are_guids_in_one_case() -> None:
    assert parse_guid("0F7C3A52-7D0E-4C4E-9A8B-2D1F3E4A5B6C") == "0f7c3a52-7d0e-4c4e-9a8b-2d1f3e4a5b6c"
    for value in (None, "", "group-of-analysts", "0f7c3a52-7d0e-4c4e-9a8b-2d1f3e4a5b6", 12):
        assert parse_guid(value) is None
