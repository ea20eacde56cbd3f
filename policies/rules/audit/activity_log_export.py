"""audit-activity-log-export: the subscription's activity log is exported to the workspace and archive."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from policies.catalog import SUBSCRIPTION_DIAGNOSTIC_SETTING
from policies.framework import (
    Controls,
    Param,
    Params,
    RuleMeta,
    StackContext,
    StackRule,
    Stricter,
    reference_violations,
)
from policies.model import Resource, Violation
from policies.props import dig, items, text
from policies.rules.audit._streams import archive_accounts, writes_to_audit_workspace
from policies.stack_index import StackIndex

CATEGORIES = [
    "Administrative",
    "Security",
    "ServiceHealth",
    "Alert",
    "Recommendation",
    "Policy",
    "Autoscale",
    "ResourceHealth",
]

META = RuleMeta(
    id="audit-activity-log-export",
    title="The subscription activity log is exported to the audit workspace and archive",
    severity=Severity.HIGH,
    enforcement=EnforcementLevel.MANDATORY,
    controls=Controls(ncsc=("5.3", "13"), mcsb=("LT-3", "LT-5"), cis=("5.1.1", "5.1.2")),
    remediation=(
        "Declare one SubscriptionDiagnosticSetting with every required category enabled, workspaceId "
        "from the audit workspace and storageAccountId from the audit archive."
    ),
    docs="https://learn.microsoft.com/azure/azure-monitor/essentials/activity-log",
    params=(
        Param(
            "requiredCategories",
            {
                "type": "array",
                "items": {"type": "string", "enum": CATEGORIES},
                "minItems": 1,
                "default": CATEGORIES,
                "description": "activity log categories that must be enabled",
            },
            stricter=Stricter.MORE,
        ),
    ),
)


def check(context: StackContext, params: Params) -> Iterator[Violation]:
    """A SubscriptionDiagnosticSetting exports the required categories to the audit workspace and archive.

    Control-plane changes (role assignments, key deletions, lock removal, policy changes) appear
    only in the activity log, which Azure keeps for 90 days; exporting it keeps the evidence for
    as long as the audit archive does.
    """
    yield from reference_violations(context, META.id)
    index = context.index
    settings = index.of_type(SUBSCRIPTION_DIAGNOSTIC_SETTING)
    if not settings:
        yield Violation("no SubscriptionDiagnosticSetting exports the activity log")
        return
    problems = {s.urn: list(_problems(index, s, list(params["requiredCategories"]))) for s in settings}
    # A setting whose destination names nothing is not the good export, though only its reference's
    # own finding (above) reports it.
    disputed = {
        s.urn for s in settings if index.disputed(s, "workspaceId") or index.disputed(s, "storageAccountId")
    }
    if any(not p and urn not in disputed for urn, p in problems.items()):
        return
    for urn, found in problems.items():
        for message in found:
            yield Violation(message, urn)


def _problems(index: StackIndex, setting: Resource, required: list[str]) -> Iterator[str]:
    entries = items(setting.props.get("logs"))
    enabled = {text(dig(e, "category")).casefold() for e in entries if dig(e, "enabled") is True}
    all_logs = any(dig(e, "enabled") is True and text(dig(e, "categoryGroup")) == "allLogs" for e in entries)
    missing = [c for c in required if c.casefold() not in enabled]
    if missing and not all_logs:
        yield f"activity log categories not enabled: {', '.join(missing)}"
    if not writes_to_audit_workspace(index, setting) and not index.disputed(setting, "workspaceId"):
        yield "workspaceId does not reference the stack's audit Log Analytics workspace"
    if not archive_accounts(index, setting) and not index.disputed(setting, "storageAccountId"):
        yield "storageAccountId does not reference the audit archive storage account"


RULE = StackRule(META, check)
