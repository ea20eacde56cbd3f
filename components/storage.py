"""A storage account locked down to TVT's baseline: the levels' data lakes and the audit archive.

Encrypted twice (infrastructure encryption plus the scope's customer-managed key, reached through
a user-assigned identity), Entra ID only, TLS 1.2, private endpoints only, soft delete, and one
container per zone with role assignments at the narrowest scope a grant names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import pulumi
from pulumi_azure_native import storage

from components import naming
from components.access import RoleAssignmentSpec, assign_role, assignment_logical_name, check_assignments
from components.diagnostics import Diagnostics, attach_diagnostics
from components.keyvault import CustomerManagedKey
from components.network import PrivateEndpointSpec, add_private_endpoint, check_endpoints
from components.placement import Placement
from components.protection import BLOB_SOFT_DELETE_DAYS, Lock

_STORAGE_ACCOUNTS = "Microsoft.Storage/storageAccounts"
_SUBRESOURCES = ("blob", "dfs")
# ukwest has no availability zones, so zone-redundant replication is only offered in uksouth. Both
# pair with the other UK region, so geo-redundant copies never leave the UK.
_REPLICATION: Mapping[str, storage.SkuName] = MappingProxyType(
    {"uksouth": storage.SkuName.STANDARD_GZRS, "ukwest": storage.SkuName.STANDARD_GRS}
)
_MAX_WORM_DAYS = 146_000  # Azure's upper bound for time-based retention


def replication_sku(location: str) -> storage.SkuName:
    """The most redundant UK-only replication ``location`` offers."""
    return _REPLICATION[location]


@dataclass(frozen=True)
class Immutability:
    """Version-level WORM retention on the account and every container (the audit archive).

    ``locked`` makes the policy irreversible: nobody, a subscription owner included, can shorten it
    or delete the data before it expires. Leave it on except where the data is disposable.
    """

    retention_days: int
    locked: bool = True

    def __post_init__(self) -> None:
        if not 1 <= self.retention_days <= _MAX_WORM_DAYS:
            raise ValueError(
                f"immutability retention_days must be 1..{_MAX_WORM_DAYS}, got {self.retention_days}"
            )


@dataclass(frozen=True)
class SecureStorageArgs:
    placement: Placement
    diagnostics: Diagnostics
    customer_managed_key: CustomerManagedKey
    private_endpoints: tuple[PrivateEndpointSpec, ...]
    containers: tuple[str, ...]
    role_assignments: tuple[RoleAssignmentSpec, ...] = ()
    hierarchical_namespace: bool = True
    """ADLS Gen2 (directories, POSIX ACLs), which the levels' analytics tools expect."""
    allow_trusted_azure_services: bool = False
    """Off: public network access is disabled and only the private endpoints reach the data.

    The audit archive turns it on so that Azure Monitor, a trusted Microsoft service, can write
    diagnostic logs and the activity log into it. Azure honours the firewall's trusted-services
    exception only while public network access is enabled "from selected networks", so this sets
    public access Enabled with a deny-by-default firewall that admits no address at all; the policy
    exception is recorded in ``policies/config/<stack>.json``, not coded around."""
    immutability: Immutability | None = None
    write_once: tuple[str, ...] = ()
    """Containers under a time-based retention (WORM) policy: blobs can be added, never changed or
    deleted until ``write_once_retention_days`` after each was written (container-level, which
    accounts with a hierarchical namespace support, unlike version-level ``immutability``)."""
    write_once_retention_days: int = 365
    soft_delete_retention_days: int = 30
    lock: Lock = field(default_factory=Lock)

    @property
    def account_name(self) -> str:
        return self.placement.namer.storage_account()

    def __post_init__(self) -> None:
        what = f"storage account {self.account_name}"
        for container in self.containers:
            problem = naming.check(naming.Kind.CONTAINER, container)
            if problem:
                raise ValueError(f"{what}: {problem}")
        if len(set(self.containers)) != len(self.containers):
            raise ValueError(f"{what}: duplicate containers in {list(self.containers)}")
        for spec in self.role_assignments:
            if spec.container is not None and spec.container not in self.containers:
                raise ValueError(
                    f"{what}: role assignment {spec.name!r} names unknown container {spec.container!r}"
                )
        check_assignments(self.role_assignments, what)
        low, high = BLOB_SOFT_DELETE_DAYS
        if not low <= self.soft_delete_retention_days <= high:
            raise ValueError(f"{what}: soft_delete_retention_days must be {low}..{high}")
        check_endpoints(self.private_endpoints, _SUBRESOURCES, what)
        if "dfs" in {s.subresource for s in self.private_endpoints} and not self.hierarchical_namespace:
            raise ValueError(f"{what}: a dfs endpoint needs the hierarchical namespace")
        unknown = [c for c in self.write_once if c not in self.containers]
        if unknown:
            raise ValueError(f"{what}: write_once names unknown containers {unknown}")
        if not 1 <= self.write_once_retention_days <= _MAX_WORM_DAYS:
            raise ValueError(f"{what}: write_once_retention_days must be 1..{_MAX_WORM_DAYS}")
        if self.immutability is not None and self.hierarchical_namespace:
            # Version-level immutability needs blob versioning, which accounts with a hierarchical
            # namespace do not support.
            raise ValueError(f"{what}: immutability needs hierarchical_namespace=False")


