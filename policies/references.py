"""Which properties name another resource, and how their values name it: the one table of references.

A property such as a role assignment's ``scope`` is judged twice over. Its property dependency
says which resource the value was computed from (always known, even in a first preview); its value,
once known, says what Azure will actually be asked for. :class:`~policies.stack_index.StackIndex`
resolves every reference listed here from both: the dependency decides while the value is unknown,
the value (compared with the target's id, URI or name, which the plan holds) decides when there is
no dependency, and when both are present they must agree. A value that names nothing parseable
fails closed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from policies.catalog import (
    BLOB_CONTAINER,
    BLOB_SERVICE,
    DIAGNOSTIC_SETTING,
    IDENTITY,
    IMMUTABILITY_POLICY,
    KEY,
    NSG,
    PRIVATE_DNS_ZONE_GROUP,
    PRIVATE_ENDPOINT,
    PRIVATE_LINK_SCOPE,
    PRIVATE_LINK_SCOPED_RESOURCE,
    PRIVATE_ZONE,
    RESOURCE_GROUP,
    RG_LOCK,
    ROLE_ASSIGNMENT,
    ROLE_DEFINITION,
    STORAGE_ACCOUNT,
    SUBNET,
    SUBSCRIPTION_DIAGNOSTIC_SETTING,
    VAULT,
    VIRTUAL_NETWORK,
    VIRTUAL_NETWORK_LINK,
    WORKSPACE,
)

EACH = "*"
"""A path step that stands for every element of a list."""


class Kind(StrEnum):
    """How a value names its target, and so what of the target it is compared with."""

    ARM_ID = "ARM id"  # the target's ``id``
    VAULT_URI = "vault URI"  # the vault's ``properties.vaultUri`` (or the URI of its name)
    NAME = "name"  # the target's Azure name (its name input, or its ``name`` output)
    PRINCIPAL_ID = "principal id"  # the identity's ``principalId``


@dataclass(frozen=True)
class Reference:
    """One value that names another resource: under top-level input ``key``, at ``path`` below it.

    Property dependencies are recorded per top-level input, so ``key`` is where the dependency is
    and ``path`` where the value is. ``types`` are the types the value may name (None: any).
    ``rule`` is the rule that reports a value and a dependency that disagree (a registered rule: a
    test checks), so each such finding has one home, in the family of what the reference is for.
    """

    key: str
    path: tuple[str, ...]
    kind: Kind
    types: frozenset[str] | None
    rule: str

    @property
    def shown(self) -> str:
        """The property as a finding names it: ``encryption.keyVaultProperties.keyVaultUri``."""
        return ".".join((self.key, *self.path)).replace(f".{EACH}", "[]")


def _ref(path: str, kind: Kind, *types: str, rule: str) -> Reference:
    key, *rest = path.split(".")
    return Reference(key, tuple(rest), kind, frozenset(types) if types else None, rule)


CMK = "encryption-cmk-same-level"
DIAGNOSTICS = "audit-diagnostics-destination"
ACTIVITY_LOG = "audit-activity-log-export"
BLOB_LOGS = "audit-blob-service-logs"
GRANT_SCOPE = "identity-grant-scope"
ROLE_ALLOW_LIST = "identity-role-allow-list"
LEVEL_BOUNDARY = "data-protection-level-boundary"
ENDPOINTS = "network-private-endpoint"
DNS = "network-private-dns"
SUBNETS = "network-subnet-nsg"

_IN_GROUP = _ref("resourceGroupName", Kind.NAME, RESOURCE_GROUP, rule=LEVEL_BOUNDARY)

REFERENCES: Mapping[str, tuple[Reference, ...]] = MappingProxyType(
    {
        STORAGE_ACCOUNT: (
            _IN_GROUP,
            _ref("encryption.keyVaultProperties.keyVaultUri", Kind.VAULT_URI, VAULT, rule=CMK),
            _ref("encryption.keyVaultProperties.keyName", Kind.NAME, KEY, rule=CMK),
            _ref(
                "encryption.encryptionIdentity.encryptionUserAssignedIdentity",
                Kind.ARM_ID,
                IDENTITY,
                rule=CMK,
            ),
            _ref("identity.userAssignedIdentities.*", Kind.ARM_ID, IDENTITY, rule=CMK),
        ),
        BLOB_SERVICE: (_IN_GROUP, _ref("accountName", Kind.NAME, STORAGE_ACCOUNT, rule=BLOB_LOGS)),
        BLOB_CONTAINER: (_IN_GROUP, _ref("accountName", Kind.NAME, STORAGE_ACCOUNT, rule=LEVEL_BOUNDARY)),
        IMMUTABILITY_POLICY: (
            _IN_GROUP,
            _ref("accountName", Kind.NAME, STORAGE_ACCOUNT, rule=LEVEL_BOUNDARY),
        ),
        VAULT: (_IN_GROUP,),
        KEY: (_IN_GROUP, _ref("vaultName", Kind.NAME, VAULT, rule=CMK)),
        IDENTITY: (_IN_GROUP,),
        ROLE_ASSIGNMENT: (
            _ref("scope", Kind.ARM_ID, rule=GRANT_SCOPE),
            _ref("principalId", Kind.PRINCIPAL_ID, IDENTITY, rule=GRANT_SCOPE),
            _ref("roleDefinitionId", Kind.ARM_ID, ROLE_DEFINITION, rule=ROLE_ALLOW_LIST),
        ),
        ROLE_DEFINITION: (
            _ref("scope", Kind.ARM_ID, rule=ROLE_ALLOW_LIST),
            _ref("assignableScopes.*", Kind.ARM_ID, rule=ROLE_ALLOW_LIST),
        ),
        RG_LOCK: (_IN_GROUP,),
        DIAGNOSTIC_SETTING: (
            _ref("resourceUri", Kind.ARM_ID, rule=DIAGNOSTICS),
            _ref("workspaceId", Kind.ARM_ID, WORKSPACE, rule=DIAGNOSTICS),
            _ref("storageAccountId", Kind.ARM_ID, STORAGE_ACCOUNT, rule=DIAGNOSTICS),
        ),
        SUBSCRIPTION_DIAGNOSTIC_SETTING: (
            _ref("workspaceId", Kind.ARM_ID, WORKSPACE, rule=ACTIVITY_LOG),
            _ref("storageAccountId", Kind.ARM_ID, STORAGE_ACCOUNT, rule=ACTIVITY_LOG),
        ),
        WORKSPACE: (_IN_GROUP,),
        NSG: (_IN_GROUP,),
        VIRTUAL_NETWORK: (_IN_GROUP,),
        SUBNET: (
            _IN_GROUP,
            _ref("virtualNetworkName", Kind.NAME, VIRTUAL_NETWORK, rule=SUBNETS),
            _ref("networkSecurityGroup.id", Kind.ARM_ID, NSG, rule=SUBNETS),
        ),
        PRIVATE_ENDPOINT: (
            _IN_GROUP,
            _ref("subnet.id", Kind.ARM_ID, SUBNET, rule=ENDPOINTS),
            _ref("privateLinkServiceConnections.*.privateLinkServiceId", Kind.ARM_ID, rule=ENDPOINTS),
            _ref("manualPrivateLinkServiceConnections.*.privateLinkServiceId", Kind.ARM_ID, rule=ENDPOINTS),
        ),
        PRIVATE_DNS_ZONE_GROUP: (
            _IN_GROUP,
            _ref("privateEndpointName", Kind.NAME, PRIVATE_ENDPOINT, rule=DNS),
            _ref("privateDnsZoneConfigs.*.privateDnsZoneId", Kind.ARM_ID, PRIVATE_ZONE, rule=DNS),
        ),
        PRIVATE_ZONE: (_IN_GROUP,),
        VIRTUAL_NETWORK_LINK: (
            _IN_GROUP,
            _ref("privateZoneName", Kind.NAME, PRIVATE_ZONE, rule=DNS),
            _ref("virtualNetwork.id", Kind.ARM_ID, VIRTUAL_NETWORK, rule=DNS),
        ),
        PRIVATE_LINK_SCOPE: (_IN_GROUP,),
        PRIVATE_LINK_SCOPED_RESOURCE: (
            _IN_GROUP,
            _ref("scopeName", Kind.NAME, PRIVATE_LINK_SCOPE, rule=ENDPOINTS),
            _ref("linkedResourceId", Kind.ARM_ID, WORKSPACE, rule=ENDPOINTS),
        ),
    }
)
"""Resource type -> the references its inputs make. A property dependency on a key listed here is
trusted only as far as the value agrees with it; other property dependencies are taken as they are."""


def references(type_: str) -> tuple[Reference, ...]:
    return REFERENCES.get(type_, ())
