"""data-protection-keyvault: a deleted vault or key can be recovered and cannot be purged early."""

from __future__ import annotations

from tests.policies.cases import (
    Case,
    Variant,
    chain,
    retag_environment,
    rule_tests,
    set_prop,
    variant_tests,
)

RULE = "data-protection-keyvault"

CASES = [
    Case(
        "no purge protection",
        set_prop("l3-vault", "properties.enablePurgeProtection", False),
        "enablePurgeProtection is false; expected true",
        "l3-vault",
    ),
    Case(
        "short retention in prod",
        set_prop("l3-vault", "properties.softDeleteRetentionInDays", 30),
        "softDeleteRetentionInDays is 30; expected at least 90 in prod",
        "l3-vault",
    ),
    Case(
        "prod vault tagged dev to get the dev minimum",
        chain(retag_environment("dev"), set_prop("l3-vault", "properties.softDeleteRetentionInDays", 7)),
        "softDeleteRetentionInDays is 7; expected at least 90 in prod",
        "l3-vault",
    ),
    Case(
        "a day short in dev",
        set_prop("l3-vault", "properties.softDeleteRetentionInDays", 6),
        "softDeleteRetentionInDays is 6; expected at least 7",
        "l3-vault",
        environment="dev",
        also=frozenset({"azure-api-conformance"}),
    ),
]
VARIANTS = [
    Variant("exactly the prod minimum", set_prop("l3-vault", "properties.softDeleteRetentionInDays", 90)),
    Variant(
        "exactly the dev minimum",
        set_prop("l3-vault", "properties.softDeleteRetentionInDays", 7),
        environment="dev",
    ),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
test_compliant_variant = variant_tests(RULE, VARIANTS)
