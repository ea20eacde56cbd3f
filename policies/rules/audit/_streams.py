"""What counts as "audit logs on" and "the audit workspace", shared by the audit rules."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from policies.catalog import STORAGE_ACCOUNT, WORKSPACE
from policies.model import Resource
from policies.props import dig, items, same
from policies.stack_index import StackIndex

AUDIT_GROUPS = ("audit", "allLogs")
ALL_METRICS = "AllMetrics"
SHARED = "shared"


def logs_enabled(setting: Resource) -> bool:
    """Audit logs are on: category group ``audit`` or ``allLogs`` enabled (allLogs includes audit)."""
    return any(
        dig(entry, "enabled") is True and any(same(dig(entry, "categoryGroup"), g) for g in AUDIT_GROUPS)
        for entry in items(setting.props.get("logs"))
    )


def metrics_enabled(setting: Resource) -> bool:
    return any(
        dig(entry, "enabled") is True and same(dig(entry, "category"), ALL_METRICS)
        for entry in items(setting.props.get("metrics"))
    )


def audit_workspaces(index: StackIndex) -> Sequence[Resource]:
    """The stack's central Log Analytics workspace(s): those of the shared audit scope when tagged so."""
    workspaces = index.of_type(WORKSPACE)
    shared = [w for w in workspaces if index.level(w) == SHARED]
    return shared or workspaces


def writes_to_audit_workspace(index: StackIndex, setting: Resource) -> bool:
    central = {w.urn for w in audit_workspaces(index)}
    return any(w.urn in central for w in index.targets(setting, "workspaceId", WORKSPACE))


def archive_accounts(index: StackIndex, setting: Resource) -> list[Resource]:
    return index.targets(setting, "storageAccountId", STORAGE_ACCOUNT)


def unapproved_destinations(props: Any) -> list[str]:
    """Destinations besides the workspace and archive: event hubs and partner solutions leave our boundary."""
    keys = ("eventHubAuthorizationRuleId", "eventHubName", "marketplacePartnerId", "serviceBusRuleId")
    return [k for k in keys if dig(props, k)]
