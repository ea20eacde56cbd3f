"""Per rule, the smallest change to the compliant baseline that must trip it.

Each case mutates one thing (one property, option, reference or resource) and names the exact
rule and a key part of its message; ``also`` lists other rules the same change legitimately
trips, so a test can insist on the exact set. ``NEGATIVE_CASES`` must have a key for every
registered rule: a meta-test compares it with the registry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tests.policies.baselines import (
    BLOB_READ,
    OWNER_ROLE,
    PRIVATE_LINK,
    USE_CASES,
    Stack,
    reader_condition,
    role_id,
)

Mutation = Callable[[Stack], None]
_DELETE = object()


@dataclass(frozen=True)
class Case:
    what: str
    mutate: Mutation
    message: str  # a key part of the expected finding
    resource: str | None = None  # logical name the finding is on (None: the stack as a whole)
    also: frozenset[str] = frozenset()
    config: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # merged over prod.json

    def __str__(self) -> str:
        return self.what


def set_prop(name: str, path: str, value: Any = _DELETE) -> Mutation:
    """Set (or delete) ``path`` (dotted; integers index lists) on resource ``name``."""

    def mutate(stack: Stack) -> None:
        node: Any = stack[name].props
        *head, last = path.split(".")
        for step in head:
            node = node[int(step)] if isinstance(node, list) else node[step]
        key: Any = int(last) if isinstance(node, list) else last
        if value is _DELETE:
            del node[key]
        else:
            node[key] = value

    return mutate


def drop(name: str) -> Mutation:
    return lambda stack: stack.remove(name)


def unprotect(name: str) -> Mutation:
    def mutate(stack: Stack) -> None:
        stack[name].protect = False

    return mutate


def drop_ref(name: str, key: str) -> Mutation:
    """Remove a property dependency: the value no longer comes from a resource of the stack."""

    def mutate(stack: Stack) -> None:
        del stack[name].deps[key]

    return mutate


def point_ref(name: str, key: str, *targets: str) -> Mutation:
    def mutate(stack: Stack) -> None:
        stack[name].deps[key] = [stack[t].urn for t in targets]

    return mutate


def add(type_: str, name: str, parent: str, props: dict[str, Any]) -> Mutation:
    def mutate(stack: Stack) -> None:
        stack.add(type_, name, stack[parent], props)

    return mutate


def chain(*mutations: Mutation) -> Mutation:
    """Several changes that only together make one situation (e.g. "inherits a location from abroad")."""

    def mutate(stack: Stack) -> None:
        for m in mutations:
            m(stack)

    return mutate


def nothing(stack: Stack) -> None:
    """For cases whose change is in the pack config, not the stack."""


def retag_environment(environment: str) -> Mutation:
    """Every tagged resource claims ``environment``; the URNs still name the stack it really is."""

    def mutate(stack: Stack) -> None:
        for res in stack.resources.values():
            if "environment" in res.props.get("tags", {}):
                res.props["tags"]["environment"] = environment

    return mutate


def allow_inbound_from(*sources: str) -> Mutation:
    """Add an inbound Allow rule to the level-3 NSG from ``sources`` (the explicit deny stays)."""

    def mutate(stack: Stack) -> None:
        prefixes: dict[str, Any] = (
            {"sourceAddressPrefix": sources[0]}
            if len(sources) == 1
            else {"sourceAddressPrefixes": list(sources)}
        )
        stack["l3-nsg"].props["securityRules"].append(
            {
                "name": "allow-partner-sftp",
                "priority": 200,
                "direction": "Inbound",
                "access": "Allow",
                "protocol": "Tcp",
                "sourcePortRange": "*",
                "destinationAddressPrefix": "*",
                "destinationPortRange": "22",
                **prefixes,
            }
        )

    return mutate


SQL = "azure-native:sql:Server"
L3_TAGS = {
    "environment": "prod",
    "data-level": "3",
    "owner": "tvt-platform-team",
    "classification": "OFFICIAL-SENSITIVE",
}


def set_config(key: str, value: Any = _DELETE) -> Mutation:
    """Set (or delete) a key of the stack config the harness sends in ``ConfigureStack``."""

    def mutate(stack: Stack) -> None:
        if value is _DELETE:
            del stack.config[key]
        else:
            stack.config[key] = value

    return mutate


def register_use_case(use_case: str, level: int, approval: str, expires: str) -> Mutation:
    """Add an approved use case to the stack config's register."""

    def mutate(stack: Stack) -> None:
        stack.config[USE_CASES].append(
            {"id": use_case, "title": use_case, "level": level, "approval": approval, "expires": expires}
        )

    return mutate


