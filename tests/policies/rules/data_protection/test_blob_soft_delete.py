"""data-protection-blob-soft-delete: deleted blobs and containers can be recovered."""

from __future__ import annotations

from tests.policies.cases import Case, Variant, chain, drop, point_ref, rule_tests, set_prop, variant_tests

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
    Case(
        "a day short in dev",
        set_prop("l3-blob-service", "deleteRetentionPolicy.days", 6),
        "deleteRetentionPolicy.days is 6; expected at least 7",
        "l3-storage",
        environment="dev",
    ),
    Case(
        "the only blob service naming the account does so by another property",
        chain(
            drop("l3-blob-service"),
            drop("l3-blob-service-diag"),
            point_ref("l1-blob-service", "resourceGroupName", "l3-storage"),
        ),
        "no BlobServiceProperties references this account, so soft delete is off",
        "l3-storage",
        also=frozenset({"audit-blob-service-logs", "data-protection-level-boundary"}),
    ),
]
VARIANTS = [
    Variant("exactly the prod minimum", set_prop("l3-blob-service", "deleteRetentionPolicy.days", 30)),
    Variant(
        "exactly the dev minimum",
        set_prop("l3-blob-service", "deleteRetentionPolicy.days", 7),
        environment="dev",
    ),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
test_compliant_variant = variant_tests(RULE, VARIANTS)
