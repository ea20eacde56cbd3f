"""audit-workspace-retention: logs are kept long enough for investigations."""

from __future__ import annotations

from tests.policies.cases import Case, Variant, rule_tests, set_prop, variant_tests

RULE = "audit-workspace-retention"
WORKSPACE = "audit-workspace"

CASES = [
    Case(
        "90 days of logs in prod",
        set_prop(WORKSPACE, "retentionInDays", 90),
        "retentionInDays is 90; expected at least 365 in prod",
        WORKSPACE,
    ),
    Case(
        "a day short of the prod minimum",
        set_prop(WORKSPACE, "retentionInDays", 364),
        "retentionInDays is 364; expected at least 365 in prod",
        WORKSPACE,
    ),
    Case(
        "no retention requested",
        set_prop(WORKSPACE, "retentionInDays"),
        "retentionInDays is <absent>",
        WORKSPACE,
        also=frozenset({"azure-api-conformance"}),
    ),
    Case(
        "60 days of logs in dev",
        set_prop(WORKSPACE, "retentionInDays", 60),
        "retentionInDays is 60; expected at least 90",
        WORKSPACE,
        environment="dev",
    ),
    Case(
        "a prod minimum raised by config",
        set_prop(WORKSPACE, "retentionInDays", 400),
        "expected at least 500 in prod",
        WORKSPACE,
        config={RULE: {"minimumRetentionDaysProd": 500}},
    ),
]

VARIANTS = [
    Variant("exactly the prod minimum", set_prop(WORKSPACE, "retentionInDays", 365)),
    Variant("exactly the dev minimum", set_prop(WORKSPACE, "retentionInDays", 90), environment="dev"),
]


test_baseline_passes_rule, test_negative_case = rule_tests(RULE, CASES)
test_compliant_variant = variant_tests(RULE, VARIANTS)
