"""Which of Azure's own type definitions each azure-native type's inputs are checked against.

azure-native 3.29 sends each type to one ARM API version (its class docstring: "Uses Azure REST API
version ..."). The ``azure-mgmt-*`` packages pinned in pyproject.toml are Microsoft's clients
generated from the same azure-rest-api-specs: a row names the model class that is the PUT body and
the request builder that sends it (whose URL parameters carry the name rules). One row per
azure-native type of ``policies/catalog.py``; ``tests/policies/test_arm_types.py`` proves every row
against the installed azure-native docstrings and the builder's own ``api-version`` and URL, so an
upgrade of either cannot drift silently.

Where no package has azure-native's exact version, ``defined_for`` is the version checked and
``gap`` what differs from the exact one, as read in Azure/bicep-types-az's generated definitions.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType, ModuleType
from typing import Any

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
    RG_LOCK_BY_SCOPE,
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


@dataclass(frozen=True)
class ArmDefinition:
    """One type's definition: ARM type, azure-native's API version, the model and request builder.

    ``model`` and ``request`` are dotted paths (``package.module.Name``).
    """

    arm_type: str
    api_version: str
    model: str
    request: str
    defined_for: str = ""
    gap: str = ""

    def __post_init__(self) -> None:
        if bool(self.defined_for) != bool(self.gap) or self.defined_for == self.api_version:
            raise ValueError(f"{self.arm_type}: a substitute definition needs its version and its gap")

    @property
    def exact(self) -> bool:
        return not self.defined_for

    @property
    def checked_version(self) -> str:
        """The API version the model was generated for."""
        return self.defined_for or self.api_version

    def source(self) -> str:
        """How a finding names the definition: ``Microsoft.Storage/storageAccounts 2024-01-01``."""
        if self.exact:
            return f"{self.arm_type} {self.api_version}"
        return f"{self.arm_type} {self.api_version}, checked with the {self.defined_for} definition"


# The pack's gRPC server answers Analyze calls on several threads, and two threads importing one
# package's modules at once can see one of them half-initialised: imports of the models go one at a
# time, here and in the rule.
IMPORT_LOCK = threading.RLock()


def import_module(module: str) -> ModuleType:
    """``importlib.import_module`` under :data:`IMPORT_LOCK`."""
    with IMPORT_LOCK:
        return importlib.import_module(module)


def _import(dotted: str) -> Any:
    module, _, name = dotted.rpartition(".")
    return getattr(import_module(module), name)


@cache
def model_class(definition: ArmDefinition) -> type:
    """The model class (imported on first use: the packages are large, most runs need a few)."""
    cls = _import(definition.model)
    if not isinstance(cls, type) or not hasattr(cls, "_attribute_map"):
        raise TypeError(f"{definition.model} is not an autorest model class")
    return cls


@cache
def request_builder(definition: ArmDefinition) -> Callable[..., Any]:
    builder = _import(definition.request)
    if not callable(builder):
        raise TypeError(f"{definition.request} is not a request builder")
    return builder  # type: ignore[no-any-return]


def request_module(definition: ArmDefinition) -> ModuleType:
    return import_module(definition.request.rpartition(".")[0])


_NETWORK = "azure.mgmt.network.operations._operations."
_STORAGE = "azure.mgmt.storage.v2024_01_01."
_KEYVAULT = "azure.mgmt.keyvault.v2024_11_01."
_PRIVATE_DNS = "azure.mgmt.privatedns."
_LOCKS = "azure.mgmt.resource.locks."
_MONITOR_DIAGNOSTICS = "azure.mgmt.monitor.v2021_05_01_preview."
_MONITOR_SCOPES = "azure.mgmt.monitor.v2021_07_01_preview."


def _network(arm_type: str, model: str, group: str) -> ArmDefinition:
    return ArmDefinition(
        arm_type,
        "2024-05-01",
        f"azure.mgmt.network.models.{model}",
        f"{_NETWORK}build_{group}_create_or_update_request",
    )


def _lock(level: str) -> ArmDefinition:
    return ArmDefinition(
        "Microsoft.Authorization/locks",
        "2020-05-01",
        _LOCKS + "models.ManagementLockObject",
        _LOCKS + f"operations._operations.build_management_locks_create_or_update_{level}_request",
    )


def _scopes(arm_type: str, model: str, operations: str, gap: str) -> ArmDefinition:
    return ArmDefinition(
        arm_type,
        "2023-06-01-preview",
        _MONITOR_SCOPES + f"models.{model}",
        _MONITOR_SCOPES + f"operations.{operations}.build_create_or_update_request",
        defined_for="2021-07-01-preview",
        gap=gap,
    )


ARM_DEFINITIONS: Mapping[str, ArmDefinition] = MappingProxyType(
    {
        RESOURCE_GROUP: ArmDefinition(
            "Microsoft.Resources/resourceGroups",
            "2024-03-01",
            "azure.mgmt.resource.resources.models.ResourceGroup",
            "azure.mgmt.resource.resources.operations._operations.build_resource_groups_create_or_update_request",
            defined_for="2025-04-01",
            gap=(
                "no azure-mgmt-resource release has 2024-03-01 (the multi-version ones jump from 2022-09-01 "
                "to 2024-07-01, and their locks subpackage clashes with azure-mgmt-resource-locks); both "
                "versions define a resource group alike: location (required), managedBy, tags, read-only "
                "properties"
            ),
        ),
        NSG: _network(
            "Microsoft.Network/networkSecurityGroups", "NetworkSecurityGroup", "network_security_groups"
        ),
        VIRTUAL_NETWORK: _network("Microsoft.Network/virtualNetworks", "VirtualNetwork", "virtual_networks"),
        SUBNET: _network("Microsoft.Network/virtualNetworks/subnets", "Subnet", "subnets"),
        PRIVATE_ENDPOINT: _network(
            "Microsoft.Network/privateEndpoints", "PrivateEndpoint", "private_endpoints"
        ),
        PRIVATE_DNS_ZONE_GROUP: _network(
            "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
            "PrivateDnsZoneGroup",
            "private_dns_zone_groups",
        ),
        PRIVATE_ZONE: ArmDefinition(
            "Microsoft.Network/privateDnsZones",
            "2024-06-01",
            _PRIVATE_DNS + "models.PrivateZone",
            _PRIVATE_DNS + "operations._private_zones_operations.build_create_or_update_request",
        ),
        VIRTUAL_NETWORK_LINK: ArmDefinition(
            "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
            "2024-06-01",
            _PRIVATE_DNS + "models.VirtualNetworkLink",
            _PRIVATE_DNS + "operations._virtual_network_links_operations.build_create_or_update_request",
        ),
        VAULT: ArmDefinition(
            "Microsoft.KeyVault/vaults",
            "2024-11-01",
            _KEYVAULT + "models.VaultCreateOrUpdateParameters",
            _KEYVAULT + "operations._vaults_operations.build_create_or_update_request",
        ),
        KEY: ArmDefinition(
            "Microsoft.KeyVault/vaults/keys",
            "2024-11-01",
            _KEYVAULT + "models.KeyCreateParameters",
            _KEYVAULT + "operations._keys_operations.build_create_if_not_exist_request",
        ),
        IDENTITY: ArmDefinition(
            "Microsoft.ManagedIdentity/userAssignedIdentities",
            "2023-01-31",
            "azure.mgmt.msi.v2023_01_31.models.Identity",
            "azure.mgmt.msi.v2023_01_31.operations._user_assigned_identities_operations."
            "build_create_or_update_request",
        ),
        ROLE_ASSIGNMENT: ArmDefinition(
            "Microsoft.Authorization/roleAssignments",
            "2022-04-01",
            "azure.mgmt.authorization.v2022_04_01.models.RoleAssignmentCreateParameters",
            "azure.mgmt.authorization.v2022_04_01.operations._role_assignments_operations.build_create_request",
        ),
        ROLE_DEFINITION: ArmDefinition(
            "Microsoft.Authorization/roleDefinitions",
            "2022-05-01-preview",
            "azure.mgmt.authorization.v2022_05_01_preview.models.RoleDefinition",
            "azure.mgmt.authorization.v2022_05_01_preview.operations._role_definitions_operations."
            "build_create_or_update_request",
        ),
        RG_LOCK: _lock("at_resource_group_level"),
        RG_LOCK_BY_SCOPE: _lock("by_scope"),
        STORAGE_ACCOUNT: ArmDefinition(
            "Microsoft.Storage/storageAccounts",
            "2024-01-01",
            _STORAGE + "models.StorageAccountCreateParameters",
            _STORAGE + "operations._storage_accounts_operations.build_create_request",
        ),
        BLOB_SERVICE: ArmDefinition(
            "Microsoft.Storage/storageAccounts/blobServices",
            "2024-01-01",
            _STORAGE + "models.BlobServiceProperties",
            _STORAGE + "operations._blob_services_operations.build_set_service_properties_request",
        ),
        BLOB_CONTAINER: ArmDefinition(
            "Microsoft.Storage/storageAccounts/blobServices/containers",
            "2024-01-01",
            _STORAGE + "models.BlobContainer",
            _STORAGE + "operations._blob_containers_operations.build_create_request",
        ),
        IMMUTABILITY_POLICY: ArmDefinition(
            "Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies",
            "2024-01-01",
            _STORAGE + "models.ImmutabilityPolicy",
            _STORAGE
            + "operations._blob_containers_operations.build_create_or_update_immutability_policy_request",
        ),
        WORKSPACE: ArmDefinition(
            "Microsoft.OperationalInsights/workspaces",
            "2023-09-01",
            "azure.mgmt.loganalytics.models.Workspace",
            "azure.mgmt.loganalytics.operations._workspaces_operations.build_create_or_update_request",
            defined_for="2022-10-01",
            gap=(
                "no azure-mgmt-loganalytics release has 2023-09-01 (13.0.0b7 is 2022-10-01, 13.1.0 "
                "2025-07-01); 2022-10-01 has the same writable workspace properties as 2023-09-01, "
                "which only adds the read-only features.unifiedSentinelBillingOnly"
            ),
        ),
        DIAGNOSTIC_SETTING: ArmDefinition(
            "Microsoft.Insights/diagnosticSettings",
            "2021-05-01-preview",
            _MONITOR_DIAGNOSTICS + "models.DiagnosticSettingsResource",
            _MONITOR_DIAGNOSTICS
            + "operations._diagnostic_settings_operations.build_create_or_update_request",
        ),
        SUBSCRIPTION_DIAGNOSTIC_SETTING: ArmDefinition(
            "Microsoft.Insights/diagnosticSettings",
            "2021-05-01-preview",
            _MONITOR_DIAGNOSTICS + "models.SubscriptionDiagnosticSettingsResource",
            _MONITOR_DIAGNOSTICS
            + "operations._subscription_diagnostic_settings_operations.build_create_or_update_request",
        ),
        PRIVATE_LINK_SCOPE: _scopes(
            "Microsoft.Insights/privateLinkScopes",
            "AzureMonitorPrivateLinkScope",
            "_private_link_scopes_operations",
            "no azure-mgmt-monitor release has 2023-06-01-preview; 2021-07-01-preview defines the "
            "scope's writable properties (accessModeSettings, location, tags) as 2023-06-01-preview does",
        ),
        PRIVATE_LINK_SCOPED_RESOURCE: _scopes(
            "Microsoft.Insights/privateLinkScopes/scopedResources",
            "ScopedResource",
            "_private_link_scoped_resources_operations",
            "no azure-mgmt-monitor release has 2023-06-01-preview, which adds kind and "
            "subscriptionLocation: 2021-07-01-preview lacks them, so setting either is a finding",
        ),
    }
)

# Catalog rows with an ARM id but no definition to check against: a resource of the type is a finding.
NO_DEFINITION: Mapping[str, str] = MappingProxyType({})
