"""The one table that classifies every resource type the program declares.

Rules that claim "every resource" (customer-managed keys, diagnostic settings, tags, residency)
read this table instead of keeping their own type lists, so adding a type to the program means
adding one row here, reviewed once. A type missing from the table is *unclassified*: the
encryption and audit families then fail closed on it rather than assume it holds no data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType


class DataClass(StrEnum):
    """What a resource holds, which decides the encryption and deletion-protection rules it meets."""

    DATA_BEARING = "data-bearing"  # holds partner or audit data: customer-managed key required
    KEY_MATERIAL = "key-material"  # holds the keys protecting that data
    NONE = "none"  # configuration only (its data, if any, is encrypted by its data-bearing parent)


class Geography(StrEnum):
    """How a type is placed geographically, for the residency rule."""

    REGIONAL = "regional"  # has a region: must be UK (explicitly, or through its resource group)
    GLOBAL = (
        "global"  # only exists as "global" (private DNS, private link scopes); carries no data about people
    )
    NONE = "none"  # no location of its own (child resources, role assignments, components)


@dataclass(frozen=True)
class DiagnosticSupport:
    """Which diagnostic-setting streams Azure offers for a type (Azure Monitor "supported categories").

    ``metrics`` are the metric categories Azure *accepts* for the type: a setting that enables any
    other category is rejected at deployment (storage answers "supported categories are:
    'Capacity;Transaction'" to ``AllMetrics``). ``required_metrics`` are those a diagnostic setting
    must enable, the ones a setting actually exports (the program sends exactly these); by default
    all of ``metrics``.
    """

    logs: bool
    metrics: tuple[str, ...] = ()
    required_metrics: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        extra = set(self.required) - set(self.metrics)
        if extra:
            raise ValueError(
                f"required metric categories {sorted(extra)} are not accepted ones {self.metrics}"
            )

    @property
    def required(self) -> tuple[str, ...]:
        """The metric categories a diagnostic setting of this type must enable."""
        return self.metrics if self.required_metrics is None else self.required_metrics

    @property
    def has_metrics(self) -> bool:
        return bool(self.metrics)

    @property
    def supported(self) -> bool:
        return self.logs or self.has_metrics

    def __str__(self) -> str:
        kinds = (["logs"] if self.logs else []) + (
            [f"metrics ({', '.join(self.metrics)})"] if self.metrics else []
        )
        return " and ".join(kinds) or "none"


@dataclass(frozen=True)
class ArmId:
    """How Azure names a resource of a type: the input carrying its name, and its ARM id template.

    Template fields are the resource's own string inputs, ``subscription`` and ``name``.
    """

    name_input: str
    template: str


LOCATION_FIXED = "the region is fixed when a resource is created"
ARM_ID_FIXED = "forms the ARM id: a new value is a different Azure resource"


@dataclass(frozen=True)
class Replacement:
    """Inputs of one type whose change makes Pulumi replace the resource (delete, then create).

    ``identity``: the inputs that form the ARM id (the URL path Azure PUTs to); ``location`` always
    forces replacement too (types without one never carry it). ``create_only``: other properties
    Azure accepts only at creation, each with the reason.
    """

    identity: tuple[str, ...]
    create_only: tuple[tuple[str, str], ...] = ()

    def forcing(self) -> tuple[tuple[str, str], ...]:
        """(input path, why a change forces replacement), in the order reasons are reported."""
        arm_id = tuple((name, ARM_ID_FIXED) for name in self.identity)
        return (*arm_id, ("location", LOCATION_FIXED), *self.create_only)


@dataclass(frozen=True)
class TypeInfo:
    """Every fact about one resource type that the pack and the ``tvt`` tool need, in one row.

    ``data`` decides the encryption and deletion-protection rules; ``data_loss`` is why deleting or
    replacing a resource of the type loses data (a container holds blobs although its key is its
    account's, so it has a reason but no key of its own). ``arm_id`` and ``replacement`` are None
    only for types Azure knows nothing of (components, the stack, providers).
    """

    data: DataClass
    diagnostics: DiagnosticSupport
    taggable: bool
    geography: Geography
    arm_id: ArmId | None = None
    replacement: Replacement | None = None
    data_loss: str | None = None
    # Input paths (prefixes) Azure never applies after creation, each with why: a changed value
    # shows in a diff but "will not reach Azure".
    ignored_after_create: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.data is not DataClass.NONE and not self.data_loss:
            raise ValueError(f"a {self.data} type needs the reason its deletion loses data")


ALL_METRICS = "AllMetrics"
# Storage accounts and their services reject "AllMetrics"; Azure lists their categories as
# 'Capacity;Transaction'. Only Transaction (requests, errors, latency, ingress/egress: what an
# investigation of bulk reads needs) is exported by a diagnostic setting: Azure's supported-metrics
# reference marks every Capacity metric "DS Export: No", so a setting asks for Transaction alone.
STORAGE_METRICS: tuple[str, ...] = ("Transaction", "Capacity")
STORAGE_REQUIRED_METRICS: tuple[str, ...] = ("Transaction",)

NO_DIAGNOSTICS = DiagnosticSupport(logs=False)
LOGS = DiagnosticSupport(logs=True)
LOGS_AND_ALL_METRICS = DiagnosticSupport(logs=True, metrics=(ALL_METRICS,))
STORAGE_ACCOUNT_DIAGNOSTICS = DiagnosticSupport(
    logs=False, metrics=STORAGE_METRICS, required_metrics=STORAGE_REQUIRED_METRICS
)
STORAGE_SERVICE_DIAGNOSTICS = DiagnosticSupport(
    logs=True, metrics=STORAGE_METRICS, required_metrics=STORAGE_REQUIRED_METRICS
)

RESOURCE_GROUP = "azure-native:resources:ResourceGroup"
NSG = "azure-native:network:NetworkSecurityGroup"
VIRTUAL_NETWORK = "azure-native:network:VirtualNetwork"
SUBNET = "azure-native:network:Subnet"
PRIVATE_ENDPOINT = "azure-native:network:PrivateEndpoint"
PRIVATE_DNS_ZONE_GROUP = "azure-native:network:PrivateDnsZoneGroup"
PRIVATE_ZONE = "azure-native:privatedns:PrivateZone"
VIRTUAL_NETWORK_LINK = "azure-native:privatedns:VirtualNetworkLink"
VAULT = "azure-native:keyvault:Vault"
KEY = "azure-native:keyvault:Key"
ACCESS_POLICY = "azure-native:keyvault:AccessPolicy"
IDENTITY = "azure-native:managedidentity:UserAssignedIdentity"
ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
ROLE_DEFINITION = "azure-native:authorization:RoleDefinition"
RG_LOCK = "azure-native:authorization:ManagementLockAtResourceGroupLevel"
STORAGE_ACCOUNT = "azure-native:storage:StorageAccount"
BLOB_SERVICE = "azure-native:storage:BlobServiceProperties"
BLOB_CONTAINER = "azure-native:storage:BlobContainer"
IMMUTABILITY_POLICY = "azure-native:storage:BlobContainerImmutabilityPolicy"
WORKSPACE = "azure-native:operationalinsights:Workspace"
LA_CLUSTER = "azure-native:operationalinsights:Cluster"
LA_LINKED_SERVICE = "azure-native:operationalinsights:LinkedService"
DIAGNOSTIC_SETTING = "azure-native:monitor:DiagnosticSetting"
SUBSCRIPTION_DIAGNOSTIC_SETTING = "azure-native:monitor:SubscriptionDiagnosticSetting"
PRIVATE_LINK_SCOPE = "azure-native:monitor:PrivateLinkScope"
PRIVATE_LINK_SCOPED_RESOURCE = "azure-native:monitor:PrivateLinkScopedResource"
STACK = "pulumi:pulumi:Stack"
PROVIDER_PREFIX = "pulumi:providers:"

COMPONENT_TYPES: tuple[str, ...] = (
    "tvt:platform:Platform",
    "tvt:audit:AuditServices",
    "tvt:level:DataLevel",
    "tvt:network:PrivateNetwork",
    "tvt:keyvault:KeyVault",
    "tvt:storage:SecureStorage",
)

RG_LOCK_BY_SCOPE = "azure-native:authorization:ManagementLockByScope"

_COMPONENT = TypeInfo(DataClass.NONE, NO_DIAGNOSTICS, taggable=False, geography=Geography.NONE)

# ARM id templates (Azure REST API paths), shared by the rows below.
_RG = "/subscriptions/{subscription}/resourceGroups/{resourceGroupName}"
_SA = _RG + "/providers/Microsoft.Storage/storageAccounts/{accountName}"
_VNET = _RG + "/providers/Microsoft.Network/virtualNetworks/{virtualNetworkName}"
_PE = _RG + "/providers/Microsoft.Network/privateEndpoints/{privateEndpointName}"
_ZONE = _RG + "/providers/Microsoft.Network/privateDnsZones/{privateZoneName}"
_PLS = _RG + "/providers/Microsoft.Insights/privateLinkScopes"
_ASSIGNMENT_FIXED = "Azure refuses to update a role assignment (RoleAssignmentUpdateNotPermitted)"
_KEY_FIXED = "fixed when the key is created: a new value is new key material"
# azure-native creates a Key with create-if-not-exist and never updates it afterwards.
_KEY_CREATE_ONLY = "azure-native creates a key only if it does not exist and never updates it"


def _azure(
    data: DataClass,
    diagnostics: DiagnosticSupport,
    *,
    taggable: bool,
    geography: Geography,
    arm_id: tuple[str, str],
    identity: tuple[str, ...],
    create_only: tuple[tuple[str, str], ...] = (),
    data_loss: str | None = None,
    ignored_after_create: tuple[tuple[str, str], ...] = (),
) -> TypeInfo:
    """A row for an azure-native type: every type Azure holds has an ARM id and replacement inputs."""
    return TypeInfo(
        data,
        diagnostics,
        taggable=taggable,
        geography=geography,
        arm_id=ArmId(*arm_id),
        replacement=Replacement(identity, create_only),
        data_loss=data_loss,
        ignored_after_create=ignored_after_create,
    )


CATALOG: Mapping[str, TypeInfo] = MappingProxyType(
    {
        RESOURCE_GROUP: _azure(
            DataClass.NONE,
            NO_DIAGNOSTICS,
            taggable=True,
            geography=Geography.REGIONAL,
            arm_id=("resourceGroupName", _RG),
            identity=("resourceGroupName",),
        ),
        NSG: _azure(
            DataClass.NONE,
            LOGS,
            taggable=True,
            geography=Geography.REGIONAL,
            arm_id=(
                "networkSecurityGroupName",
                _RG + "/providers/Microsoft.Network/networkSecurityGroups/{name}",
            ),
            identity=("resourceGroupName", "networkSecurityGroupName"),
        ),
        VIRTUAL_NETWORK: _azure(
            DataClass.NONE,
            LOGS_AND_ALL_METRICS,
            taggable=True,
            geography=Geography.REGIONAL,
            arm_id=("virtualNetworkName", _VNET),
            identity=("resourceGroupName", "virtualNetworkName"),
        ),
        SUBNET: _azure(
            DataClass.NONE,
            NO_DIAGNOSTICS,
            taggable=False,
            geography=Geography.NONE,
            arm_id=("subnetName", _VNET + "/subnets/{name}"),
            identity=("resourceGroupName", "virtualNetworkName", "subnetName"),
        ),
        PRIVATE_ENDPOINT: _azure(
            DataClass.NONE,
            NO_DIAGNOSTICS,
            taggable=True,
            geography=Geography.REGIONAL,
            arm_id=("privateEndpointName", _PE),
            identity=("resourceGroupName", "privateEndpointName"),
        ),
        PRIVATE_DNS_ZONE_GROUP: _azure(
            DataClass.NONE,
            NO_DIAGNOSTICS,
            taggable=False,
            geography=Geography.NONE,
            arm_id=("privateDnsZoneGroupName", _PE + "/privateDnsZoneGroups/{name}"),
            identity=("resourceGroupName", "privateEndpointName", "privateDnsZoneGroupName"),
        ),
        PRIVATE_ZONE: _azure(
            DataClass.NONE,
            NO_DIAGNOSTICS,
            taggable=True,
            geography=Geography.GLOBAL,
            arm_id=("privateZoneName", _ZONE),
            identity=("resourceGroupName", "privateZoneName"),
        ),
        VIRTUAL_NETWORK_LINK: _azure(
            DataClass.NONE,
            NO_DIAGNOSTICS,
            taggable=True,
            geography=Geography.GLOBAL,
            arm_id=("virtualNetworkLinkName", _ZONE + "/virtualNetworkLinks/{name}"),
            identity=("resourceGroupName", "privateZoneName", "virtualNetworkLinkName"),
        ),
        VAULT: _azure(
            DataClass.KEY_MATERIAL,
            LOGS_AND_ALL_METRICS,
            taggable=True,
            geography=Geography.REGIONAL,
            arm_id=("vaultName", _RG + "/providers/Microsoft.KeyVault/vaults/{name}"),
            identity=("resourceGroupName", "vaultName"),
            data_loss="holds the customer-managed keys that the level's data is encrypted with",
        ),
        # A key's audit trail is its vault's: Azure offers no diagnostic settings per key.
        KEY: _azure(
            DataClass.KEY_MATERIAL,
            NO_DIAGNOSTICS,
            taggable=True,
            geography=Geography.NONE,
            arm_id=("keyName", _RG + "/providers/Microsoft.KeyVault/vaults/{vaultName}/keys/{name}"),
            identity=("resourceGroupName", "vaultName", "keyName"),
            create_only=(
                ("properties.kty", _KEY_FIXED),
                ("properties.keySize", _KEY_FIXED),
                ("properties.curveName", _KEY_FIXED),
            ),
            data_loss="key material: data wrapped by this key cannot be read with a new one",
            ignored_after_create=(
                ("properties.rotationPolicy", _KEY_CREATE_ONLY),
                ("properties.attributes", _KEY_CREATE_ONLY),
            ),
        ),
        # Nothing beyond the name forces replacement: a new identity would also get a new principal
        # id, and its grants with it.
        IDENTITY: _azure(
            DataClass.NONE,
            NO_DIAGNOSTICS,
            taggable=True,
            geography=Geography.REGIONAL,
            arm_id=(
                "resourceName",
                _RG + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}",
            ),
            identity=("resourceGroupName", "resourceName"),
        ),
        ROLE_ASSIGNMENT: _azure(
            DataClass.NONE,
            NO_DIAGNOSTICS,
            taggable=False,
            geography=Geography.NONE,
            arm_id=("roleAssignmentName", "{scope}/providers/Microsoft.Authorization/roleAssignments/{name}"),
            identity=("scope", "roleAssignmentName"),
            create_only=(("principalId", _ASSIGNMENT_FIXED), ("roleDefinitionId", _ASSIGNMENT_FIXED)),
        ),
        # A custom role: what its holders may do, nothing stored. Whatever scope it is created at, its
        # id is subscription-level (Azure "Role Definitions - Create Or Update").
        ROLE_DEFINITION: _azure(
            DataClass.NONE,
            NO_DIAGNOSTICS,
            taggable=False,
            geography=Geography.NONE,
            arm_id=(
                "roleDefinitionId",
                "/subscriptions/{subscription}/providers/Microsoft.Authorization/roleDefinitions/{name}",
            ),
            identity=("scope", "roleDefinitionId"),
        ),
        RG_LOCK: _azure(
            DataClass.NONE,
            NO_DIAGNOSTICS,
            taggable=False,
            geography=Geography.NONE,
            arm_id=("lockName", _RG + "/providers/Microsoft.Authorization/locks/{name}"),
            identity=("resourceGroupName", "lockName"),
        ),
        RG_LOCK_BY_SCOPE: _azure(
            DataClass.NONE,
            NO_DIAGNOSTICS,
            taggable=False,
            geography=Geography.NONE,
            arm_id=("lockName", "{scope}/providers/Microsoft.Authorization/locks/{name}"),
            identity=("scope", "lockName"),
        ),
        # Storage's audit logs are per service (the blob service below); the account itself only has metrics.
        STORAGE_ACCOUNT: _azure(
            DataClass.DATA_BEARING,
            STORAGE_ACCOUNT_DIAGNOSTICS,
            taggable=True,
            geography=Geography.REGIONAL,
            arm_id=("accountName", _SA),
            identity=("resourceGroupName", "accountName"),
            create_only=(
                (
                    "isHnsEnabled",
                    "the hierarchical namespace (ADLS Gen2) is chosen when the account is created",
                ),
                ("kind", "the account kind is chosen when the account is created"),
            ),
            data_loss="holds partner data or the audit archive: every blob goes with it",
        ),
        # Blob data is encrypted by its account's key: the service and containers are not separately keyed.
        BLOB_SERVICE: _azure(
            DataClass.NONE,
            STORAGE_SERVICE_DIAGNOSTICS,
            taggable=False,
            geography=Geography.NONE,
            arm_id=("blobServicesName", _SA + "/blobServices/{name}"),
            identity=("resourceGroupName", "accountName", "blobServicesName"),
        ),
        BLOB_CONTAINER: _azure(
            DataClass.NONE,
            NO_DIAGNOSTICS,
            taggable=False,
            geography=Geography.NONE,
            arm_id=("containerName", _SA + "/blobServices/default/containers/{name}"),
            identity=("resourceGroupName", "accountName", "containerName"),
            data_loss="a data zone or audit archive: its blobs go with it",
        ),
        IMMUTABILITY_POLICY: _azure(
            DataClass.NONE,
            NO_DIAGNOSTICS,
            taggable=False,
            geography=Geography.NONE,
            arm_id=(
                "immutabilityPolicyName",
                _SA + "/blobServices/default/containers/{containerName}/immutabilityPolicies/{name}",
            ),
            identity=("resourceGroupName", "accountName", "containerName", "immutabilityPolicyName"),
        ),
        WORKSPACE: _azure(
            DataClass.DATA_BEARING,
            LOGS_AND_ALL_METRICS,
            taggable=True,
            geography=Geography.REGIONAL,
            arm_id=("workspaceName", _RG + "/providers/Microsoft.OperationalInsights/workspaces/{name}"),
            identity=("resourceGroupName", "workspaceName"),
            data_loss="the audit log: a new workspace starts empty",
        ),
        DIAGNOSTIC_SETTING: _azure(
            DataClass.NONE,
            NO_DIAGNOSTICS,
            taggable=False,
            geography=Geography.NONE,
            arm_id=("name", "{resourceUri}/providers/Microsoft.Insights/diagnosticSettings/{name}"),
            identity=("resourceUri", "name"),
        ),
        # Subscription-scoped: the subscription is the provider's, so the name is the whole id.
        SUBSCRIPTION_DIAGNOSTIC_SETTING: _azure(
            DataClass.NONE,
            NO_DIAGNOSTICS,
            taggable=False,
            geography=Geography.NONE,
            arm_id=(
                "name",
                "/subscriptions/{subscription}/providers/Microsoft.Insights/diagnosticSettings/{name}",
            ),
            identity=("name",),
        ),
        # An Azure Monitor Private Link Scope only lists which workspaces its endpoints reach; the
        # logs stay in the (data-bearing) workspace. Like private DNS it exists only as "global".
        PRIVATE_LINK_SCOPE: _azure(
            DataClass.NONE,
            NO_DIAGNOSTICS,
            taggable=True,
            geography=Geography.GLOBAL,
            arm_id=("scopeName", _PLS + "/{name}"),
            identity=("resourceGroupName", "scopeName"),
        ),
        PRIVATE_LINK_SCOPED_RESOURCE: _azure(
            DataClass.NONE,
            NO_DIAGNOSTICS,
            taggable=False,
            geography=Geography.NONE,
            arm_id=("name", _PLS + "/{scopeName}/scopedResources/{name}"),
            identity=("resourceGroupName", "scopeName", "name"),
        ),
        STACK: _COMPONENT,
        **dict.fromkeys(COMPONENT_TYPES, _COMPONENT),
    }
)


def classify(type_: str) -> TypeInfo | None:
    """The row for ``type_``, or None when unclassified (callers fail closed on None).

    Provider resources are matched by prefix: whichever provider a resource uses, the provider
    itself holds configuration only (its ``location`` default is still checked for residency).
    """
    if type_.startswith(PROVIDER_PREFIX):
        return _COMPONENT
    return CATALOG.get(type_)


def unclassified_message(type_: str) -> str:
    return (
        f"resource type {type_} is not classified in policies/catalog.py, so whether it holds data, needs a "
        "customer-managed key or supports diagnostic settings is unknown; add a row for it"
    )
