"""encryption-unclassified-type: every resource type is classified before it can be deployed."""

from __future__ import annotations

from tests.policies.cases import Case, add, rule_tests

RULE = "encryption-unclassified-type"


SQL = "azure-native:sql:Server"


L3_TAGS = {
    "environment": "prod",
    "data-level": "3",
    "owner": "tvt-platform-team",
    "classification": "OFFICIAL-SENSITIVE",
}


CASES = [
    Case(
        "an unclassified resource type",
        add(SQL, "l3-sql", "l3", {"location": "uksouth", "tags": L3_TAGS}),
        "azure-native:sql:Server is not classified",
        "l3-sql",
        also=frozenset({"audit-diagnostics-present", "azure-api-conformance"}),
    ),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