class SecureStorage(pulumi.ComponentResource):
    """Storage account with CMK and double encryption, private only, soft delete, zones as containers."""

    def __init__(
        self, name: str, args: SecureStorageArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("tvt:storage:SecureStorage", name, None, opts)
        place = args.placement
        cmk = args.customer_managed_key
        child = pulumi.ResourceOptions(parent=self)
        account_name = args.account_name
        immutability = args.immutability
        encrypted_service = storage.EncryptionServiceArgs(enabled=True, key_type=storage.KeyType.ACCOUNT)

        self.account = storage.StorageAccount(
            f"{name}-account",
            account_name=account_name,
            resource_group_name=place.resource_group_name,
            location=place.location,
            tags=place.tags,
            kind=storage.Kind.STORAGE_V2,
            sku=storage.SkuArgs(name=replication_sku(place.location)),
            is_hns_enabled=args.hierarchical_namespace,
            identity=storage.IdentityArgs(
                type=storage.IdentityType.USER_ASSIGNED, user_assigned_identities=[cmk.identity_id]
            ),
            encryption=storage.EncryptionArgs(
                key_source=storage.KeySource.MICROSOFT_KEYVAULT,
                require_infrastructure_encryption=True,
                # No key version: the account follows the key's automatic rotation.
                key_vault_properties=storage.KeyVaultPropertiesArgs(
                    key_name=cmk.key_name, key_vault_uri=cmk.vault_uri
                ),
                encryption_identity=storage.EncryptionIdentityArgs(
                    encryption_user_assigned_identity=cmk.identity_id
                ),
                # Queue and table too: their key type is fixed when the account is created, and
                # their default (Service) would leave them on Microsoft-managed keys.
                services=storage.EncryptionServicesArgs(
                    blob=encrypted_service,
                    file=encrypted_service,
                    queue=encrypted_service,
                    table=encrypted_service,
                ),
            ),
            minimum_tls_version=storage.MinimumTlsVersion.TLS1_2,
            enable_https_traffic_only=True,
            allow_blob_public_access=False,
            # Entra ID only: shared keys and SAS signed with them bypass RBAC and its audit trail.
            allow_shared_key_access=False,
            default_to_o_auth_authentication=True,
            public_network_access=storage.PublicNetworkAccess.ENABLED
            if args.allow_trusted_azure_services
            else storage.PublicNetworkAccess.DISABLED,
            allow_cross_tenant_replication=False,
            network_rule_set=storage.NetworkRuleSetArgs(
                default_action=storage.DefaultAction.DENY,
                bypass=storage.Bypass.AZURE_SERVICES
                if args.allow_trusted_azure_services
                else storage.Bypass.NONE,
            ),
            immutable_storage_with_versioning=None
            if immutability is None
            else storage.ImmutableStorageAccountArgs(
                enabled=True,
                immutability_policy=storage.AccountImmutabilityPolicyPropertiesArgs(
                    immutability_period_since_creation_in_days=immutability.retention_days,
                    state=storage.AccountImmutabilityPolicyState.LOCKED
                    if immutability.locked
                    else storage.AccountImmutabilityPolicyState.UNLOCKED,
                    # Lets appendable log blobs grow without weakening protection of what is written.
                    allow_protected_append_writes=True,
                ),
            ),
            opts=pulumi.ResourceOptions(parent=self, protect=args.lock.enabled, depends_on=[cmk.grant]),
        )
        retention = storage.DeleteRetentionPolicyArgs(enabled=True, days=args.soft_delete_retention_days)
        self.blob_service = storage.BlobServiceProperties(
            f"{name}-blob-service",
            account_name=self.account.name,
            resource_group_name=place.resource_group_name,
            blob_services_name="default",
            delete_retention_policy=retention,
            container_delete_retention_policy=retention,
            # Version-level WORM keeps every version immutable, so it needs versioning on.
            is_versioning_enabled=True if immutability is not None else None,
            opts=child,
        )
        # After the blob service, so soft delete (and versioning for WORM) is on before data can land.
        after_service = pulumi.ResourceOptions(parent=self, depends_on=[self.blob_service])
        self.containers = {
            container: storage.BlobContainer(
                f"{name}-container-{container}",
                account_name=self.account.name,
                resource_group_name=place.resource_group_name,
                container_name=container,
                public_access=storage.PublicAccess.NONE,
                immutable_storage_with_versioning=None
                if immutability is None
                else storage.ImmutableStorageWithVersioningArgs(enabled=True),
                opts=after_service,
            )
            for container in args.containers
        }
        self.retention_policies = {
            container: storage.BlobContainerImmutabilityPolicy(
                f"{name}-container-{container}-retention",
                account_name=self.account.name,
                resource_group_name=place.resource_group_name,
                container_name=container,
                immutability_policy_name="default",  # the only name Azure gives one
                immutability_period_since_creation_in_days=args.write_once_retention_days,
                allow_protected_append_writes=False,  # appending would change what landed
                opts=pulumi.ResourceOptions(parent=self, depends_on=[self.containers[container]]),
            )
            for container in args.write_once
        }
        account_path = place.arm_path(_STORAGE_ACCOUNTS, account_name)
        for spec in args.role_assignments:
            if spec.container is None:
                scope_id, scope_key = self.account.id, account_path
            else:
                scope_id = self.containers[spec.container].id
                scope_key = "/".join((account_path, "blobServices", "default", "containers", spec.container))
            assign_role(
                assignment_logical_name(name, spec),
                spec,
                scope_id=scope_id,
                scope_key=scope_key,
                subscription_id=place.namer.subscription_id,
                parent=self,
            )
        for endpoint in args.private_endpoints:
            add_private_endpoint(
                f"{name}-pe-{endpoint.subresource}",
                endpoint,
                target=self.account,
                target_name=account_name,
                placement=place,
                parent=self,
            )
        for resource in (self.account, self.blob_service):
            attach_diagnostics(resource, args.diagnostics, parent=self)

        self.register_outputs(
            {
                "resourceId": self.account.id,
                "name": self.account.name,
                "containerIds": {zone: c.id for zone, c in self.containers.items()},
            }
        )