L3_GRANT = "l3-grant-tvp-analysts"


def l3_use_case(use_case: str, approval: str, expires: str) -> Mutation:
    """The level-3 grant claims this use case in its description (its ABAC condition unchanged)."""
    return set_prop(
        L3_GRANT,
        "description",
        f"TVT grant: reader for tvp-analysts on l3/matched. Use case {use_case} ({approval}) "
        f"expires {expires}.",
    )


def ingest_writer_condition(folder: str | None) -> str:
    """A level-3 ingest-writer's condition (read and delete denied), its writes in ``folder`` or anywhere."""
    blobs = BLOB_READ.rsplit("/", 1)[0]
    deny = f"( ( !(ActionMatches{{'{BLOB_READ}'}}) AND !(ActionMatches{{'{blobs}/delete'}}) ) )"
    writes = " AND ".join(
        f"!(ActionMatches{{'{blobs}/{a}'}})" for a in ("write", "add/action", "move/action")
    )
    expressions = ["@Environment[UtcNow] DateTimeLessThan '2027-10-01T00:00:00.0Z'", PRIVATE_LINK]
    if folder is not None:
        expressions.append(f"@Resource[{blobs}:path] StringStartsWith '{folder}'")
    return f"{deny} AND ( ( {writes} ) OR ( {' AND '.join(expressions)} ) )"


def reader_condition_without_bound() -> str:
    """A level-3 reader's condition that requires private link but sets no end date."""
    return f"( ( !(ActionMatches{{'{BLOB_READ}'}}) ) OR ( {PRIVATE_LINK} ) )"


READER_ROLE = "acdd72a7-3385-48ef-bd42-f606fba81ae7"  # built-in Reader: valid, but not a data role we allow
EXPIRED_WORKSPACE_EXEMPTION = {
    "encryption-cmk-same-level": {
        "exemptions": [
            {
                "resource": "urn:pulumi:prod::tvt-platform::*azure-native:operationalinsights:Workspace::*",
                "reason": "Dedicated cluster needed for CMK; volume too low to justify one at the moment.",
                "approver": "TVT Senior Information Risk Owner",
                "expires": "2026-01-31",
            }
        ]
    }
}

