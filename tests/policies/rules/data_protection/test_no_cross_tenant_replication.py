"""data-protection-no-cross-tenant-replication: storage never replicates objects to another tenant."""

from __future__ import annotations

from tests.policies.cases import Case, rule_tests, set_prop

RULE = "data-protection-no-cross-tenant-replication"

CASES = [
    Case(
        "cross-tenant replication",
        set_prop("l3-storage", "allowCrossTenantReplication", True),
        "allowCrossTenantReplication is true; expected false",
        "l3-storage",
    ),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
