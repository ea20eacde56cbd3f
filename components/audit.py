"""The shared audit services every level logs to, and the private DNS every private endpoint uses.

Audit logs describe access to every level, so they live apart from all of them: a Log Analytics
workspace for investigation, and an immutable (WORM) archive that keeps the evidence even from
someone who controls a level or the workspace. The subscription's activity log goes to both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import pulumi
from pulumi_azure_native import monitor, operationalinsights, privatedns, resources

from components.config.model import StackConfig
from components.diagnostics import Diagnostics, attach_diagnostics
from components.keyvault import KeyVault, KeyVaultArgs
from components.naming import Namer, scope_name
from components.network import (
    GLOBAL,
    PRIVATE_DNS_ZONES,
    PrivateDnsZones,
    PrivateNetwork,
    PrivateNetworkArgs,
    add_private_endpoint,
    link_private_dns,
    private_endpoint_specs,
)
from components.placement import Placement
from components.protection import Protection, lock_resource_group
from components.storage import Immutability, SecureStorage, SecureStorageArgs
from components.tags import scope_tags

ARCHIVE_CONTAINER = "audit-archive"
ACTIVITY_LOG_SETTING_NAME = "diag-tvt-activity-log"
ACTIVITY_LOG_CATEGORIES = (
    "Administrative",
    "Security",
    "ServiceHealth",
    "Alert",
    "Recommendation",
    "Policy",
    "Autoscale",
    "ResourceHealth",
)
"""Every activity log category: who changed what in the subscription, and what Azure said about it."""
AZURE_MONITOR_SUBRESOURCE = "azuremonitor"
# Interactive retention a PerGB2018 workspace accepts; longer needs table-level total retention.
WORKSPACE_RETENTION_DAYS = (30, 730)


@dataclass(frozen=True)
class AuditServicesArgs:
    config: StackConfig
    protection: Protection
    archive_diagnostics: bool = True
    """Send every diagnostic setting to the WORM archive as well as the workspace. On by default;
    non-prod stacks turn it off because their logs need no tamper-proof copy."""

    def __post_init__(self) -> None:
        low, high = WORKSPACE_RETENTION_DAYS
        days = self.config.audit.log_retention_days
        if not low <= days <= high:
            raise ValueError(
                f"tvt:audit.logRetentionDays: the workspace accepts {low}..{high} days, got {days}"
            )


class AuditServices(pulumi.ComponentResource):
    """Workspace (queried through a private link scope), WORM archive (with its own vault and key),
    private DNS zones and activity-log export.

    :attr:`diagnostics` is the target every level's diagnostic settings use, and
    :attr:`private_dns` the zones every level links its network to and registers its endpoints in.
    """

    def __init__(
        self, name: str, args: AuditServicesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("tvt:audit:AuditServices", name, None, opts)
        config, protection = args.config, args.protection
        self._prefix = name
        self._namer = namer = Namer(config.stack, scope_name(None), config.subscription_id)
        self._tags = tags = scope_tags(config, None)
        child = pulumi.ResourceOptions(parent=self)

        self.resource_group = resources.ResourceGroup(
            f"{name}-rg",
            resource_group_name=namer.resource_group(),
            location=config.location,
            tags=tags,
            opts=child,
        )
        place = Placement(namer, self.resource_group.name, config.location, tags)
        self.workspace = operationalinsights.Workspace(
            f"{name}-workspace",
            workspace_name=namer.workspace(),
            resource_group_name=place.resource_group_name,
            location=place.location,
            tags=tags,
            sku=operationalinsights.WorkspaceSkuArgs(
                name=operationalinsights.WorkspaceSkuNameEnum.PER_GB2018
            ),
            retention_in_days=config.audit.log_retention_days,
            public_network_access_for_ingestion=operationalinsights.PublicNetworkAccessType.DISABLED,
            public_network_access_for_query=operationalinsights.PublicNetworkAccessType.DISABLED,
            features=operationalinsights.WorkspaceFeaturesArgs(
                # Entra ID only, and readers see only the logs of resources they may read.
                disable_local_auth=True,
                enable_log_access_using_only_resource_permissions=True,
            ),
            opts=pulumi.ResourceOptions(parent=self, protect=protection.lock.enabled),
        )
        # The archive is a diagnostics target of resources created before it (this scope's network
        # and vault, which the archive itself needs), so its id is passed on before it exists.
        archive_id: pulumi.Output[str] | None = None
        resolve_archive_id: Callable[[pulumi.Output[str]], None] | None = None
        if args.archive_diagnostics:
            archive_id, resolve_archive_id = pulumi.deferred_output()
        self.diagnostics = Diagnostics(workspace_id=self.workspace.id, archive_id=archive_id)

        self.network = PrivateNetwork(
            f"{name}-network",
            PrivateNetworkArgs(
                place, config.audit.address_space, config.audit.private_endpoint_subnet, self.diagnostics
            ),
            opts=child,
        )
        self.private_dns_zones = {
            group: privatedns.PrivateZone(
                f"{name}-dns-{group}",
                private_zone_name=zone,
                resource_group_name=place.resource_group_name,
                location=GLOBAL,
                tags=tags,
                opts=child,
            )
            for group, zone in PRIVATE_DNS_ZONES.items()
        }
        self.private_dns_zone_ids: dict[str, pulumi.Output[str]] = {
            group: zone.id for group, zone in self.private_dns_zones.items()
        }
        self.private_dns = PrivateDnsZones(
            ids=self.private_dns_zone_ids,
            names={group: zone.name for group, zone in self.private_dns_zones.items()},
            resource_group_name=self.resource_group.name,
            namer=namer,
            owner=self,
            prefix=name,
        )
        link_private_dns(self.private_dns, self.network, tags, parent=self, name=name)

        self.keyvault = KeyVault(
            f"{name}-keyvault",
            KeyVaultArgs(
                place,
                config.tenant_id,
                self.diagnostics,
                private_endpoint_specs(self.network.subnet.id, self.private_dns_zone_ids, ("vault",)),
                config.keys.first_version_expires,
                hsm_backed=True,
                soft_delete_retention_days=protection.vault_soft_delete_days,
                lock=protection.lock,
            ),
            opts=child,
        )
        self.archive = SecureStorage(
            f"{name}-archive",
            SecureStorageArgs(
                place,
                # Azure Monitor refuses to send a storage account's logs into that same account.
                replace(self.diagnostics, archive_id=None),
                self.keyvault.customer_managed_key,
                private_endpoint_specs(self.network.subnet.id, self.private_dns_zone_ids, ("blob",)),
                containers=(ARCHIVE_CONTAINER,),
                hierarchical_namespace=False,
                allow_trusted_azure_services=True,
                immutability=Immutability(
                    config.audit.archive_retention_days, locked=config.audit.archive_immutability_locked
                ),
                soft_delete_retention_days=protection.blob_soft_delete_days,
                lock=protection.lock,
            ),
            opts=child,
        )
        if resolve_archive_id is not None:
            resolve_archive_id(self.archive.account.id)
        # Say which WORM state Azure is asked for: it creates the policy only Unlocked, so a locked
        # request is only ever made for an archive that exists (checked in components.config).
        audit = config.audit
        pulumi.log.info(
            f"audit archive immutability: requesting Locked (archive created {audit.archive_created})"
            if audit.archive_immutability_locked
            else "audit archive immutability: requesting Unlocked (a new archive; lock it in a second "
            "deployment once it exists: README, A new stack)"
        )
        attach_diagnostics(self.workspace, self.diagnostics, parent=self)
        self._link_workspace_privately(name, place)

        self.activity_log = monitor.SubscriptionDiagnosticSetting(
            f"{name}-activity-log",
            name=ACTIVITY_LOG_SETTING_NAME,
            workspace_id=self.workspace.id,
            storage_account_id=self.archive.account.id,
            logs=[
                monitor.SubscriptionLogSettingsArgs(category=c, enabled=True) for c in ACTIVITY_LOG_CATEGORIES
            ],
            opts=child,
        )
        self.lock = lock_resource_group(f"{name}-lock", self.resource_group, protection.lock, parent=self)

        self.register_outputs(
            {
                "resourceGroupName": self.resource_group.name,
                "workspaceId": self.workspace.id,
                "workspaceCustomerId": self.workspace.customer_id,
                "archiveAccountId": self.archive.account.id,
                "archiveAccountName": self.archive.account.name,
                "keyVaultId": self.keyvault.vault.id,
                "keyVaultName": self.keyvault.vault.name,
                "keyVaultUri": self.keyvault.vault_uri,
                "privateDnsZoneIds": self.private_dns_zone_ids,
                "privateLinkScopeId": self.private_link_scope.id,
            }
        )

    def _link_workspace_privately(self, name: str, place: Placement) -> None:
        """An Azure Monitor Private Link Scope: the only way to query (or feed) the workspace.

        The workspace refuses public query and ingestion, so investigators reach it through the
        scope's private endpoint in the audit network, resolved through the Azure Monitor private DNS
        zones linked to every network. PrivateOnly access modes keep the endpoint's clients from
        reaching any Azure Monitor resource outside this scope (no exfiltration to another tenant's
        workspace over the same endpoint).
        """
        child = pulumi.ResourceOptions(parent=self)
        ampls_name = self._namer.private_link_scope()
        self.private_link_scope = monitor.PrivateLinkScope(
            f"{name}-ampls",
            scope_name=ampls_name,
            resource_group_name=place.resource_group_name,
            location=GLOBAL,
            tags=self._tags,
            access_mode_settings=monitor.AccessModeSettingsArgs(
                query_access_mode=monitor.AccessMode.PRIVATE_ONLY,
                ingestion_access_mode=monitor.AccessMode.PRIVATE_ONLY,
            ),
            opts=child,
        )
        self.private_link_scoped_workspace = monitor.PrivateLinkScopedResource(
            f"{name}-ampls-workspace",
            name=self._namer.workspace(),
            scope_name=self.private_link_scope.name,
            resource_group_name=place.resource_group_name,
            linked_resource_id=self.workspace.id,
            opts=child,
        )
        (spec,) = private_endpoint_specs(
            self.network.subnet.id, self.private_dns_zone_ids, (AZURE_MONITOR_SUBRESOURCE,)
        )
        self.private_link_scope_endpoint = add_private_endpoint(
            f"{name}-ampls-pe",
            spec,
            target=self.private_link_scope,
            target_name=ampls_name,
            placement=place,
            parent=self,
        )
