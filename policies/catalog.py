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


class Placement(StrEnum):
    """How a type is placed geographically, for the residency rule."""

    REGIONAL = "regional"  # has a region: must be UK (explicitly, or through its resource group)
    GLOBAL = (
        "global"  # only exists as "global" (private DNS, private link scopes); carries no data about people
    )
    NONE = "none"  # no location of its own (child resources, role assignments, components)


@dataclass(frozen=True)
class Diagnostics:
    """Which diagnostic-setting streams Azure offers for a type (Azure Monitor "supported categories").

    ``metrics`` are the metric categories Azure *accepts* for the type: a setting that enables any
    other category is rejected at deployment (storage answers "supported categories are:
    'Capacity;Transaction'" to ``AllMetrics``). ``required_metrics`` are those a diagnostic setting
    must enable; by default all of ``metrics``.
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
class TypeInfo:
    data: DataClass
    diagnostics: Diagnostics
    taggable: bool
    placement: Placement


ALL_METRICS = "AllMetrics"
# Storage accounts and their services reject "AllMetrics"; Azure lists their categories as
# 'Capacity;Transaction'. Transaction (requests, errors, latency, ingress/egress) is what an
# investigation of bulk reads needs, so it is required; Capacity is accepted and welcome.
STORAGE_METRICS: tuple[str, ...] = ("Transaction", "Capacity")
STORAGE_REQUIRED_METRICS: tuple[str, ...] = ("Transaction",)

NO_DIAGNOSTICS = Diagnostics(logs=False)
LOGS = Diagnostics(logs=True)
LOGS_AND_ALL_METRICS = Diagnostics(logs=True, metrics=(ALL_METRICS,))
STORAGE_ACCOUNT_DIAGNOSTICS = Diagnostics(
    logs=False, metrics=STORAGE_METRICS, required_metrics=STORAGE_REQUIRED_METRICS
)
STORAGE_SERVICE_DIAGNOSTICS = Diagnostics(
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
RG_LOCK = "azure-native:authorization:ManagementLockAtResourceGroupLevel"
STORAGE_ACCOUNT = "azure-native:storage:StorageAccount"
BLOB_SERVICE = "azure-native:storage:BlobServiceProperties"
BLOB_CONTAINER = "azure-native:storage:BlobContainer"
IMMUTABILITY_POLICY = "azure-native:storage:ImmutabilityPolicy"
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

_COMPONENT = TypeInfo(DataClass.NONE, NO_DIAGNOSTICS, taggable=False, placement=Placement.NONE)

CATALOG: Mapping[str, TypeInfo] = MappingProxyType(
    {
        RESOURCE_GROUP: TypeInfo(DataClass.NONE, NO_DIAGNOSTICS, taggable=True, placement=Placement.REGIONAL),
        NSG: TypeInfo(DataClass.NONE, LOGS, taggable=True, placement=Placement.REGIONAL),
        VIRTUAL_NETWORK: TypeInfo(
            DataClass.NONE, LOGS_AND_ALL_METRICS, taggable=True, placement=Placement.REGIONAL
        ),
        SUBNET: TypeInfo(DataClass.NONE, NO_DIAGNOSTICS, taggable=False, placement=Placement.NONE),
        PRIVATE_ENDPOINT: TypeInfo(
            DataClass.NONE, NO_DIAGNOSTICS, taggable=True, placement=Placement.REGIONAL
        ),
        PRIVATE_DNS_ZONE_GROUP: TypeInfo(
            DataClass.NONE, NO_DIAGNOSTICS, taggable=False, placement=Placement.NONE
        ),
        PRIVATE_ZONE: TypeInfo(DataClass.NONE, NO_DIAGNOSTICS, taggable=True, placement=Placement.GLOBAL),
        VIRTUAL_NETWORK_LINK: TypeInfo(
            DataClass.NONE, NO_DIAGNOSTICS, taggable=True, placement=Placement.GLOBAL
        ),
        VAULT: TypeInfo(
            DataClass.KEY_MATERIAL, LOGS_AND_ALL_METRICS, taggable=True, placement=Placement.REGIONAL
        ),
        # A key's audit trail is its vault's: Azure offers no diagnostic settings per key.
        KEY: TypeInfo(DataClass.KEY_MATERIAL, NO_DIAGNOSTICS, taggable=True, placement=Placement.NONE),
        IDENTITY: TypeInfo(DataClass.NONE, NO_DIAGNOSTICS, taggable=True, placement=Placement.REGIONAL),
        ROLE_ASSIGNMENT: TypeInfo(DataClass.NONE, NO_DIAGNOSTICS, taggable=False, placement=Placement.NONE),
        RG_LOCK: TypeInfo(DataClass.NONE, NO_DIAGNOSTICS, taggable=False, placement=Placement.NONE),
        # Storage's audit logs are per service (the blob service below); the account itself only has metrics.
        STORAGE_ACCOUNT: TypeInfo(
            DataClass.DATA_BEARING, STORAGE_ACCOUNT_DIAGNOSTICS, taggable=True, placement=Placement.REGIONAL
        ),
        # Blob data is encrypted by its account's key: the service and containers are not separately keyed.
        BLOB_SERVICE: TypeInfo(
            DataClass.NONE, STORAGE_SERVICE_DIAGNOSTICS, taggable=False, placement=Placement.NONE
        ),
        BLOB_CONTAINER: TypeInfo(DataClass.NONE, NO_DIAGNOSTICS, taggable=False, placement=Placement.NONE),
        IMMUTABILITY_POLICY: TypeInfo(
            DataClass.NONE, NO_DIAGNOSTICS, taggable=False, placement=Placement.NONE
        ),
        WORKSPACE: TypeInfo(
            DataClass.DATA_BEARING, LOGS_AND_ALL_METRICS, taggable=True, placement=Placement.REGIONAL
        ),
        DIAGNOSTIC_SETTING: TypeInfo(
            DataClass.NONE, NO_DIAGNOSTICS, taggable=False, placement=Placement.NONE
        ),
        SUBSCRIPTION_DIAGNOSTIC_SETTING: TypeInfo(
            DataClass.NONE, NO_DIAGNOSTICS, taggable=False, placement=Placement.NONE
        ),
        # An Azure Monitor Private Link Scope only lists which workspaces its endpoints reach; the
        # logs stay in the (data-bearing) workspace. Like private DNS it exists only as "global".
        PRIVATE_LINK_SCOPE: TypeInfo(
            DataClass.NONE, NO_DIAGNOSTICS, taggable=True, placement=Placement.GLOBAL
        ),
        PRIVATE_LINK_SCOPED_RESOURCE: TypeInfo(
            DataClass.NONE, NO_DIAGNOSTICS, taggable=False, placement=Placement.NONE
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
