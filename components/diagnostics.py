"""The one helper that attaches diagnostic settings, and the one table of what each type sends.

Components never declare ``monitor.DiagnosticSetting`` themselves: they call
:func:`attach_diagnostics` for each resource whose type is in :data:`SIGNALS`, so coverage and
settings stay uniform and a test can check that every such resource has exactly one setting.
(azure-native v3 has no ``insights`` module; diagnostic settings live in ``monitor``.)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import pulumi
from pulumi_azure_native import monitor

SETTING_NAME = "diag-tvt-audit"
# "allLogs" is a superset of the "audit" category group, so nothing an investigation needs is dropped.
LOG_CATEGORY_GROUP = "allLogs"
ALL_METRICS = ("AllMetrics",)
# Storage rejects "AllMetrics" ("supported categories are: 'Capacity;Transaction'"), and Capacity
# metrics are never exported by a diagnostic setting ("DS Export: No"): send what Azure exports.
STORAGE_METRICS = ("Transaction",)


@dataclass(frozen=True)
class Signals:
    """What a resource type can send: resource logs, and which platform metric categories."""

    logs: bool
    metrics: tuple[str, ...]


SIGNALS: Mapping[str, Signals] = MappingProxyType(
    {
        # The account itself emits only metrics; its data-plane logs come from the blob service.
        "azure-native:storage:StorageAccount": Signals(logs=False, metrics=STORAGE_METRICS),
        "azure-native:storage:BlobServiceProperties": Signals(logs=True, metrics=STORAGE_METRICS),
        "azure-native:keyvault:Vault": Signals(logs=True, metrics=ALL_METRICS),
        "azure-native:network:NetworkSecurityGroup": Signals(logs=True, metrics=()),
        "azure-native:network:VirtualNetwork": Signals(logs=True, metrics=ALL_METRICS),
        "azure-native:operationalinsights:Workspace": Signals(logs=True, metrics=ALL_METRICS),
    }
)
"""Resource type token -> signals. Every resource of one of these types gets one setting."""


@dataclass(frozen=True)
class Diagnostics:
    """AVM's ``diagnostic_settings`` interface: where a component's resources send logs and metrics.

    ``workspace_id`` is the central Log Analytics workspace. ``archive_id`` is the immutable audit
    archive, used in prod so that logs outlive anyone who could tamper with the workspace.
    """

    workspace_id: pulumi.Input[str]
    archive_id: pulumi.Input[str] | None = None


def attach_diagnostics(
    target: pulumi.CustomResource, diagnostics: Diagnostics, parent: pulumi.Resource
) -> monitor.DiagnosticSetting:
    """Declare the diagnostic setting of ``target``, named after it, as a child of ``parent``.

    Raises ValueError for a type missing from :data:`SIGNALS`, so a new kind of resource cannot be
    attached with a guessed (and possibly empty) set of signals.
    """
    type_ = target.pulumi_resource_type
    signals = SIGNALS.get(type_)
    if signals is None:
        raise ValueError(f"{target.pulumi_resource_name}: no diagnostics entry for type {type_}")
    return monitor.DiagnosticSetting(
        f"{target.pulumi_resource_name}-diag",
        name=SETTING_NAME,
        resource_uri=target.id,
        workspace_id=diagnostics.workspace_id,
        storage_account_id=diagnostics.archive_id,
        logs=[monitor.DiagnosticsLogSettingsArgs(category_group=LOG_CATEGORY_GROUP, enabled=True)]
        if signals.logs
        else None,
        metrics=[monitor.DiagnosticsMetricSettingsArgs(category=c, enabled=True) for c in signals.metrics]
        or None,
        opts=pulumi.ResourceOptions(parent=parent),
    )
