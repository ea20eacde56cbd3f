"""A scope's Key Vault and customer-managed key, with the identity storage uses to reach the key.

Each level holds its own key in its own vault, so a level's data cannot be decrypted with another
level's access. The storage identity and its key-scoped grant are created here, before any storage
account, because Azure checks the key is usable when the account is created with it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pulumi
from pulumi_azure_native import authorization, keyvault, managedidentity

from components.access import RoleAssignmentSpec, assign_role, assignment_logical_name, check_assignments
from components.diagnostics import Diagnostics, attach_diagnostics
from components.network import PrivateEndpointSpec, add_private_endpoint, check_endpoints
from components.placement import Placement
from components.protection import VAULT_SOFT_DELETE_DAYS, Lock
from components.roles import CRYPTO_SERVICE_ENCRYPTION_USER

KEY_SIZE = 3072
"""RSA 3072: NCSC and NIST guidance for keys protecting data beyond 2030."""
# Every version rotates 60 days before it expires, so rotation always comes first, whatever day a
# version was created: the first version at the configured date, later ones 13 months after they
# were made (so keys rotate about yearly). The notice 30 days before expiry fires only if rotation
# did not happen.
ROTATE_BEFORE_EXPIRY = "P60D"
EXPIRES_AFTER = "P13M"
NOTIFY_BEFORE_EXPIRY = "P30D"
_KEYVAULT_VAULTS = "Microsoft.KeyVault/vaults"
_IDENTITIES = "Microsoft.ManagedIdentity/userAssignedIdentities"
_PURPOSE = "storage"  # the key and identity exist to encrypt the scope's storage account


def epoch_seconds(day: dt.date) -> int:
    """``day`` at 00:00 UTC as Key Vault's ``exp`` attribute: seconds since the Unix epoch."""
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())


@dataclass(frozen=True)
class CustomerManagedKey:
    """AVM's ``customer_managed_key``: what a storage account needs to encrypt with this vault's key.

    ``grant`` is the identity's role assignment on the key: a storage account must depend on it, or
    Azure may try the key before the identity is allowed to use it and the create fails.
    """

    key_name: pulumi.Output[str]
    vault_uri: pulumi.Output[str]
    identity_id: pulumi.Output[str]
    grant: authorization.RoleAssignment


@dataclass(frozen=True)
class KeyVaultArgs:
    placement: Placement
    tenant_id: str
    diagnostics: Diagnostics
    private_endpoints: tuple[PrivateEndpointSpec, ...]
    key_expires: dt.date
    """When the key's first version expires (00:00 UTC). Key Vault sets it only at creation."""
    hsm_backed: bool = True
    """Premium vault and an RSA-HSM key, so the key never exists outside an HSM. Levels 1-2 opt out."""
    soft_delete_retention_days: int = 90
    """Longest Azure allows; purge protection keeps it from being cut short."""
    role_assignments: tuple[RoleAssignmentSpec, ...] = ()
    """Grants on the vault itself (e.g. key officers); none by default: keys are used, not managed."""
    lock: Lock = field(default_factory=Lock)

    def __post_init__(self) -> None:
        what = f"key vault {self.placement.namer.key_vault()}"
        low, high = VAULT_SOFT_DELETE_DAYS
        if not low <= self.soft_delete_retention_days <= high:
            raise ValueError(f"{what}: soft_delete_retention_days must be {low}..{high}")
        check_endpoints(self.private_endpoints, ("vault",), what)
        check_assignments(self.role_assignments, what)
        scoped = [s.name for s in self.role_assignments if s.container is not None]
        if scoped:
            raise ValueError(f"{what}: role assignments {scoped} name a container; a vault has none")


