"""encryption-infrastructure: storage adds infrastructure (double) encryption."""

from __future__ import annotations

from tests.policies.cases import Case, rule_tests, set_prop

RULE = "encryption-infrastructure"

CASES = [
    Case(
        "no infrastructure encryption",
        set_prop("l3-storage", "encryption.requireInfrastructureEncryption", False),
        "requireInfrastructureEncryption is false; expected true",
        "l3-storage",
    ),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
