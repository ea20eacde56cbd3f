"""One compliant stack, shaped like the resource contract, that every rule passes.

Plain dicts, as the engine would send them: camelCase inputs, the outputs Azure adds to them (ARM
ids, principal ids, vault URIs: :attr:`Res.computed`), URNs with the parent type chain, parents,
``dependsOn`` and property dependencies. Every value that names another resource is that
resource's id, URI or name *and* a property dependency on it, as in a real plan. The audit scope
and levels 1-3 are built by the same helpers the program's components mirror, so each resource
kind appears once per scope and negative cases can mutate exactly one property of one resource.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass, field
from typing import Any

from policies.model import Resource
from scripts.engine.capture import azure_name_and_id
from tests.conftest import SUBSCRIPTION

PROJECT = "tvt-platform"
TENANT = "11111111-1111-1111-1111-111111111111"
LOCATION = "uksouth"
OWNER = "tvt-platform-team"

CRYPTO_USER = "e147488a-f6f5-4113-8e2d-b22465e65bf6"
BLOB_READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"
BLOB_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
OWNER_ROLE = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"

ZONES = {
    "blob": "privatelink.blob.core.windows.net",
    "dfs": "privatelink.dfs.core.windows.net",
    "vault": "privatelink.vaultcore.azure.net",
}
# (log retention, archive WORM days) per stack, as in stacks/Pulumi.<stack>.yaml
RETENTION = {"dev": (90, 90), "test": (180, 365), "prod": (730, 2557)}
ACTIVITY_CATEGORIES = [
    "Administrative",
    "Security",
    "ServiceHealth",
    "Alert",
    "Recommendation",
    "Policy",
    "Autoscale",
    "ResourceHealth",
]


def role_id(guid: str) -> str:
    return f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/{guid}"


# The stack config's register of approved use cases, and what the baseline's use cases say in it.
USE_CASES = "tvt:useCases"
APPROVAL = "DEC-2026-03"
EXPIRES = "2027-09-30"

BLOBS = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs"
BLOB_READ, BLOB_WRITE, BLOB_ADD, BLOB_DELETE, BLOB_MOVE = (
    f"{BLOBS}/{a}" for a in ("read", "write", "add/action", "delete", "move/action")
)
PRIVATE_LINK = "@Environment[isPrivateLink] BoolEquals true"
ACCESS_END = "2027-10-01T00:00:00.0Z"  # midnight UTC after EXPIRES
# The TVT custom roles' data actions, written out from the role table's documented meaning.
TVT_ROLES: dict[str, tuple[str, ...]] = {
    "reader": (BLOB_READ,),
    "contributor": (BLOB_READ, BLOB_WRITE, BLOB_ADD, BLOB_DELETE, BLOB_MOVE),
    "ingest-writer": (BLOB_WRITE, BLOB_ADD),
}
# Partners and their groups, as the stack config's register (tvt:partners) lists them.
PARTNERS_KEY = "tvt:partners"
GROUPS: dict[str, tuple[str, str]] = {  # group key -> (partner id, object id)
    "tvp-analysts": ("thames-valley-police", "0f7c3a52-7d0e-4c4e-9a8b-2d1f3e4a5b6c"),
    "tvp-data-ingest": ("thames-valley-police", "1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d"),
    "vru-analysts": ("thames-valley-vru", "2b3c4d5e-6f7a-4b2c-9d3e-4f5a6b7c8d9e"),
}


def condition(
    actions: tuple[str, ...], *, end: str | None, private_link: bool, prefix: str | None = None
) -> str:
    """The ABAC condition the program writes for a grant of a role with ``actions`` (its documented shape)."""
    expressions = [f"@Environment[UtcNow] DateTimeLessThan '{end}'"] if end else []
    expressions += [PRIVATE_LINK] if private_link else []
    expressions += [f"@Resource[{BLOBS}:path] StringStartsWith '{prefix}'"] if prefix else []
    none_of = " AND ".join(f"!(ActionMatches{{'{a}'}})" for a in actions)
    return f"( ( {none_of} ) OR ( {' AND '.join(expressions)} ) )"


def reader_condition(end: str, *, private_link: bool) -> str:
    """The ABAC condition a TVT reader grant on a use case carries, as the program writes it."""
    return condition(TVT_ROLES["reader"], end=end, private_link=private_link)


def merged(inputs: dict[str, Any], computed: dict[str, Any]) -> dict[str, Any]:
    """Outputs as Azure returns them: the inputs, plus the values only Azure knows, object by object."""
    result = copy.deepcopy(inputs)
    for key, value in computed.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merged(result[key], value)
        else:
            result.setdefault(key, copy.deepcopy(value))
    return result


@dataclass
class Res:
    """One registered resource: what the engine knows about it after a preview step."""

    urn: str
    type: str
    name: str
    parent: str
    props: dict[str, Any]
    deps: dict[str, list[str]] = field(default_factory=dict)  # property dependencies
    depends_on: list[str] = field(default_factory=list)
    protect: bool = False
    qualified: str = ""  # the type chain used in children's URNs
    computed: dict[str, Any] = field(default_factory=dict)  # what only outputs hold (id, principalId)
    frozen_outputs: dict[str, Any] | None = None  # outputs fixed before an inputs-only mutation

    @property
    def outputs(self) -> dict[str, Any]:
        return self.frozen_outputs if self.frozen_outputs is not None else merged(self.props, self.computed)

    @property
    def id(self) -> str:
        return str(self.computed.get("id", ""))


class Stack:
    """An ordered set of resources addressable by logical name, and the stack's config.

    ``config`` is the stack file's ``config:`` mapping (namespaced keys, YAML values); the harness
    sends it in ``ConfigureStack`` encoded as the engine does (strings as-is, the rest JSON).
    """

    def __init__(self, stack: str) -> None:
        self.stack = stack
        self.resources: dict[str, Res] = {}
        self.config: dict[str, Any] = {}

    def add(
        self,
        type_: str,
        name: str,
        parent: Res | None,
        props: dict[str, Any],
        refs: dict[str, Res | list[Res]] | None = None,
        *,
        protect: bool = False,
        depends_on: list[Res] | None = None,
    ) -> Res:
        """Add a resource; Azure types get the id (and principal id, vault URI) Azure would give them."""
        qualified = f"{parent.qualified}${type_}" if parent else type_
        urn = f"urn:pulumi:{self.stack}::{PROJECT}::{qualified}::{name}"
        deps = {k: [r.urn for r in (v if isinstance(v, list) else [v])] for k, v in (refs or {}).items()}
        all_deps = [u for urns in deps.values() for u in urns] + [r.urn for r in depends_on or []]
        res = Res(
            urn,
            type_,
            name,
            parent.urn if parent else "",
            props,
            deps,
            list(dict.fromkeys(all_deps)),
            protect,
            qualified,
            computed(type_, name, props),
        )
        if name in self.resources:
            raise ValueError(f"duplicate logical name {name}")
        self.resources[name] = res
        return res

    def __getitem__(self, name: str) -> Res:
        return self.resources[name]

    def remove(self, name: str) -> None:
        del self.resources[name]

    def copy(self) -> Stack:
        return copy.deepcopy(self)


def policy_resources(stack: Stack) -> list[Resource]:
    """The stack's resources as the pack models them after a preview step (outputs as properties)."""
    return [
        Resource(
            r.urn,
            r.type,
            r.name,
            r.outputs,
            r.protect,
            r.parent,
            tuple(r.depends_on),
            {k: tuple(v) for k, v in r.deps.items()},
        )
        for r in stack.resources.values()
    ]