class KeyVault(pulumi.ComponentResource):
    """Vault (RBAC only, purge protection, private only), a rotating CMK and the identity that may use it."""

    def __init__(self, name: str, args: KeyVaultArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tvt:keyvault:KeyVault", name, None, opts)
        place = args.placement
        namer = place.namer
        child = pulumi.ResourceOptions(parent=self)
        data = pulumi.ResourceOptions(parent=self, protect=args.lock.enabled)
        vault_name = namer.key_vault()
        key_name = namer.key(_PURPOSE)
        identity_name = namer.identity(_PURPOSE)

        self.vault = keyvault.Vault(
            f"{name}-vault",
            vault_name=vault_name,
            resource_group_name=place.resource_group_name,
            location=place.location,
            tags=place.tags,
            properties=keyvault.VaultPropertiesArgs(
                tenant_id=args.tenant_id,
                sku=keyvault.SkuArgs(
                    family=keyvault.SkuFamily.A,
                    name=keyvault.SkuName.PREMIUM if args.hsm_backed else keyvault.SkuName.STANDARD,
                ),
                # RBAC only: no access policies, so every permission is an auditable role assignment.
                enable_rbac_authorization=True,
                enable_purge_protection=True,
                enable_soft_delete=True,
                soft_delete_retention_in_days=args.soft_delete_retention_days,
                public_network_access=keyvault.PublicNetworkAccess.DISABLED,
                # Storage reaches the key as a trusted service; people and apps use the private endpoint.
                network_acls=keyvault.NetworkRuleSetArgs(
                    default_action=keyvault.NetworkRuleAction.DENY,
                    bypass=keyvault.NetworkRuleBypassOptions.AZURE_SERVICES,
                ),
            ),
            opts=data,
        )
        self.key = keyvault.Key(
            f"{name}-key",
            key_name=key_name,
            vault_name=self.vault.name,
            resource_group_name=place.resource_group_name,
            tags=place.tags,
            properties=keyvault.KeyPropertiesArgs(
                kty=keyvault.JsonWebKeyType.RS_A_HSM if args.hsm_backed else keyvault.JsonWebKeyType.RSA,
                key_size=KEY_SIZE,
                key_ops=[keyvault.JsonWebKeyOperation.WRAP_KEY, keyvault.JsonWebKeyOperation.UNWRAP_KEY],
                attributes=keyvault.KeyAttributesArgs(
                    enabled=True, exportable=False, expires=epoch_seconds(args.key_expires)
                ),
                # Storage follows the latest key version, so rotation needs no change to the account.
                rotation_policy=keyvault.RotationPolicyArgs(
                    attributes=keyvault.KeyRotationPolicyAttributesArgs(expiry_time=EXPIRES_AFTER),
                    lifetime_actions=[
                        keyvault.LifetimeActionArgs(
                            action=keyvault.ActionArgs(type=keyvault.KeyRotationPolicyActionType.ROTATE),
                            trigger=keyvault.TriggerArgs(time_before_expiry=ROTATE_BEFORE_EXPIRY),
                        ),
                        keyvault.LifetimeActionArgs(
                            action=keyvault.ActionArgs(type=keyvault.KeyRotationPolicyActionType.NOTIFY),
                            trigger=keyvault.TriggerArgs(time_before_expiry=NOTIFY_BEFORE_EXPIRY),
                        ),
                    ],
                ),
            ),
            opts=data,
        )
        self.identity = managedidentity.UserAssignedIdentity(
            f"{name}-identity",
            resource_name_=identity_name,
            resource_group_name=place.resource_group_name,
            location=place.location,
            tags=place.tags,
            opts=child,
        )
        # Scoped to the one key, not the vault: the identity can wrap/unwrap with it and do nothing else.
        self.key_grant = assign_role(
            f"{name}-key-grant",
            RoleAssignmentSpec(
                name="key-grant",
                role=CRYPTO_SERVICE_ENCRYPTION_USER,
                principal_id=self.identity.principal_id,
                principal_key=place.arm_path(_IDENTITIES, identity_name),
                principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
                description=f"TVT: {identity_name} encrypts {namer.scope} storage with key {key_name}.",
            ),
            scope_id=self.key.id,
            scope_key=place.arm_path(_KEYVAULT_VAULTS, vault_name, "keys", key_name),
            subscription_id=namer.subscription_id,
            parent=self,
        )
        vault_path = place.arm_path(_KEYVAULT_VAULTS, vault_name)
        for grant in args.role_assignments:
            assign_role(
                assignment_logical_name(name, grant),
                grant,
                scope_id=self.vault.id,
                scope_key=vault_path,
                subscription_id=namer.subscription_id,
                parent=self,
            )
        for spec in args.private_endpoints:
            add_private_endpoint(
                f"{name}-pe-{spec.subresource}",
                spec,
                target=self.vault,
                target_name=vault_name,
                placement=place,
                parent=self,
            )
        attach_diagnostics(self.vault, args.diagnostics, parent=self)

        self.vault_uri: pulumi.Output[str] = self.vault.properties.apply(lambda p: p.vault_uri)
        self.customer_managed_key = CustomerManagedKey(
            key_name=self.key.name,
            vault_uri=self.vault_uri,
            identity_id=self.identity.id,
            grant=self.key_grant,
        )
        self.register_outputs(
            {
                "resourceId": self.vault.id,
                "name": self.vault.name,
                "vaultUri": self.vault_uri,
                "keyId": self.key.id,
                "keyName": self.key.name,
                "identityId": self.identity.id,
                "identityPrincipalId": self.identity.principal_id,
            }
        )