NEGATIVE_CASES: dict[str, list[Case]] = {
    # -- encryption ------------------------------------------------------------------------------
    "encryption-cmk-same-level": [
        Case(
            "storage with Microsoft-managed keys",
            set_prop("l3-storage", "encryption.keySource", "Microsoft.Storage"),
            "Microsoft-managed keys",
            "l3-storage",
        ),
        Case(
            "level-3 storage keyed by the level-1 vault",
            point_ref("l3-storage", "encryption", "l1-vault", "l1-key", "l3-identity"),
            "level-3 storage account is encrypted with Vault 'l1-vault' of level 1",
            "l3-storage",
        ),
        Case(
            "key reference not a property dependency",
            drop_ref("l3-storage", "encryption"),
            "does not reference a Key and Key Vault declared in this stack",
            "l3-storage",
        ),
    ],
    "encryption-unclassified-type": [
        Case(
            "an unclassified resource type",
            add(SQL, "l3-sql", "l3", {"location": "uksouth", "tags": L3_TAGS}),
            "azure-native:sql:Server is not classified",
            "l3-sql",
            also=frozenset({"audit-diagnostics-present"}),
        ),
    ],
    "encryption-infrastructure": [
        Case(
            "no infrastructure encryption",
            set_prop("l3-storage", "encryption.requireInfrastructureEncryption", False),
            "requireInfrastructureEncryption is false; expected true",
            "l3-storage",
        ),
    ],
    "encryption-tls": [
        Case(
            "TLS 1.1 accepted",
            set_prop("l3-storage", "minimumTlsVersion", "TLS1_1"),
            "minimumTlsVersion is 'TLS1_1'",
            "l3-storage",
        ),
        Case(
            "plain HTTP accepted",
            set_prop("l1-storage", "enableHttpsTrafficOnly", False),
            "enableHttpsTrafficOnly is false",
            "l1-storage",
        ),
    ],
    "encryption-key-strength": [
        Case(
            "RSA-2048",
            set_prop("l1-key", "properties.keySize", 2048),
            "keySize is 2048; expected at least 3072",
            "l1-key",
        ),
        Case(
            "level-3 key not in an HSM",
            set_prop("l3-key", "properties.kty", "RSA"),
            "key of data level 3 is not HSM-backed",
            "l3-key",
        ),
        Case(
            "no automatic rotation",
            set_prop("l1-key", "properties.rotationPolicy.lifetimeActions.0.action.type", "notify"),
            "no lifetimeAction of type rotate",
            "l1-key",
        ),
        Case(
            "no expiry",
            set_prop("l1-key", "properties.rotationPolicy.attributes.expiryTime"),
            "expiryTime is not set",
            "l1-key",
        ),
    ],
    # -- audit -----------------------------------------------------------------------------------
    "audit-diagnostics-present": [
        Case(
            "vault without diagnostic setting",
            drop("l3-vault-diag"),
            "no diagnostic setting targets this",
            "l3-vault",
        ),
        Case(
            "diagnostic setting aimed elsewhere",
            point_ref("l3-nsg-diag", "resourceUri", "l1-nsg"),
            "no diagnostic setting targets this azure-native:network:NetworkSecurityGroup",
            "l3-nsg",
        ),
    ],
    "audit-diagnostics-destination": [
        Case(
            "vault logs disabled",
            set_prop("l3-vault-diag", "logs.0.enabled", False),
            "has logs but no enabled audit/allLogs categoryGroup",
            "l3-vault-diag",
        ),
        Case(
            "vault metrics missing",
            set_prop("l3-vault-diag", "metrics"),
            "has metrics but category AllMetrics is not enabled",
            "l3-vault-diag",
        ),
        Case(
            "storage sent AllMetrics, which Azure rejects for storage",
            set_prop("l3-storage-diag", "metrics", [{"category": "AllMetrics", "enabled": True}]),
            "metric category AllMetrics is not supported by azure-native:storage:StorageAccount "
            "'l3-storage' and Azure would reject the setting; supported categories: Transaction, Capacity",
            "l3-storage-diag",
        ),
        Case(
            "blob service without Transaction metrics",
            set_prop("l3-blob-service-diag", "metrics", [{"category": "Capacity", "enabled": True}]),
            "has metrics but category Transaction is not enabled",
            "l3-blob-service-diag",
        ),
        Case(
            "workspace not referenced",
            drop_ref("l3-vault-diag", "workspaceId"),
            "workspaceId does not reference the stack's audit Log Analytics workspace",
            "l3-vault-diag",
        ),
        Case(
            "prod setting without archive",
            drop_ref("l3-vnet-diag", "storageAccountId"),
            "storageAccountId must reference the audit archive",
            "l3-vnet-diag",
        ),
        Case(
            "logs sent to an event hub",
            set_prop("l3-nsg-diag", "eventHubName", "exfil"),
            "eventHubName is set",
            "l3-nsg-diag",
        ),
        Case(
            "resourceUri not a reference",
            drop_ref("l1-nsg-diag", "resourceUri"),
            "resourceUri does not reference a resource",
            "l1-nsg-diag",
            also=frozenset({"audit-diagnostics-present"}),
        ),
    ],
    "audit-blob-service-logs": [
        Case(
            "blob service without diagnostic setting",
            drop("l3-blob-service-diag"),
            "the blob service has no diagnostic setting with categoryGroup audit or allLogs",
            "l3-storage",
            also=frozenset({"audit-diagnostics-present"}),
        ),
    ],
    "audit-workspace-retention": [
        Case(
            "90 days of logs in prod",
            set_prop("audit-workspace", "retentionInDays", 90),
            "retentionInDays is 90; expected at least 365",
            "audit-workspace",
        ),
    ],
    "audit-activity-log-export": [
        Case(
            "Security category off",
            set_prop("audit-activity-log", "logs.1.enabled", False),
            "activity log categories not enabled: Security",
            "audit-activity-log",
        ),
        Case(
            "no activity log export", drop("audit-activity-log"), "no SubscriptionDiagnosticSetting exports"
        ),
        Case(
            "not to the archive",
            drop_ref("audit-activity-log", "storageAccountId"),
            "storageAccountId does not reference the audit archive",
            "audit-activity-log",
        ),
    ],
    # -- network ---------------------------------------------------------------------------------
    "network-public-access-disabled": [
        Case(
            "storage public",
            set_prop("l3-storage", "publicNetworkAccess", "Enabled"),
            "publicNetworkAccess is 'Enabled'; expected Disabled",
            "l3-storage",
        ),
        Case(
            "vault public",
            set_prop("audit-vault", "properties.publicNetworkAccess", "Enabled"),
            "properties.publicNetworkAccess is 'Enabled'",
            "audit-vault",
        ),
        Case(
            "workspace queryable publicly",
            set_prop("audit-workspace", "publicNetworkAccessForQuery", "Enabled"),
            "publicNetworkAccessForQuery is 'Enabled'",
            "audit-workspace",
        ),
    ],
    "network-default-deny": [
        Case(
            "storage firewall allows",
            set_prop("l3-storage", "networkRuleSet.defaultAction", "Allow"),
            "networkRuleSet.defaultAction is 'Allow'; expected Deny",
            "l3-storage",
        ),
        Case(
            "vault firewall opened to an IP",
            set_prop("l3-vault", "properties.networkAcls.ipRules", [{"value": "203.0.113.7"}]),
            "properties.networkAcls.ipRules allows 1 public address range(s)",
            "l3-vault",
        ),
        Case(
            "archive firewall allows while trusted services bypass it",
            set_prop("audit-archive-account", "networkRuleSet.defaultAction", "Allow"),
            "networkRuleSet.defaultAction is 'Allow'; expected Deny",
            "audit-archive-account",
        ),
        Case(
            "archive firewall opened to an IP",
            set_prop(
                "audit-archive-account", "networkRuleSet.ipRules", [{"iPAddressOrRange": "203.0.113.7"}]
            ),
            "networkRuleSet.ipRules allows 1 public address range(s); expected none",
            "audit-archive-account",
        ),
        Case(
            "storage firewall admits a subnet",
            set_prop(
                "l3-storage",
                "networkRuleSet.virtualNetworkRules",
                [{"virtualNetworkResourceId": "id-of-l1-subnet", "action": "Allow"}],
            ),
            "networkRuleSet.virtualNetworkRules allows 1 virtual network subnet(s); expected none",
            "l3-storage",
        ),
        Case(
            "storage firewall admits a resource instance",
            set_prop(
                "l3-storage",
                "networkRuleSet.resourceAccessRules",
                [{"tenantId": "22222222-2222-2222-2222-222222222222", "resourceId": "/subscriptions/x/any"}],
            ),
            "networkRuleSet.resourceAccessRules allows 1 resource instance(s); expected none",
            "l3-storage",
        ),
        Case(
            "vault firewall admits a subnet",
            set_prop("l3-vault", "properties.networkAcls.virtualNetworkRules", [{"id": "id-of-l1-subnet"}]),
            "properties.networkAcls.virtualNetworkRules allows 1 virtual network subnet(s); expected none",
            "l3-vault",
        ),
        Case(
            "logs and metrics readable from any network",
            set_prop("l1-storage", "networkRuleSet.bypass", "Logging, Metrics"),
            "networkRuleSet.bypass is 'Logging, Metrics'; expected None or AzureServices",
            "l1-storage",
        ),
    ],
    "network-private-endpoint": [
        Case(
            "HNS account without dfs endpoint", drop("l3-storage-dfs-pe"), "sub-resource(s) dfs", "l3-storage"
        ),
        Case(
            "vault endpoint in another level's subnet",
            point_ref("l3-vault-pe", "subnet", "l1-subnet"),
            "private endpoint 'l3-vault-pe' for this level-3 resource sits in a subnet of level 1",
            "l3-vault",
        ),
    ],
    "network-private-dns": [
        Case(
            "endpoint without DNS zone group",
            drop("l3-vault-pe-dns"),
            "no PrivateDnsZoneGroup references",
            "l3-vault-pe",
        ),
        Case(
            "zone group pointing at no zone",
            drop_ref("l3-storage-blob-pe-dns", "privateDnsZoneConfigs"),
            "references no PrivateZone declared in this stack",
            "l3-storage-blob-pe",
        ),
    ],
    "network-subnet-nsg": [
        Case(
            "default outbound access",
            set_prop("l3-subnet", "defaultOutboundAccess", True),
            "defaultOutboundAccess is true; expected false",
            "l3-subnet",
        ),
        Case(
            "NSG not applied to private endpoints",
            set_prop("l3-subnet", "privateEndpointNetworkPolicies", "Disabled"),
            "privateEndpointNetworkPolicies is 'Disabled'",
            "l3-subnet",
        ),
        Case(
            "NSG not a stack reference",
            drop_ref("l3-subnet", "networkSecurityGroup"),
            "networkSecurityGroup.id does not reference a NetworkSecurityGroup",
            "l3-subnet",
        ),
        Case(
            "inline subnets",
            set_prop("l3-vnet", "subnets", [{"name": "inline", "addressPrefix": "10.43.0.64/26"}]),
            "subnets are declared inline",
            "l3-vnet",
        ),
    ],
    "network-nsg-deny-internet-inbound": [
        Case(
            "no explicit internet deny",
            set_prop("l3-nsg", "securityRules", []),
            "no Inbound Deny rule",
            "l3-nsg",
        ),
        Case(
            "allow from anywhere",
            set_prop("l3-nsg", "securityRules.0.access", "Allow"),
            "allows inbound traffic from anywhere",
            "l3-nsg",
        ),
        Case(
            "allow from a public range",
            allow_inbound_from("203.0.113.0/24"),
            "security rule 'allow-partner-sftp' allows inbound traffic from '203.0.113.0/24', which is not a "
            "private range",
            "l3-nsg",
        ),
        Case(
            "allow from half the internet among private prefixes",
            allow_inbound_from("10.0.0.0/8", "0.0.0.0/1"),
            "allows inbound traffic from '0.0.0.0/1', which is not a private range",
            "l3-nsg",
        ),
        Case(
            "allow from the Any tag",
            allow_inbound_from("Any"),
            "security rule 'allow-partner-sftp' allows inbound traffic from anywhere",
            "l3-nsg",
        ),
    ],
    "network-no-public-blob": [
        Case(
            "account allows anonymous blobs",
            set_prop("l3-storage", "allowBlobPublicAccess", True),
            "allowBlobPublicAccess is true",
            "l3-storage",
        ),
        Case(
            "container public",
            set_prop("l3-container-raw", "publicAccess", "Blob"),
            "publicAccess is 'Blob'",
            "l3-container-raw",
        ),
    ],
    # -- identity --------------------------------------------------------------------------------
    "identity-shared-key-disabled": [
        Case(
            "shared key allowed",
            set_prop("l3-storage", "allowSharedKeyAccess", True),
            "allowSharedKeyAccess is true; expected false",
            "l3-storage",
        ),
        Case(
            "local users (SFTP) on",
            set_prop("l3-storage", "isLocalUserEnabled", True),
            "isLocalUserEnabled is true",
            "l3-storage",
        ),
        Case(
            "workspace local auth",
            set_prop("audit-workspace", "features.disableLocalAuth", False),
            "features.disableLocalAuth is false",
            "audit-workspace",
        ),
    ],
    "identity-keyvault-rbac": [
        Case(
            "access-policy vault",
            set_prop("l3-vault", "properties.enableRbacAuthorization", False),
            "enableRbacAuthorization is false; expected true",
            "l3-vault",
        ),
    ],
    "identity-no-access-policies": [
        Case(
            "inline access policy",
            set_prop(
                "l3-vault", "properties.accessPolicies", [{"objectId": "x", "permissions": {"keys": ["all"]}}]
            ),
            "accessPolicies has 1 access polic(ies)",
            "l3-vault",
        ),
        Case(
            "access policy resource",
            add("azure-native:keyvault:AccessPolicy", "l3-access-policy", "l3-keyvault", {"vaultName": "kv"}),
            "a Key Vault access policy resource is declared",
            "l3-access-policy",
            also=frozenset({"encryption-unclassified-type", "audit-diagnostics-present"}),
        ),
    ],
    "identity-role-assignment-groups": [
        Case(
            "grant to a user",
            set_prop("l3-grant-tvp-analysts", "principalType", "User"),
            "principalType is 'User'; expected Group",
            "l3-grant-tvp-analysts",
        ),
        Case(
            "service principal not ours",
            drop_ref("l3-key-access", "principalId"),
            "principalId is not a UserAssignedIdentity declared in this stack",
            "l3-key-access",
            also=frozenset({"identity-cmk-grant-scope"}),
        ),
        Case(
            "our identity with a data role",
            set_prop("l3-key-access", "roleDefinitionId", role_id("2a2b9908-6ea1-4ae2-8e65-a410df84e7d1")),
            "role Storage Blob Data Reader is not the crypto service encryption role",
            "l3-key-access",
        ),
    ],
    "identity-role-allow-list": [
        Case(
            "Reader role",
            set_prop("l1-grant-vru-analysts", "roleDefinitionId", role_id(READER_ROLE)),
            f"({READER_ROLE}) is not in the allow-list",
            "l1-grant-vru-analysts",
        ),
        Case(
            "role name instead of id",
            set_prop("l1-grant-vru-analysts", "roleDefinitionId", "Storage Blob Data Reader"),
            "is not a role definition id",
            "l1-grant-vru-analysts",
        ),
    ],
    "identity-no-privileged-roles": [
        Case(
            "Owner to a group",
            set_prop("l1-grant-vru-analysts", "roleDefinitionId", role_id(OWNER_ROLE)),
            "privileged role Owner assigned to principalType 'Group'",
            "l1-grant-vru-analysts",
            also=frozenset({"identity-role-allow-list"}),
        ),
    ],
    "identity-cmk-grant-scope": [
        Case(
            "key role granted on the whole vault",
            point_ref("l3-key-access", "scope", "l3-vault"),
            "the crypto role is scoped to Vault 'l3-vault'; expected a single Key",
            "l3-key-access",
        ),
        Case(
            "key role granted on the resource group",
            point_ref("l3-key-access", "scope", "l3-rg"),
            "the crypto role is scoped to ResourceGroup 'l3-rg'; expected a single Key",
            "l3-key-access",
        ),
        Case(
            "level-1 identity granted the level-3 key",
            point_ref("l3-key-access", "principalId", "l1-identity"),
            "UserAssignedIdentity 'l1-identity' of level 1 is granted key 'l3-key' of level 3",
            "l3-key-access",
        ),
        Case(
            "level-3 identity granted the level-1 key",
            point_ref("l3-key-access", "scope", "l1-key"),
            "UserAssignedIdentity 'l3-identity' of level 3 is granted key 'l1-key' of level 1",
            "l3-key-access",
        ),
        Case(
            "scope not a stack reference",
            drop_ref("l1-key-access", "scope"),
            "scope does not reference a Key declared in this stack",
            "l1-key-access",
        ),
    ],
    "identity-level3-use-case": [
        Case(
            "level-3 grant without use case",
            set_prop(
                "l3-grant-tvp-analysts", "description", "TVT grant: reader for tvp-analysts on l3/matched."
            ),
            "group access to level-3 data names no use case",
            "l3-grant-tvp-analysts",
        ),
        Case(
            "use case expired",
            set_prop(
                "l3-grant-tvp-analysts",
                "description",
                "TVT grant: reader. Use case UC-2025-009 (DEC-2025-01) expires 2026-05-31.",
            ),
            "use case UC-2025-009 (DEC-2025-01) expired 2026-05-31",
            "l3-grant-tvp-analysts",
        ),
        Case(
            "scope of no known level",
            drop_ref("l1-grant-vru-analysts", "scope"),
            "no resolvable data level (treated as level 3)",
            "l1-grant-vru-analysts",
        ),
        Case(
            "no ABAC condition: access outlives the use case",
            chain(
                set_prop("l3-grant-tvp-analysts", "condition"),
                set_prop("l3-grant-tvp-analysts", "conditionVersion"),
            ),
            "group access to level-3 data: use case UC-2026-001 expires 2027-09-30 but the assignment has "
            "no ABAC condition",
            "l3-grant-tvp-analysts",
        ),
        Case(
            "condition version 1.0",
            set_prop("l3-grant-tvp-analysts", "conditionVersion", "1.0"),
            "conditionVersion is '1.0'; expected '2.0'",
            "l3-grant-tvp-analysts",
        ),
        Case(
            "ingest-writer may write anywhere in the shared landing zone",
            set_prop("l3-grant-tvp-analysts", "condition", ingest_writer_condition(None)),
            "group access to level-3 data: the condition denies blob read (an ingest-writer) but does not "
            "restrict add/action, move/action, write to a folder "
            "(@Resource[Microsoft.Storage/storageAccounts/blobServices/containers/blobs:path] "
            "StringStartsWith '<partner-id>/')",
            "l3-grant-tvp-analysts",
        ),
        Case(
            "condition with no time bound",
            set_prop("l3-grant-tvp-analysts", "condition", reader_condition_without_bound()),
            "the condition has no @Environment[UtcNow] DateTimeLessThan bound",
            "l3-grant-tvp-analysts",
        ),
        Case(
            "time bound not a date-time",
            set_prop(
                "l3-grant-tvp-analysts",
                "condition",
                reader_condition("end of September 2027", private_link=True),
            ),
            "DateTimeLessThan bound 'end of September 2027' is not a date-time like '2027-10-01T00:00:00Z'",
            "l3-grant-tvp-analysts",
        ),
        Case(
            "time bound a day after the expiry date",
            set_prop(
                "l3-grant-tvp-analysts",
                "condition",
                reader_condition("2027-10-02T00:00:00.0Z", private_link=True),
            ),
            "the condition allows access until 2027-10-02T00:00:00Z, after use case UC-2026-001 expires "
            "2027-09-30; its UtcNow bound must be no later than 2027-10-01T00:00:00Z",
            "l3-grant-tvp-analysts",
        ),
        Case(
            "no private-link requirement",
            set_prop(
                "l3-grant-tvp-analysts",
                "condition",
                reader_condition("2027-10-01T00:00:00.0Z", private_link=False),
            ),
            "the condition does not require private link (@Environment[isPrivateLink] BoolEquals true)",
            "l3-grant-tvp-analysts",
        ),
        # The description is free text: what it claims must match the stack's approved register.
        Case(
            "hand-written use case that was never approved",
            l3_use_case("UC-9999-999", "DEC-X", "2099-01-01"),
            "use case UC-9999-999 is not in the stack's approved use-case register (tvt:useCases)",
            L3_GRANT,
        ),
        Case(
            "approval reference not the register's",
            l3_use_case("UC-2026-001", "DEC-2026-99", "2027-09-30"),
            "use case UC-2026-001 names approval DEC-2026-99 but the register records DEC-2026-03",
            L3_GRANT,
        ),
        Case(
            "expiry later than the register's",
            l3_use_case("UC-2026-001", "DEC-2026-03", "2028-09-30"),
            "use case UC-2026-001 is described as expiring 2028-09-30 but the register records 2027-09-30",
            L3_GRANT,
        ),
        Case(
            "ABAC bound follows the description, not the register",
            chain(
                l3_use_case("UC-2026-001", "DEC-2026-03", "2028-09-30"),
                set_prop(
                    L3_GRANT, "condition", reader_condition("2028-10-01T00:00:00.0Z", private_link=True)
                ),
            ),
            "the condition allows access until 2028-10-01T00:00:00Z, after use case UC-2026-001 expires "
            "2027-09-30",
            L3_GRANT,
        ),
        Case(
            "level-2 use case used for level-3 access",
            chain(
                register_use_case("UC-2026-003", 2, "DEC-2026-04", "2027-09-30"),
                l3_use_case("UC-2026-003", "DEC-2026-04", "2027-09-30"),
            ),
            "use case UC-2026-003 is approved for level 2 data, not level 3",
            L3_GRANT,
        ),
        Case(
            "register expired though the description says otherwise",
            chain(
                register_use_case("UC-2026-005", 3, "DEC-2026-08", "2026-05-31"),
                l3_use_case("UC-2026-005", "DEC-2026-08", "2027-09-30"),
            ),
            "use case UC-2026-005 (DEC-2026-08) expired 2026-05-31 according to the register",
            L3_GRANT,
        ),
        Case(
            "no register in the stack config: fail closed",
            set_config(USE_CASES),
            "group access to level-3 data: no approved use-case register in the stack config (tvt:useCases)",
            L3_GRANT,
        ),
        Case(
            "register not JSON",
            set_config(USE_CASES, '[{"id": "UC-2026-001", '),
            "the use-case register tvt:useCases in the stack config is malformed: not JSON",
            L3_GRANT,
        ),
        Case(
            "register entry without an expiry",
            set_config(USE_CASES, [{"id": "UC-2026-001", "level": 3, "approval": "DEC-2026-03"}]),
            "is malformed: [0] (UC-2026-001).expires: expected a date YYYY-MM-DD, got None",
            L3_GRANT,
        ),
    ],
    # -- residency -------------------------------------------------------------------------------
    "residency-uk-only": [
        Case(
            "storage in the EU",
            set_prop("l3-storage", "location", "westeurope"),
            "location is 'westeurope'; expected one of uksouth, ukwest",
            "l3-storage",
        ),
        Case(
            "private DNS zone made regional",
            set_prop("audit-zone-blob", "location", "uksouth"),
            "expected global",
            "audit-zone-blob",
        ),
        Case(
            "no location, resource group abroad",
            chain(set_prop("l3-identity", "location"), set_prop("l3-rg", "location", "northeurope")),
            "no location set and its resource group's location is not a UK region",
            "l3-identity",
        ),
        Case(
            "provider defaulting outside the UK",
            add("pulumi:providers:azure-native", "default", "tvt", {"location": "eastus"}),
            "location is 'eastus'",
            "default",
        ),
    ],
    "residency-geo-redundancy-uk": [
        Case(
            "read-access GZRS",
            set_prop("l3-storage", "sku.name", "Standard_RAGZRS"),
            "sku.name is 'Standard_RAGZRS'",
            "l3-storage",
        ),
        Case(
            "locally redundant",
            set_prop("l1-storage", "sku.name", "Standard_LRS"),
            "expected a GRS or GZRS sku",
            "l1-storage",
        ),
    ],
    # -- data protection -------------------------------------------------------------------------
    "data-protection-keyvault": [
        Case(
            "no purge protection",
            set_prop("l3-vault", "properties.enablePurgeProtection", False),
            "enablePurgeProtection is false; expected true",
            "l3-vault",
        ),
        Case(
            "short retention in prod",
            set_prop("l3-vault", "properties.softDeleteRetentionInDays", 30),
            "softDeleteRetentionInDays is 30; expected at least 90 in prod",
            "l3-vault",
        ),
        Case(
            "prod vault tagged dev to get the dev minimum",
            chain(retag_environment("dev"), set_prop("l3-vault", "properties.softDeleteRetentionInDays", 7)),
            "softDeleteRetentionInDays is 7; expected at least 90 in prod",
            "l3-vault",
        ),
    ],
    "data-protection-blob-soft-delete": [
        Case(
            "7 days in prod",
            set_prop("l3-blob-service", "deleteRetentionPolicy.days", 7),
            "deleteRetentionPolicy.days is 7; expected at least 30 in prod",
            "l3-storage",
        ),
        Case(
            "container soft delete off",
            set_prop("l1-blob-service", "containerDeleteRetentionPolicy.enabled", False),
            "containerDeleteRetentionPolicy.enabled is false",
            "l1-storage",
        ),
    ],
    "data-protection-prod-protect": [
        Case("prod storage unprotected", unprotect("l3-storage"), "protect is not set", "l3-storage"),
        Case("prod key unprotected", unprotect("audit-key"), "protect is not set", "audit-key"),
        Case(
            "prod storage tagged dev and unprotected",
            chain(retag_environment("dev"), unprotect("l3-storage")),
            "protect is not set",
            "l3-storage",
        ),
    ],
    "data-protection-prod-locks": [
        Case("no lock", drop("l3-lock"), "has no CanNotDelete lock", "l3-rg"),
        Case(
            "prod stack tagged dev, lock dropped",
            chain(retag_environment("dev"), drop("l3-lock")),
            "has no CanNotDelete lock",
            "l3-rg",
        ),
        Case(
            "lock of the wrong level",
            set_prop("l1-lock", "level", "NotSpecified"),
            "has no CanNotDelete lock",
            "l1-rg",
        ),
    ],
    "data-protection-audit-immutability": [
        Case(
            "archive unlocked in prod",
            set_prop(
                "audit-archive-account", "immutableStorageWithVersioning.immutabilityPolicy.state", "Unlocked"
            ),
            "state is 'Unlocked'; expected Locked in prod",
            "audit-archive-account",
        ),
        Case(
            "archive kept 30 days",
            set_prop(
                "audit-archive-account",
                "immutableStorageWithVersioning.immutabilityPolicy.immutabilityPeriodSinceCreationInDays",
                30,
            ),
            "immutabilityPeriodSinceCreationInDays is 30; expected at least 365",
            "audit-archive-account",
        ),
        Case(
            "append writes blocked",
            set_prop(
                "audit-archive-account",
                "immutableStorageWithVersioning.immutabilityPolicy.allowProtectedAppendWrites",
                False,
            ),
            "allowProtectedAppendWrites is not true",
            "audit-archive-account",
        ),
        Case(
            "no versioning",
            set_prop("audit-blob-service", "isVersioningEnabled", False),
            "isVersioningEnabled is not true",
            "audit-archive-account",
        ),
        Case(
            "archive not WORM",
            set_prop("audit-archive-account", "immutableStorageWithVersioning"),
            "immutableStorageWithVersioning.enabled is <absent>",
            "audit-archive-account",
        ),
    ],
    "data-protection-no-cross-tenant-replication": [
        Case(
            "cross-tenant replication",
            set_prop("l3-storage", "allowCrossTenantReplication", True),
            "allowCrossTenantReplication is true; expected false",
            "l3-storage",
        ),
    ],
    # -- tagging ---------------------------------------------------------------------------------
    "tagging-required-tags": [
        Case(
            "level-3 data labelled OFFICIAL",
            set_prop("l3-storage", "tags.classification", "OFFICIAL"),
            "classification is 'OFFICIAL' but data level 3 is OFFICIAL-SENSITIVE",
            "l3-storage",
        ),
        Case("no owner", set_prop("l1-vnet", "tags.owner"), "tag owner is <absent>", "l1-vnet"),
    ],
    # -- exemptions ------------------------------------------------------------------------------
    "exemption-expired": [
        Case(
            "workspace CMK exemption lapsed",
            nothing,
            "exemption from encryption-cmk-same-level for urn:pulumi:prod::tvt-platform::*azure-native:"
            "operationalinsights:Workspace::* approved by TVT Senior Information Risk Owner "
            "expired 2026-01-31",
            also=frozenset({"encryption-cmk-same-level"}),
            config=EXPIRED_WORKSPACE_EXEMPTION,
        ),
    ],
    "exemption-unused": [
        Case(
            "exemption for a resource that is gone",
            nothing,
            "matches no resource in this stack",
            config={
                "network-private-dns": {
                    "exemptions": [
                        {
                            "resource": "urn:pulumi:prod::tvt-platform::*azure-native:sql:Server::*",
                            "reason": "Legacy SQL server pending migration to the data platform storage.",
                            "approver": "TVT Senior Information Risk Owner",
                            "expires": "2027-01-31",
                        }
                    ]
                }
            },
        ),
    ],
}
