"""audit-workspace-retention: logs are kept long enough for investigations."""

from __future__ import annotations

from tests.policies.cases import Case, rule_tests, set_prop

RULE = "audit-workspace-retention"

CASES = [
    Case(
        "90 days of logs in prod",
        set_prop("audit-workspace", "retentionInDays", 90),
        "retentionInDays is 90; expected at least 365",
        "audit-workspace",
    ),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
