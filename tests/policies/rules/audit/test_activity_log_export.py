"""audit-activity-log-export: the subscription's activity log is exported to the workspace and archive."""

from __future__ import annotations

from tests.policies.cases import (
    Case,
    Variant,
    drop,
    foreign,
    outside,
    refer,
    retarget,
    rule_tests,
    set_input,
    set_prop,
    variant_tests,
)

RULE = "audit-activity-log-export"
EXPORT = "audit-activity-log"

CASES = [
    Case(
        "Security category off",
        set_prop(EXPORT, "logs.1.enabled", False),
        "activity log categories not enabled: Security",
        EXPORT,
    ),
    Case(
        "Security category off in what is requested, on in the outputs",
        set_input(EXPORT, "logs.1.enabled", False),
        "activity log categories not enabled: Security",
        EXPORT,
    ),
    Case("no activity log export", drop(EXPORT), "no SubscriptionDiagnosticSetting exports"),
    Case(
        "archived in a level's account instead of the audit archive",
        retarget(EXPORT, "storageAccountId", "storageAccountId", "l3-storage"),
        "storageAccountId does not reference the audit archive",
        EXPORT,
        also=frozenset({"data-protection-audit-immutability"}),
    ),
    Case(
        "sent to a workspace outside the stack",
        outside(EXPORT, "workspaceId", "workspaceId", foreign("Microsoft.OperationalInsights/workspaces/x")),
        "workspaceId does not reference the stack's audit Log Analytics workspace",
        EXPORT,
    ),
    Case(
        "archive id names another account, its dependency still the archive",
        refer(EXPORT, "storageAccountId", "l1-storage"),
        "storageAccountId names Microsoft.Storage/storageAccounts 'sttvtprodl1' but was computed from "
        "StorageAccount 'audit-archive-account'",
        EXPORT,
        known_only=True,
    ),
    Case(
        "the allLogs category group, disabled",
        set_prop(EXPORT, "logs", [{"categoryGroup": "allLogs", "enabled": False}]),
        "activity log categories not enabled: Administrative, Security",
        EXPORT,
    ),
]


ALL_LOGS = [{"categoryGroup": "allLogs", "enabled": True}]
VARIANTS = [Variant("every category through the allLogs category group", set_prop(EXPORT, "logs", ALL_LOGS))]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
test_compliant_variant = variant_tests(RULE, VARIANTS)
