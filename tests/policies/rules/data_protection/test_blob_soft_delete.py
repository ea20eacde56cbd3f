"""data-protection-blob-soft-delete: deleted blobs and containers can be recovered."""

from __future__ import annotations

from tests.policies.cases import Case, rule_tests, set_prop

RULE = "data-protection-blob-soft-delete"

CASES = [
    Case(
        "7 days in prod",
        set_prop("l3-blob-service", "deleteRetentionPolicy.days", 7),
        "deleteRetentionPolicy.days is 7; expected at least 30 in prod",
        "l3-storage",
    ),
    Case(
        "container soft delete off",
        set_prop("l1-blob-service", "containerDeleteRetentionPolicy.enabled", False),
        "containerDeleteRetentionPolicy.enabled is false",
        "l1-storage",
    ),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