def computed(type_: str, name: str, props: dict[str, Any]) -> dict[str, Any]:
    """The values Azure computes for a new resource of ``type_``: its id (the catalog's ARM id
    template, as the offline preview's mocks build it), and for identities and vaults the rest."""
    if not type_.startswith("azure-native:"):
        return {}
    azure_name, arm_id = azure_name_and_id(type_, name, props, SUBSCRIPTION)
    found: dict[str, Any] = {"id": arm_id, "name": azure_name}
    if type_ == "azure-native:managedidentity:UserAssignedIdentity":
        found["principalId"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"principal:{arm_id}"))
    if type_ == "azure-native:keyvault:Vault":
        found["properties"] = {"vaultUri": f"https://{azure_name}.vault.azure.net/"}
    return found


def arm(kind: str, name: str, rg: str) -> str:
    return f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{rg}/providers/{kind}/{name}"


class _Builder:
    def __init__(self, environment: str) -> None:
        self.env = environment
        self.prod = environment == "prod"
        self.log_days, self.archive_days = RETENTION[environment]
        self.s = Stack(environment)
        self.root = self.s.add("tvt:platform:Platform", "tvt", None, {})
        self.diag_targets: list[
            tuple[str, Res, Res, bool, bool]
        ] = []  # (scope, parent, target, logs, metrics)

    def tags(self, level: str) -> dict[str, str]:
        classification = "OFFICIAL" if level == "1" else "OFFICIAL-SENSITIVE"
        return {
            "environment": self.env,
            "data-level": level,
            "owner": OWNER,
            "classification": classification,
        }

    # -- building blocks (one per component of the program) ------------------------------------

    def network(self, scope: str, level: str, parent: Res, prefix: str) -> tuple[Res, Res, Res, Res]:
        net = self.s.add("tvt:network:PrivateNetwork", f"{scope}-network", parent, {})
        rg_name = f"rg-tvt-{self.env}-{scope}"
        rg = self.s.add(
            "azure-native:resources:ResourceGroup",
            f"{scope}-rg",
            parent,
            {"resourceGroupName": rg_name, "location": LOCATION, "tags": self.tags(level)},
        )
        nsg = self.s.add(
            "azure-native:network:NetworkSecurityGroup",
            f"{scope}-nsg",
            net,
            {
                "resourceGroupName": rg_name,
                "location": LOCATION,
                "tags": self.tags(level),
                "securityRules": [
                    {
                        "name": "deny-internet-inbound",
                        "priority": 4096,
                        "direction": "Inbound",
                        "access": "Deny",
                        "protocol": "*",
                        "sourceAddressPrefix": "Internet",
                        "sourcePortRange": "*",
                        "destinationAddressPrefix": "*",
                        "destinationPortRange": "*",
                    }
                ],
            },
            {"resourceGroupName": rg},
        )
        vnet = self.s.add(
            "azure-native:network:VirtualNetwork",
            f"{scope}-vnet",
            net,
            {
                "resourceGroupName": rg_name,
                "location": LOCATION,
                "tags": self.tags(level),
                "virtualNetworkName": f"vnet-tvt-{self.env}-{scope}",
                "addressSpace": {"addressPrefixes": [prefix]},
            },
            {"resourceGroupName": rg},
        )
        subnet = self.s.add(
            "azure-native:network:Subnet",
            f"{scope}-subnet",
            net,
            {
                "resourceGroupName": rg_name,
                "virtualNetworkName": f"vnet-tvt-{self.env}-{scope}",
                "subnetName": "snet-private-endpoints",
                "addressPrefix": prefix.replace("/24", "/26"),
                "networkSecurityGroup": {"id": nsg.id},
                "privateEndpointNetworkPolicies": "Enabled",
                "defaultOutboundAccess": False,
            },
            {"resourceGroupName": rg, "virtualNetworkName": vnet, "networkSecurityGroup": nsg},
        )
        self.diag_targets += [(scope, net, nsg, True, False), (scope, net, vnet, True, True)]
        return rg, nsg, vnet, subnet

    def keyvault(
        self, scope: str, level: str, parent: Res, rg: Res, subnet: Res
    ) -> tuple[Res, Res, Res, Res]:
        kv = self.s.add("tvt:keyvault:KeyVault", f"{scope}-keyvault", parent, {})
        rg_name = rg.props["resourceGroupName"]
        hsm = level in ("3", "shared")
        vault_name = f"kv-tvt-{self.env}-{scope}"
        vault = self.s.add(
            "azure-native:keyvault:Vault",
            f"{scope}-vault",
            kv,
            {
                "resourceGroupName": rg_name,
                "vaultName": vault_name,
                "location": LOCATION,
                "tags": self.tags(level),
                "properties": {
                    "tenantId": TENANT,
                    "sku": {"family": "A", "name": "premium" if hsm else "standard"},
                    "enableRbacAuthorization": True,
                    "enablePurgeProtection": True,
                    "enableSoftDelete": True,
                    "softDeleteRetentionInDays": 90 if self.prod else 7,
                    "publicNetworkAccess": "Disabled",
                    "networkAcls": {"defaultAction": "Deny", "bypass": "AzureServices"},
                },
            },
            {"resourceGroupName": rg},
            protect=self.prod,
        )
        key = self.s.add(
            "azure-native:keyvault:Key",
            f"{scope}-key",
            kv,
            {
                "resourceGroupName": rg_name,
                "vaultName": vault_name,
                "keyName": f"cmk-{scope}",
                "tags": self.tags(level),
                "properties": {
                    "kty": "RSA-HSM" if hsm else "RSA",
                    "keySize": 3072,
                    "keyOps": ["wrapKey", "unwrapKey"],
                    # The first version expires 2027-12-31 00:00 UTC; each version rotates 60 days before.
                    "attributes": {"enabled": True, "exportable": False, "expires": 1830211200},
                    "rotationPolicy": {
                        "attributes": {"expiryTime": "P13M"},
                        "lifetimeActions": [
                            {"action": {"type": "rotate"}, "trigger": {"timeBeforeExpiry": "P60D"}},
                            {"action": {"type": "notify"}, "trigger": {"timeBeforeExpiry": "P30D"}},
                        ],
                    },
                },
            },
            {"resourceGroupName": rg, "vaultName": vault},
            protect=self.prod,
        )
        identity = self.s.add(
            "azure-native:managedidentity:UserAssignedIdentity",
            f"{scope}-identity",
            kv,
            {
                "resourceGroupName": rg_name,
                "resourceName": f"id-tvt-{self.env}-{scope}-storage",
                "location": LOCATION,
                "tags": self.tags(level),
            },
            {"resourceGroupName": rg},
        )
        grant = self.s.add(
            "azure-native:authorization:RoleAssignment",
            f"{scope}-key-access",
            kv,
            {
                "scope": key.id,
                "principalId": identity.computed["principalId"],
                "principalType": "ServicePrincipal",
                "roleDefinitionId": role_id(CRYPTO_USER),
                "roleAssignmentName": str(uuid.uuid5(uuid.NAMESPACE_URL, scope)),
            },
            {"scope": key, "principalId": identity},
        )
        self.endpoint(scope, level, kv, rg, subnet, vault, "vault")
        self.diag_targets.append((scope, kv, vault, True, True))
        return vault, key, identity, grant

    def endpoint(
        self, scope: str, level: str, parent: Res, rg: Res, subnet: Res, target: Res, group: str
    ) -> Res:
        rg_name = rg.props["resourceGroupName"]
        stem = target.name if group == "vault" else f"{target.name}-{group}"
        pe = self.s.add(
            "azure-native:network:PrivateEndpoint",
            f"{stem}-pe",
            parent,
            {
                "resourceGroupName": rg_name,
                "location": LOCATION,
                "tags": self.tags(level),
                "privateEndpointName": f"pe-{stem}",
                "subnet": {"id": subnet.id},
                "privateLinkServiceConnections": [
                    {
                        "name": f"plsc-{stem}",
                        "privateLinkServiceId": target.id,
                        "groupIds": [group],
                    }
                ],
            },
            {"resourceGroupName": rg, "subnet": subnet, "privateLinkServiceConnections": target},
        )
        self.s.add(
            "azure-native:network:PrivateDnsZoneGroup",
            f"{stem}-pe-dns",
            parent,
            {
                "resourceGroupName": rg_name,
                "privateEndpointName": f"pe-{stem}",
                "privateDnsZoneGroupName": "default",
                "privateDnsZoneConfigs": [{"name": group, "privateDnsZoneId": self.zones[group].id}],
            },
            {"resourceGroupName": rg, "privateEndpointName": pe, "privateDnsZoneConfigs": self.zones[group]},
        )
        return pe

    def storage(
        self,
        scope: str,
        level: str,
        parent: Res,
        rg: Res,
        subnet: Res,
        keys: tuple[Res, Res, Res, Res],
        *,
        archive: bool,
        containers: list[str],
    ) -> tuple[Res, Res]:
        vault, key, identity, grant = keys
        comp = self.s.add("tvt:storage:SecureStorage", f"{scope}-secure-storage", parent, {})
        rg_name = rg.props["resourceGroupName"]
        account = f"sttvt{self.env}{scope}"
        props: dict[str, Any] = {
            "resourceGroupName": rg_name,
            "accountName": account,
            "location": LOCATION,
            "tags": self.tags(level),
            "kind": "StorageV2",
            "sku": {"name": "Standard_GZRS"},
            "isHnsEnabled": not archive,
            "identity": {"type": "UserAssigned", "userAssignedIdentities": [identity.id]},
            "encryption": {
                "keySource": "Microsoft.Keyvault",
                "requireInfrastructureEncryption": True,
                "keyVaultProperties": {
                    "keyName": key.props["keyName"],
                    "keyVaultUri": vault.computed["properties"]["vaultUri"],
                },
                "encryptionIdentity": {"encryptionUserAssignedIdentity": identity.id},
                "services": {
                    "blob": {"enabled": True, "keyType": "Account"},
                    "file": {"enabled": True, "keyType": "Account"},
                    "queue": {"enabled": True, "keyType": "Account"},
                    "table": {"enabled": True, "keyType": "Account"},
                },
            },
            "minimumTlsVersion": "TLS1_2",
            "enableHttpsTrafficOnly": True,
            "allowBlobPublicAccess": False,
            "allowSharedKeyAccess": False,
            "defaultToOAuthAuthentication": True,
            # The archive: Azure Monitor writes as a trusted service, which Azure honours only with
            # public access enabled behind a deny-all firewall (exempted in policies/config/<stack>.json).
            "publicNetworkAccess": "Enabled" if archive else "Disabled",
            "allowCrossTenantReplication": False,
            "networkRuleSet": {"defaultAction": "Deny", "bypass": "AzureServices" if archive else "None"},
        }
        if archive:
            props["immutableStorageWithVersioning"] = {
                "enabled": True,
                "immutabilityPolicy": {
                    "immutabilityPeriodSinceCreationInDays": self.archive_days,
                    "state": "Locked" if self.prod else "Unlocked",
                    "allowProtectedAppendWrites": True,
                },
            }
        sa = self.s.add(
            "azure-native:storage:StorageAccount",
            f"{scope}-archive-account" if archive else f"{scope}-storage",  # as the program names them
            comp,
            props,
            {
                "resourceGroupName": rg,
                "identity": identity,
                "encryption": [vault, key, identity],
            },
            protect=self.prod,
            depends_on=[grant],
        )
        days = 30 if self.prod else 7
        service_props: dict[str, Any] = {
            "resourceGroupName": rg_name,
            "accountName": account,
            "blobServicesName": "default",
            "deleteRetentionPolicy": {"enabled": True, "days": days},
            "containerDeleteRetentionPolicy": {"enabled": True, "days": days},
        }
        if archive:
            service_props["isVersioningEnabled"] = True
        service = self.s.add(
            "azure-native:storage:BlobServiceProperties",
            f"{scope}-blob-service",
            comp,
            service_props,
            {"resourceGroupName": rg, "accountName": sa},
        )
        for zone in containers:
            container_props: dict[str, Any] = {
                "resourceGroupName": rg_name,
                "accountName": account,
                "containerName": zone,
                "publicAccess": "None",
            }
            if archive:
                container_props["immutableStorageWithVersioning"] = {"enabled": True}
            container = self.s.add(
                "azure-native:storage:BlobContainer",
                f"{scope}-container-{zone}",
                comp,
                container_props,
                {"resourceGroupName": rg, "accountName": sa},
                depends_on=[service],
            )
            if (level, zone) == ("3", "raw"):  # write-once (components.config.model.WRITE_ONCE_ZONES)
                self.s.add(
                    "azure-native:storage:BlobContainerImmutabilityPolicy",
                    f"{scope}-container-raw-retention",
                    comp,
                    {
                        "resourceGroupName": rg_name,
                        "accountName": sa.props["accountName"],
                        "containerName": zone,
                        "immutabilityPolicyName": "default",
                        "immutabilityPeriodSinceCreationInDays": 365 if self.prod else 1,
                        "allowProtectedAppendWrites": False,
                    },
                    {"resourceGroupName": rg, "accountName": sa},
                    depends_on=[container],
                )
        for group in ["blob"] if archive else ["blob", "dfs"]:
            self.endpoint(scope, level, comp, rg, subnet, sa, group)
        self.diag_targets += [(scope, comp, sa, False, True), (scope, comp, service, True, True)]
        return sa, service

    def lock(self, scope: str, parent: Res, rg: Res) -> None:
        if self.prod:
            self.s.add(
                "azure-native:authorization:ManagementLockAtResourceGroupLevel",
                f"{scope}-lock",
                parent,
                {
                    "lockName": "lock-tvt-do-not-delete",
                    "level": "CanNotDelete",
                    "resourceGroupName": rg.props["resourceGroupName"],
                    "notes": "TVT data: deletion needs a reviewed change",
                },
                {"resourceGroupName": rg},
            )

    def diagnostics(self, workspace: Res, archive: Res) -> None:
        for _scope, parent, target, logs, metrics in self.diag_targets:
            props: dict[str, Any] = {
                "name": "diag-tvt-audit",
                "resourceUri": target.id,
                "workspaceId": workspace.id,
            }
            refs: dict[str, Res | list[Res]] = {"resourceUri": target, "workspaceId": workspace}
            # Azure refuses to archive a storage account's logs into itself: the archive's own go to
            # the workspace only.
            own = target is archive or archive.urn in target.deps.get("accountName", [])
            if self.prod and not own:
                props["storageAccountId"] = archive.id
                refs["storageAccountId"] = archive
            if logs:
                props["logs"] = [{"categoryGroup": "allLogs", "enabled": True}]
            if metrics:
                # Storage rejects AllMetrics and exports only Transaction (Capacity exports nothing).
                categories = (
                    ["Transaction"] if target.type.startswith("azure-native:storage:") else ["AllMetrics"]
                )
                props["metrics"] = [{"category": c, "enabled": True} for c in categories]
            self.s.add("azure-native:monitor:DiagnosticSetting", f"{target.name}-diag", parent, props, refs)

    # -- scopes ---------------------------------------------------------------------------------

    def audit(self) -> tuple[Res, Res]:
        audit = self.s.add("tvt:audit:AuditServices", "audit", self.root, {})
        rg, _nsg, vnet, subnet = self.network("audit", "shared", audit, "10.40.0.0/24")
        self.zones: dict[str, Res] = {}
        for group, zone in ZONES.items():
            self.zones[group] = self.s.add(
                "azure-native:privatedns:PrivateZone",
                f"audit-zone-{group}",
                audit,
                {
                    "resourceGroupName": rg.props["resourceGroupName"],
                    "privateZoneName": zone,
                    "location": "global",
                    "tags": self.tags("shared"),
                },
                {"resourceGroupName": rg},
            )
        self.vnets = [vnet]
        keys = self.keyvault("audit", "shared", audit, rg, subnet)
        archive, _service = self.storage(
            "audit", "shared", audit, rg, subnet, keys, archive=True, containers=["audit-archive"]
        )
        workspace = self.s.add(
            "azure-native:operationalinsights:Workspace",
            "audit-workspace",
            audit,
            {
                "resourceGroupName": rg.props["resourceGroupName"],
                "workspaceName": f"log-tvt-{self.env}-audit",
                "location": LOCATION,
                "tags": self.tags("shared"),
                "sku": {"name": "PerGB2018"},
                "retentionInDays": self.log_days,
                "publicNetworkAccessForIngestion": "Disabled",
                "publicNetworkAccessForQuery": "Disabled",
                "features": {"disableLocalAuth": True, "enableLogAccessUsingOnlyResourcePermissions": True},
            },
            {"resourceGroupName": rg},
            protect=self.prod,
        )
        self.diag_targets.append(("audit", audit, workspace, True, True))
        self.s.add(
            "azure-native:monitor:SubscriptionDiagnosticSetting",
            "audit-activity-log",
            audit,
            {
                "name": "diag-tvt-activity-log",
                "workspaceId": workspace.id,
                "storageAccountId": archive.id,
                "logs": [{"category": c, "enabled": True} for c in ACTIVITY_CATEGORIES],
            },
            {"workspaceId": workspace, "storageAccountId": archive},
        )
        self.lock("audit", audit, rg)
        return workspace, archive

    def level(self, n: int, grants: list[tuple[str, str, str | None, str | None]]) -> None:
        scope, level = f"l{n}", str(n)
        comp = self.s.add("tvt:level:DataLevel", scope, self.root, {})
        rg, _nsg, vnet, subnet = self.network(scope, level, comp, f"10.4{n}.0.0/24")
        self.vnets.append(vnet)
        keys = self.keyvault(scope, level, comp, rg, subnet)
        zones = {
            3: ["landing", "raw", "matched"],
            2: ["pseudonymised", "curated"],
            1: ["aggregated", "published"],
        }[n]
        sa, _service = self.storage(scope, level, comp, rg, subnet, keys, archive=False, containers=zones)
        self.lock(scope, comp, rg)
        roles = {r: self.role_definition(scope, n, comp, rg, r) for r in dict.fromkeys(g[1] for g in grants)}
        for group, role, zone, use_case in grants:
            target = self.s[f"{scope}-container-{zone}"] if zone else sa
            partner, object_id = GROUPS[group]
            self.partner(group)
            folder = f"{partner}/" if role == "ingest-writer" else None
            description = f"TVT grant: {role} for {group} on level {n}" + (f" zone {zone}" if zone else "")
            description += f", writes under {zone}/{folder} only." if folder else "."
            props: dict[str, Any] = {
                "scope": target.id,
                "principalId": object_id,
                "principalType": "Group",
                "roleDefinitionId": roles[role].id,
                "description": description,
                "roleAssignmentName": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{scope}/{group}/{role}")),
            }
            if use_case:
                # A use case ends the access in Azure (ABAC), at level 3 over private link only.
                props["description"] += f" Use case {use_case} ({APPROVAL}) expires {EXPIRES}."
                self.register(use_case, n)
                props["conditionVersion"] = "2.0"
                props["condition"] = condition(
                    TVT_ROLES[role], end=ACCESS_END, private_link=n == 3, prefix=folder
                )
            self.s.add(
                "azure-native:authorization:RoleAssignment",
                f"{scope}-grant-{group}" if role != "ingest-writer" else f"{scope}-grant-{group}-upload",
                comp,
                props,
                {"scope": target, "roleDefinitionId": roles[role]},
            )

    def role_definition(self, scope: str, n: int, parent: Res, rg: Res, role: str) -> Res:
        """A TVT custom role of one level: exactly its data actions, assignable only in the level's group."""
        return self.s.add(
            "azure-native:authorization:RoleDefinition",
            f"{scope}-role-{role}",
            parent,
            {
                "roleDefinitionId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.env}/{scope}/{role}")),
                "roleName": f"TVT {self.env} level {n} {role}",
                "description": f"TVT {role} on level {n}",
                "roleType": "CustomRole",
                "scope": rg.id,
                "assignableScopes": [rg.id],
                "permissions": [
                    {
                        "actions": [],
                        "notActions": [],
                        "dataActions": list(TVT_ROLES[role]),
                        "notDataActions": [],
                    }
                ],
            },
            {"scope": rg, "assignableScopes": rg},
        )

    def partner(self, group: str) -> None:
        """Record ``group`` under its partner in the stack config's partner register (``tvt:partners``)."""
        partner, object_id = GROUPS[group]
        register = self.s.config.setdefault(PARTNERS_KEY, [])
        entry = next((e for e in register if e["id"] == partner), None)
        if entry is None:
            entry = {"id": partner, "name": partner, "groups": []}
            register.append(entry)
        if all(g["key"] != group for g in entry["groups"]):
            entry["groups"].append({"key": group, "objectId": object_id, "displayName": group})

    def register(self, use_case: str, level: int) -> None:
        """Record ``use_case`` in the stack config's register (``tvt:useCases``), as approved."""
        register = self.s.config.setdefault(USE_CASES, [])
        if all(entry["id"] != use_case for entry in register):
            register.append(
                {
                    "id": use_case,
                    "title": f"Use case {use_case}",
                    "level": level,
                    "approval": APPROVAL,
                    "expires": EXPIRES,
                }
            )

    def links(self) -> None:
        audit = self.s["audit"]
        for group, zone in self.zones.items():
            for vnet in self.vnets:
                self.s.add(
                    "azure-native:privatedns:VirtualNetworkLink",
                    f"audit-link-{group}-{vnet.name}",
                    audit,
                    {
                        "resourceGroupName": self.s["audit-rg"].props["resourceGroupName"],
                        "privateZoneName": ZONES[group],
                        "location": "global",
                        "registrationEnabled": False,
                        "virtualNetwork": {"id": vnet.id},
                        "tags": self.tags("shared"),
                    },
                    {
                        "resourceGroupName": self.s["audit-rg"],
                        "privateZoneName": zone,
                        "virtualNetwork": vnet,
                    },
                )


def compliant_stack(environment: str = "prod") -> Stack:
    """The baseline: audit services plus levels 1-3, compliant with every rule of the pack.

    Its config holds the use-case and partner registers its grants name. The findings it still
    produces are the two design exemptions in ``policies/config/<stack>.json``:
    the Log Analytics workspace has no customer-managed key (``encryption-cmk-same-level``) and the
    audit archive enables public network access for Azure Monitor's trusted-service writes behind a
    deny-all firewall (``network-public-access-disabled``).
    """
    b = _Builder(environment)
    workspace, archive = b.audit()
    b.level(1, [("vru-analysts", "reader", None, None)])
    b.level(2, [("vru-analysts", "contributor", "curated", "UC-2026-003")])
    b.level(
        3,
        [
            ("tvp-analysts", "reader", "matched", "UC-2026-001"),
            ("tvp-data-ingest", "ingest-writer", "landing", "UC-2026-001"),
        ],
    )
    b.links()
    b.diagnostics(workspace, archive)
    return b.s
