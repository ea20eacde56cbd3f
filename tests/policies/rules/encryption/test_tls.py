"""encryption-tls: storage accepts only HTTPS with TLS 1.2 or later."""

from __future__ import annotations

from tests.policies.cases import Case, rule_tests, set_prop

RULE = "encryption-tls"

CASES = [
    Case(
        "TLS 1.1 accepted",
        set_prop("l3-storage", "minimumTlsVersion", "TLS1_1"),
        "minimumTlsVersion is 'TLS1_1'",
        "l3-storage",
    ),
    Case(
        "plain HTTP accepted",
        set_prop("l1-storage", "enableHttpsTrafficOnly", False),
        "enableHttpsTrafficOnly is false",
        "l1-storage",
    ),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
