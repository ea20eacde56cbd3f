"""One data level: its own resource group, network, key vault and key, and data lake.

Each level is its own security boundary: a level's data is encrypted with a key only that level's
storage identity can use, reachable only from that level's network, and readable only by the
groups its grants name. Controls tighten with the level (level 3's key is HSM-backed).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_azure_native import resources

from components.access import declare_role, grant_assignments, level_roles
from components.config.model import LEVELS, WRITE_ONCE_ZONES, LevelConfig, StackConfig
from components.diagnostics import Diagnostics
from components.keyvault import KeyVault, KeyVaultArgs
from components.naming import Namer, scope_name
from components.network import (
    PRIVATE_LINK_ZONES,
    PrivateDnsZones,
    PrivateNetwork,
    PrivateNetworkArgs,
    link_private_dns,
    private_endpoint_specs,
)
from components.placement import Placement
from components.protection import Protection, lock_resource_group
from components.storage import SecureStorage, SecureStorageArgs
from components.tags import scope_tags

HSM_LEVELS = frozenset({3})
"""Levels whose keys must never leave an HSM: identifiable, special-category data."""
LAKE_SUBRESOURCES = ("blob", "dfs")  # dfs for ADLS Gen2 tools, blob for everything else
_ZONES = frozenset(z for s in ("vault", *LAKE_SUBRESOURCES) for z in PRIVATE_LINK_ZONES[s])
"""The private DNS zones a level's endpoints (vault, blob, dfs) register in."""


@dataclass(frozen=True)
class DataLevelArgs:
    config: StackConfig
    level: LevelConfig
    diagnostics: Diagnostics
    private_dns: PrivateDnsZones
    protection: Protection

    def __post_init__(self) -> None:
        if self.level.level not in LEVELS:
            raise ValueError(f"tvt:levels: level {self.level.level} is not one of {LEVELS}")
        missing = sorted(_ZONES - set(self.private_dns.ids))
        if missing:
            raise ValueError(f"level {self.level.level}: no private DNS zone id for {missing}")


class DataLevel(pulumi.ComponentResource):
    """Resource group, private network, key vault with CMK, and the ADLS Gen2 account with its grants."""

    def __init__(self, name: str, args: DataLevelArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tvt:level:DataLevel", name, None, opts)
        config, level, protection = args.config, args.level, args.protection
        namer = Namer(config.stack, scope_name(level.level), config.subscription_id)
        tags = scope_tags(config, level.level)
        child = pulumi.ResourceOptions(parent=self)

        self.resource_group = resources.ResourceGroup(
            f"{name}-rg",
            resource_group_name=namer.resource_group(),
            location=config.location,
            tags=tags,
            opts=child,
        )
        place = Placement(namer, self.resource_group.name, config.location, tags)
        self.network = PrivateNetwork(
            f"{name}-network",
            PrivateNetworkArgs(place, level.address_space, level.private_endpoint_subnet, args.diagnostics),
            opts=child,
        )
        self.dns_links = link_private_dns(args.private_dns, self.network, tags, parent=self, name=name)
        subnet_id = self.network.subnet.id
        # Partner groups get this level's custom roles, assignable only inside its resource group.
        self.role_definitions = {
            role: declare_role(
                f"{name}-role-{role.value}", definition, scope_id=self.resource_group.id, parent=self
            )
            for role, definition in level_roles(config, level.level).items()
        }
        self.keyvault = KeyVault(
            f"{name}-keyvault",
            KeyVaultArgs(
                place,
                config.tenant_id,
                args.diagnostics,
                private_endpoint_specs(subnet_id, args.private_dns.ids, ("vault",)),
                config.keys.first_version_expires,
                hsm_backed=level.level in HSM_LEVELS,
                soft_delete_retention_days=protection.vault_soft_delete_days,
                lock=protection.lock,
            ),
            opts=child,
        )
        self.storage = SecureStorage(
            f"{name}-storage",
            SecureStorageArgs(
                place,
                args.diagnostics,
                self.keyvault.customer_managed_key,
                private_endpoint_specs(subnet_id, args.private_dns.ids, LAKE_SUBRESOURCES),
                containers=level.zones,
                role_assignments=grant_assignments(
                    config, level.level, {role: d.id for role, d in self.role_definitions.items()}
                ),
                write_once=WRITE_ONCE_ZONES.get(level.level, ()),
                write_once_retention_days=protection.write_once_retention_days,
                soft_delete_retention_days=protection.blob_soft_delete_days,
                lock=protection.lock,
            ),
            opts=child,
        )
        self.lock = lock_resource_group(f"{name}-lock", self.resource_group, protection.lock, parent=self)

        self.register_outputs(
            {
                "resourceGroupName": self.resource_group.name,
                "virtualNetworkId": self.network.virtual_network.id,
                "keyVaultId": self.keyvault.vault.id,
                "keyVaultName": self.keyvault.vault.name,
                "keyVaultUri": self.keyvault.vault_uri,
                "storageAccountId": self.storage.account.id,
                "storageAccountName": self.storage.account.name,
            }
        )
