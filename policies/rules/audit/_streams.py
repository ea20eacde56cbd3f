"""What counts as "audit logs on" and "the audit workspace", shared by the audit rules."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from policies.catalog import STORAGE_ACCOUNT, WORKSPACE, DiagnosticSupport
from policies.model import Resource
from policies.props import dig, is_unknown, items, peek, same, text
from policies.stack_index import SHARED, StackIndex

AUDIT_GROUPS = ("audit", "allLogs")


def logs_enabled(setting: Resource) -> bool:
    """Audit logs are on: category group ``audit`` or ``allLogs`` enabled (allLogs includes audit)."""
    return any(
        dig(entry, "enabled") is True and any(same(dig(entry, "categoryGroup"), g) for g in AUDIT_GROUPS)
        for entry in items(setting.props.get("logs"))
    )


def enabled_metrics(setting: Resource) -> list[str]:
    """The metric categories the setting enables, as written."""
    return [
        text(dig(entry, "category"))
        for entry in items(setting.props.get("metrics"))
        if dig(entry, "enabled") is True
    ]


def missing_metrics(setting: Resource, diagnostics: DiagnosticSupport) -> list[str]:
    """Required metric categories of the target's type (policies/catalog.py) the setting does not enable."""
    enabled = {c.casefold() for c in enabled_metrics(setting)}
    return [c for c in diagnostics.required if c.casefold() not in enabled]


def unaccepted_metrics(setting: Resource, diagnostics: DiagnosticSupport) -> list[str]:
    """Metric categories the setting names (enabled or not) that Azure rejects for the target's type."""
    accepted = {c.casefold() for c in diagnostics.metrics}
    named = [text(dig(entry, "category")) for entry in items(setting.props.get("metrics"))]
    return [c for c in named if c.casefold() not in accepted]


def audit_workspaces(index: StackIndex) -> Sequence[Resource]:
    """The stack's central Log Analytics workspace(s): those the shared audit services declare."""
    return [w for w in index.of_type(WORKSPACE) if index.level(w) == SHARED]


def writes_to_audit_workspace(index: StackIndex, setting: Resource) -> bool:
    central = {w.urn for w in audit_workspaces(index)}
    return any(w.urn in central for w in index.targets(setting, "workspaceId"))


def archive_accounts(index: StackIndex, setting: Resource) -> list[Resource]:
    """The audit archives the setting writes to: storage accounts of the shared audit services."""
    accounts = index.targets(setting, "storageAccountId", STORAGE_ACCOUNT)
    return [a for a in accounts if index.level(a) == SHARED]


def own_account(index: StackIndex, target: Resource) -> Resource | None:
    """The storage account a diagnostic target is or belongs to (its blob service's account), if any."""
    if target.type == STORAGE_ACCOUNT:
        return target
    return next(iter(index.targets(target, "accountName", STORAGE_ACCOUNT)), None)


def unapproved_destinations(props: Any) -> list[str]:
    """Destinations besides the workspace and archive: event hubs and partner solutions leave our boundary."""
    keys = ("eventHubAuthorizationRuleId", "eventHubName", "marketplacePartnerId", "serviceBusRuleId")
    # A destination computed during preview (unknown) is still a destination.
    return [k for k in keys if is_unknown(value := peek(props, k)) or value]
