"""Component arguments reject bad input where they are built, with a message naming what is wrong."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from component_runs import make_config

from components.access import RoleAssignmentSpec
from components.audit import AuditServicesArgs
from components.config.model import Role
from components.diagnostics import Diagnostics
from components.keyvault import CustomerManagedKey, KeyVaultArgs
from components.level import DataLevelArgs
from components.naming import Namer
from components.network import (
    PrivateDnsZones,
    PrivateEndpointSpec,
    PrivateNetworkArgs,
    private_endpoint_specs,
)
from components.placement import Placement
from components.protection import PROD
from components.roles import custom_role
from components.storage import Immutability, SecureStorageArgs, replication_sku
from components.tags import CLASSIFICATION, data_level, scope_tags
from tests.conftest import SUBSCRIPTION

NAMER = Namer("prod", "l3", SUBSCRIPTION)
KEY_EXPIRES = dt.date(2027, 12, 31)
TAGS = {"environment": "prod"}
PLACEMENT = Placement(NAMER, "rg-tvt-prod-l3", "uksouth", TAGS)
DIAG = Diagnostics(workspace_id="ws")
VAULT_PE = PrivateEndpointSpec("vault", "subnet", {"vault": "zone"})
BLOB_PE = PrivateEndpointSpec("blob", "subnet", {"blob": "zone"})
DFS_PE = PrivateEndpointSpec("dfs", "subnet", {"dfs": "zone"})
CMK = CustomerManagedKey(key_name=None, vault_uri=None, identity_id=None, grant=None)  # type: ignore[arg-type]


def storage_args(**overrides: object) -> SecureStorageArgs:
    base: dict[str, object] = {
        "placement": PLACEMENT,
        "diagnostics": DIAG,
        "customer_managed_key": CMK,
        "private_endpoints": (BLOB_PE, DFS_PE),
        "containers": ("landing", "raw"),
    }
    return SecureStorageArgs(**{**base, **overrides})  # type: ignore[arg-type]


READER = custom_role(Role.READER, stack="prod", subscription_id="sub", level=3)


def reader_on(container: str | None, name: str = "g-reader") -> RoleAssignmentSpec:
    return RoleAssignmentSpec(name, READER, "oid", "oid", "d", container=container, role_definition="role-id")


def test_placement_keeps_data_in_the_uk() -> None:
    with pytest.raises(ValueError, match="scope l3: location 'westeurope' is not one of uksouth, ukwest"):
        Placement(NAMER, "rg", "westeurope", TAGS)
    with pytest.raises(ValueError, match="need tags"):
        Placement(NAMER, "rg", "uksouth", {})


def test_placement_arm_path() -> None:
    assert PLACEMENT.arm_path("Microsoft.KeyVault/vaults", "kv", "keys", "k") == (
        f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-tvt-prod-l3"
        "/providers/Microsoft.KeyVault/vaults/kv/keys/k"
    )


def test_network_subnet_must_sit_inside_the_address_space() -> None:
    with pytest.raises(ValueError, match=r"subnet 10\.9\.0\.0/26 is not inside 10\.43\.0\.0/24"):
        PrivateNetworkArgs(PLACEMENT, "10.43.0.0/24", "10.9.0.0/26", DIAG)
    PrivateNetworkArgs(PLACEMENT, "10.43.0.0/24", "10.43.0.64/26", DIAG)


def test_private_endpoint_specs() -> None:
    with pytest.raises(ValueError, match="has no private DNS zone"):
        PrivateEndpointSpec("queue", "subnet", {"queue": "zone"})
    with pytest.raises(ValueError, match="no private DNS zone id for dfs"):
        private_endpoint_specs("subnet", {"blob": "z"}, ("blob", "dfs"))
    assert [
        s.subresource for s in private_endpoint_specs("s", {"blob": "a", "dfs": "b"}, ("blob", "dfs"))
    ] == [
        "blob",
        "dfs",
    ]


def test_key_vault_args() -> None:
    KeyVaultArgs(PLACEMENT, "tenant", DIAG, (VAULT_PE,), KEY_EXPIRES)
    assert KeyVaultArgs(PLACEMENT, "tenant", DIAG, (VAULT_PE,), KEY_EXPIRES).hsm_backed, (
        "HSM-backed unless opted out"
    )
    with pytest.raises(ValueError, match="needs a private endpoint"):
        KeyVaultArgs(PLACEMENT, "tenant", DIAG, (), KEY_EXPIRES)
    with pytest.raises(ValueError, match=r"sub-resources \['blob'\] not among \['vault'\]"):
        KeyVaultArgs(PLACEMENT, "tenant", DIAG, (BLOB_PE,), KEY_EXPIRES)
    with pytest.raises(ValueError, match=r"soft_delete_retention_days must be 7\.\.90"):
        KeyVaultArgs(PLACEMENT, "tenant", DIAG, (VAULT_PE,), KEY_EXPIRES, soft_delete_retention_days=5)


def test_storage_args_secure_defaults() -> None:
    args = storage_args()
    assert args.allow_trusted_azure_services is False
    assert args.lock.enabled
    assert args.soft_delete_retention_days == 30
    assert args.account_name == NAMER.storage_account()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"containers": ("Landing",)}, "storage container name 'Landing' breaks Azure's rule"),
        ({"containers": ("raw", "raw")}, "duplicate containers"),
        ({"role_assignments": (reader_on("matched"),)}, "names unknown container 'matched'"),
        ({"role_assignments": (reader_on(None), reader_on("raw"))}, "role assignment names are not unique"),
        ({"soft_delete_retention_days": 400}, "soft_delete_retention_days must be 7..365"),
        ({"private_endpoints": ()}, "needs a private endpoint"),
        ({"private_endpoints": (VAULT_PE,)}, r"sub-resources \['vault'\] not among"),
        ({"private_endpoints": (BLOB_PE, BLOB_PE)}, "more than one private endpoint per sub-resource"),
        ({"hierarchical_namespace": False}, "a dfs endpoint needs the hierarchical namespace"),
        ({"immutability": Immutability(30)}, "immutability needs hierarchical_namespace=False"),
    ],
)
def test_storage_args_reject(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        storage_args(**overrides)


def test_immutability_bounds() -> None:
    assert Immutability(2557).locked, "WORM is locked unless unlocked by name"
    with pytest.raises(ValueError, match=r"retention_days must be 1\.\.146000"):
        Immutability(0)


def test_replication_stays_in_the_uk() -> None:
    assert replication_sku("uksouth") == "Standard_GZRS"
    assert replication_sku("ukwest") == "Standard_GRS"
    with pytest.raises(KeyError):
        replication_sku("westeurope")


def test_audit_rejects_retention_the_workspace_cannot_hold() -> None:
    config = make_config("prod")
    too_long = replace(config, audit=replace(config.audit, log_retention_days=2557))
    with pytest.raises(
        ValueError, match=r"tvt:audit.logRetentionDays: the workspace accepts 30..730 days, got 2557"
    ):
        AuditServicesArgs(too_long, PROD)


def test_data_level_needs_every_private_dns_zone() -> None:
    config = make_config("prod")
    with pytest.raises(ValueError, match=r"level 3: no private DNS zone id for \['dfs', 'vault'\]"):
        zones = PrivateDnsZones(
            {"blob": "z"}, {}, "rg", Namer("prod", "audit", SUBSCRIPTION), object(), "audit"
        )
        DataLevelArgs(config, config.level(3), DIAG, zones, PROD)


def test_tags() -> None:
    config = make_config("dev")
    assert scope_tags(config, 1) == {
        "environment": "dev",
        "data-level": "1",
        "owner": "tvt-platform-team",
        "classification": "OFFICIAL",
    }
    assert scope_tags(config, None)["data-level"] == "shared"
    assert {data_level(n): CLASSIFICATION[data_level(n)] for n in (None, 2, 3)} == {
        "shared": "OFFICIAL-SENSITIVE",
        "2": "OFFICIAL-SENSITIVE",
        "3": "OFFICIAL-SENSITIVE",
    }
    with pytest.raises(ValueError, match="data level 4"):
        data_level(4)
