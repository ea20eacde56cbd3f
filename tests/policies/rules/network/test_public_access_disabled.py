"""network-public-access-disabled: data and key services are unreachable from the internet."""

from __future__ import annotations

from tests.policies.cases import Case, rule_tests, set_prop

RULE = "network-public-access-disabled"

CASES = [
    Case(
        "storage public",
        set_prop("l3-storage", "publicNetworkAccess", "Enabled"),
        "publicNetworkAccess is 'Enabled'; expected Disabled",
        "l3-storage",
    ),
    Case(
        "vault public",
        set_prop("audit-vault", "properties.publicNetworkAccess", "Enabled"),
        "properties.publicNetworkAccess is 'Enabled'",
        "audit-vault",
    ),
    Case(
        "workspace queryable publicly",
        set_prop("audit-workspace", "publicNetworkAccessForQuery", "Enabled"),
        "publicNetworkAccessForQuery is 'Enabled'",
        "audit-workspace",
    ),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
