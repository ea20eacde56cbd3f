"""audit-activity-log-export: the subscription's activity log is exported to the workspace and archive."""

from __future__ import annotations

from tests.policies.cases import Case, drop, drop_ref, rule_tests, set_prop

RULE = "audit-activity-log-export"

CASES = [
    Case(
        "Security category off",
        set_prop("audit-activity-log", "logs.1.enabled", False),
        "activity log categories not enabled: Security",
        "audit-activity-log",
    ),
    Case("no activity log export", drop("audit-activity-log"), "no SubscriptionDiagnosticSetting exports"),
    Case(
        "not to the archive",
        drop_ref("audit-activity-log", "storageAccountId"),
        "storageAccountId does not reference the audit archive",
        "audit-activity-log",
    ),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
